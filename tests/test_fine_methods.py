"""Fines set as multiples or per occurrence, and one act under several codes (行政处罚法第二十九条),
through the case form and page, the case register import, the bureau case API and the offset
workflow (end to end, in the SQLite and the PostgreSQL pass alike)."""

from datetime import date

import pytest
from sqlalchemy import select

from eduapp.cli.cases import cases_group
from eduapp.domain import offsets as rules
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import OffsetApplication, PenaltyCase
from eduapp.services import awards, cases, points, rule_sets
from tests import factories
from tests.conftest import PASSWORD

YUAN = 100


@pytest.fixture
def world(ctx):
    ids = factories.two_enterprises()
    cases.load_catalogue()
    bureau = factories.unit("示范市生态环境局")
    for name, role in (("officer", Role.CASE_OFFICER), ("reviewer", Role.LEGAL_REVIEWER),
                       ("approver", Role.APPROVER)):
        ids[name] = factories.user(name, bureau, role).id
    rule_sets.save(None, None, {
        "name": "学法积分抵扣罚款规则", "doc_number": "示环规〔2026〕3号", "authority": "示范市生态环境局",
        "effective_from": date(2026, 1, 1), "effective_to": None, "status": "active",
        "legal_basis": ["《中华人民共和国行政处罚法》第三十二条、第三十四条"],
        "eligible_codes": ["SOLID-112-3", "AIR-105", "AIR-99-1"], "excluded_codes": [],
        "conditions": rules.Conditions(key_roles=(), cooling_days=365), "maths": rules.Maths(cap_percent=20, fen_per_point=1_000),
        "procedure": {"officer": 5, "reviewer": 5, "approver": 3},
    })
    from eduapp.models import Organisation

    awards.award(points.pool_account(db.session.get(Organisation, ids["org_a"])), 100_000, "test:pool", "测试积分")
    return ids


def _form(**values):
    base = {"case_number": "示环罚〔2026〕21号", "enterprise": "甲企业", "violation_type_id": "", "description": "",
            "harm_level": "minor", "corrected": "y", "discovered_on": "2026-02-27", "opened_on": "2026-03-02",
            "proposed_fine": "650000", "officer_id": "0", "fine_basis": "", "occurrences": ""}  # fmt: skip
    base.update(values)
    return base


def _vt(code: str) -> str:
    return str(cases.violation_by_code(code).id)


def _token(client, username):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json['token']}"}


def _the_case() -> PenaltyCase:
    case = db.session.execute(select(PenaltyCase)).unique().scalar_one()
    db.session.refresh(case)
    return case


def test_solid_art112_offset_needs_the_disposal_cost_and_never_goes_below_its_computed_minimum(client, auth, world):
    """固体废物污染环境防治法第一百一十二条: 所需处置费用三倍以上五倍以下，不足二十万元的按二十万元计算.
    Without the disposal cost no offset is offered and the preview says why; with ¥50,000 recorded the
    minimum is ¥600,000, and the approved offset stops there (行政处罚法第三十二条: 从轻 within the range)."""
    auth.login("officer")
    response = auth.post("/cases/new", _form(violation_type_id=_vt("SOLID-112-3")), form_page="/cases/new",
                         follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "请记录所需处置费用" in page  # the form's warning
    case = _the_case()
    assert case.fine_basis_fen is None
    assert "尚无法计算" in page and "尚未记录所需处置费用" in page  # the case page's statutory range
    auth.logout()

    auth.login("contact-a")
    preview_page = client.get(f"/offsets/cases/{case.id}").get_data(as_text=True)
    assert "须先在案件中记录所需处置费用" in preview_page
    contact = _token(client, "contact-a")
    preview = client.get(f"/api/v1/cases/{case.id}/offset-preview", headers=contact).json
    assert preview["eligible"] is False
    failed = {c["key"]: c for c in preview["checks"] if not c["passed"]}
    assert "所需处置费用" in failed["fine_basis"]["reason"] and "第一百一十二条" in failed["fine_basis"]["basis"]
    refused = client.post("/api/v1/offset-applications", json={"case_id": case.id, "undertaking": True},
                          headers=contact)
    assert refused.status_code == 422 and "所需处置费用" in refused.json["error"]["fields"]["case_id"]
    assert db.session.execute(select(OffsetApplication)).first() is None
    auth.logout()

    auth.login("officer")
    response = auth.post(f"/cases/{case.id}/edit", _form(violation_type_id=_vt("SOLID-112-3"), fine_basis="50,000"),
                         form_page=f"/cases/{case.id}/edit", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "600,000" in page and "1,000,000" in page
    assert _the_case().fine_basis_fen == 50_000 * YUAN
    auth.logout()

    preview = client.get(f"/api/v1/cases/{case.id}/offset-preview", headers=contact).json
    assert preview["eligible"] is True
    assert preview["fine_after"] == 600_000 * YUAN  # 20% would be ¥520,000: the computed minimum binds
    created = client.post("/api/v1/offset-applications", json={"case_id": case.id, "undertaking": True},
                          headers=contact)
    assert created.status_code == 201
    for who in ("officer", "reviewer", "approver"):
        decided = client.post(f"/api/v1/offset-applications/{created.json['id']}/decisions",
                              json={"decision": "approve", "comment": "同意"}, headers=_token(client, who))
        assert decided.status_code == 200
    assert decided.json["status"] == "approved"
    assert _the_case().proposed_fine == 600_000 * YUAN


def test_art29_the_form_warns_and_the_floor_is_the_groups_highest_minimum(client, auth, world):
    """行政处罚法第二十九条: AIR-99-1 (¥100,000 minimum) shares the act with PERMIT-33-1 (¥200,000)."""
    auth.login("officer")
    response = auth.post("/cases/new", _form(violation_type_id=_vt("AIR-99-1"), proposed_fine="220000"),
                         form_page="/cases/new", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "第二十九条" in page and "PERMIT-33-1 ¥200,000.00" in page and "WATER-83-1" in page
    case = _the_case()
    assert "PERMIT-33-1" in page and "200,000.00" in page  # the case page explains the floor
    auth.logout()
    contact = _token(client, "contact-a")
    preview = client.get(f"/api/v1/cases/{case.id}/offset-preview", headers=contact).json
    assert preview["eligible"] and preview["fine_after"] == 200_000 * YUAN
    same_act = next(c for c in preview["checks"] if c["key"] == "same_act")
    assert "PERMIT-33-1" in same_act["reason"] and "第二十九条" in same_act["basis"]
    # editing the case without changing its code does not warn again
    auth.login("officer")
    response = auth.post(f"/cases/{case.id}/edit", _form(violation_type_id=_vt("AIR-99-1"), proposed_fine="230000"),
                         form_page=f"/cases/{case.id}/edit", follow_redirects=True)
    assert "PERMIT-33-1 ¥200,000.00" not in response.get_data(as_text=True)


def test_water_art93_serious_only_warns_at_minor_harm(client, auth, world):
    """水污染防治法第九十三条: 情节严重的 — at minor harm the form warns and the case is not eligible."""
    auth.login("officer")
    response = auth.post("/cases/new", _form(violation_type_id=_vt("WATER-93-1"), proposed_fine="50000"),
                         form_page="/cases/new", follow_redirects=True)
    assert "仅适用于情节严重的情形" in response.get_data(as_text=True)
    assert _the_case().harm_level == "minor"
    catalogue = client.get("/cases/violations").get_data(as_text=True)
    assert "按案件计算：所需处置费用" in catalogue and "第二十九条分组" in catalogue and "仅适用于危害程度不低于" in catalogue


def test_form_basis_and_occurrences_errors_name_the_field(client, auth, world):
    auth.login("officer")
    for values, expected in (({"fine_basis": "12.345"}, "12.345"), ({"occurrences": "0"}, 'id="occurrences"')):
        response = auth.post("/cases/new", _form(violation_type_id=_vt("PERMIT-37-1"), proposed_fine="10000",
                                                 **values), form_page="/cases/new")  # fmt: skip
        text = response.get_data(as_text=True)
        assert response.status_code == 400 and "invalid-feedback" in text and expected in text
    assert db.session.execute(select(PenaltyCase)).first() is None


def test_permit_art37_per_occurrence_through_the_form(client, auth, world):
    """排污许可管理条例第三十七条: 每次五千元以上二万元以下 — three occurrences allow up to ¥60,000."""
    auth.login("officer")
    response = auth.post("/cases/new", _form(violation_type_id=_vt("PERMIT-37-1"), proposed_fine="50000",
                                             occurrences="3"), form_page="/cases/new", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert _the_case().occurrences == 3 and "15,000" in page and "60,000" in page
    too_much = auth.post(f"/cases/{_the_case().id}/edit", _form(violation_type_id=_vt("PERMIT-37-1"),
                                                                proposed_fine="60000.01", occurrences="3"),
                         form_page=f"/cases/{_the_case().id}/edit")  # fmt: skip
    assert too_much.status_code == 400 and "60,000" in too_much.get_data(as_text=True)


HEADER = ("案件编号,企业名称或统一社会信用代码,违法类型编码,立案日期,状态,危害程度,是否已改正,拟罚款金额（元）,"
          "罚款计算基数（元）,违法次数")


def test_the_register_import_reads_the_basis_and_names_bad_values_by_row_and_column(runner, world, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("\n".join([HEADER, "示环罚〔2026〕31号,甲企业,AIR-105,2026-03-02,调查,轻微,是,3000,abc,",
                               "示环罚〔2026〕32号,甲企业,PERMIT-37-3,2026-03-02,调查,轻微,是,10000,,0"]) + "\n",
                    encoding="utf-8")  # fmt: skip
    result = runner.invoke(cases_group, ["import", str(path)])
    assert result.exit_code != 0
    assert "row 2 [罚款计算基数（元）]" in result.output and "row 3 [违法次数]" in result.output
    assert db.session.execute(select(PenaltyCase)).first() is None

    path.write_text("\n".join([HEADER, "示环罚〔2026〕31号,甲企业,AIR-105,2026-03-02,调查,轻微,是,3000,\"1,000\",",
                               "示环罚〔2026〕32号,甲企业,PERMIT-37-3,2026-03-02,调查,轻微,是,10000,,2次"]) + "\n",
                    encoding="utf-8")  # fmt: skip
    result = runner.invoke(cases_group, ["import", str(path)])
    assert result.exit_code == 0, result.output
    found = {c.case_number: (c.fine_basis_fen, c.occurrences)
             for c in db.session.execute(select(PenaltyCase)).unique().scalars()}
    assert found == {"示环罚〔2026〕31号": (1_000 * YUAN, None), "示环罚〔2026〕32号": (None, 2)}
    # AIR-105 (大气污染防治法第一百零五条): ¥3,000 is above 3 × ¥1,000, so refused once the basis is known
    path.write_text("\n".join([HEADER, "示环罚〔2026〕31号,甲企业,AIR-105,2026-03-02,调查,轻微,是,3000.01,1000,"])
                    + "\n", encoding="utf-8")  # fmt: skip
    result = runner.invoke(cases_group, ["import", str(path)])
    assert result.exit_code != 0 and "row 2 [拟罚款金额（元）]" in result.output


def test_the_bureau_api_takes_the_basis_and_shows_the_computed_range(client, world):
    officer = _token(client, "officer")
    body = {"case_number": "示环罚〔2026〕41号", "enterprise": "甲企业", "violation_code": "EIA-31-K1",
            "opened_on": "2026-03-02", "proposed_fine": 2_000_000 * YUAN}
    created = client.post("/api/v1/cases", json=body, headers=officer)
    assert created.status_code == 201
    assert created.json["statutory_fine"]["computable"] is False
    assert [w["field"] for w in created.json["warnings"]] == ["fine_basis_fen"]
    case_id = created.json["id"]
    bad = client.patch(f"/api/v1/cases/{case_id}", json={"fine_basis_fen": -1, "occurrences": "2"}, headers=officer)
    assert bad.status_code == 422 and {"fine_basis_fen", "occurrences"} <= set(bad.json["error"]["fields"])
    # 环境影响评价法第三十一条: 总投资额百分之一以上百分之五以下 — ¥100,000,000 gives ¥1,000,000 to ¥5,000,000
    patched = client.patch(f"/api/v1/cases/{case_id}", json={"fine_basis_fen": 100_000_000 * YUAN}, headers=officer)
    assert patched.status_code == 200 and patched.json["fine_basis_fen"] == 100_000_000 * YUAN
    statutory = patched.json["statutory_fine"]
    assert (statutory["fine_min"], statutory["fine_max"], statutory["offset_floor"]) == (
        1_000_000 * YUAN, 5_000_000 * YUAN, 1_000_000 * YUAN)
    types = {t["code"]: t for t in client.get("/api/v1/violation-types", headers=officer).json}
    assert (types["EIA-31-K1"]["fine_method"], types["EIA-31-K1"]["multiple_min_percent"]) == ("multiple", 1)
    assert types["PERMIT-37-1"]["fine_method"] == "per_occurrence"
    assert types["AIR-99-1"]["same_act_group"] == types["PERMIT-33-1"]["same_act_group"] == "no_permit_discharge"
    assert types["WATER-93-1"]["min_harm"] == "serious"
    got = client.get(f"/api/v1/cases/{case_id}", headers=officer).json
    assert got["statutory_fine"]["same_act_codes"] == []
