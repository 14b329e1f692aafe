"""Penalty cases: the catalogue loader, the case service (stages, audit, tenancy, history), the
case register import (CLI and page), and the case officers' pages."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from eduapp.cli.cases import cases_group
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import AuditRecord, Organisation, PenaltyCase, User, ViolationType
from eduapp.services import case_register, cases, laws
from tests import factories

HEADER = "案件编号,企业名称或统一社会信用代码,违法类型编码,立案日期,状态,危害程度,是否已改正,拟罚款金额（元）,案情简述"
ROWS = [
    "示环罚〔2026〕1号,甲企业,AIR-99-2,2026-03-02,调查,轻微,是,150000.50,锅炉颗粒物超标排放",
    "示环罚〔2026〕2号,乙企业,WATER-83-2,2026/4/1,立案,一般,否,200000,废水化学需氧量超标",
]

AIR_LAW = """\
# 中华人民共和国大气污染防治法

2018年10月26日 第十三届全国人民代表大会常务委员会第六次会议第二次修正

<!-- INFO END -->

## 第七章 法律责任

第九十九条 违反本法规定，有下列行为之一的，由县级以上人民政府生态环境主管部门责令改正或者限制生产、停产整治，\
并处十万元以上一百万元以下的罚款：

（一）未依法取得排污许可证排放大气污染物的；

（二）超过大气污染物排放标准排放大气污染物的。
"""


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _csv(tmp_path, *rows, name="cases.csv", header=HEADER):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def world(ctx):
    """The catalogue, two enterprises (contact and staff each), a case officer and a learner."""
    ids = factories.two_enterprises()
    cases.load_catalogue()
    bureau = factories.unit("生态环境局")
    ids["officer"] = factories.user("officer", bureau, Role.CASE_OFFICER, full_name="王承办").id
    ids["learner"] = factories.user("learner", bureau, Role.CIVIL_SERVANT).id
    ids["editor"] = factories.user("editor", bureau, Role.QUESTION_EDITOR).id
    return ids


def _case(ids, tenant="a", number="示环罚〔2026〕1号", code="AIR-99-2", fine=15_000_000, **fields):
    values = {
        "case_number": number,
        "enterprise_id": ids[f"org_{tenant}"],
        "violation_type_id": cases.violation_by_code(code).id,
        "opened_on": date(2026, 3, 2),
        "proposed_fine": fine,
        **fields,
    }
    return cases.save_case(None, values).case


# --- the catalogue ---------------------------------------------------------------------------------------


def test_the_catalogue_loads_once_and_then_changes_nothing(ctx):
    first = cases.load_catalogue()
    assert len(first.added) >= 20 and first.updated == [] and first.unchanged == []
    vt = cases.violation_by_code("AIR-99-1")
    assert (vt.law, vt.article, vt.clause, vt.fine_min, vt.fine_max) == (
        "中华人民共和国大气污染防治法",
        "第九十九条",
        "第（一）项",
        10_000_000,
        100_000_000,
    )
    audits = _count(AuditRecord)
    second = cases.load_catalogue()
    assert second.added == [] and second.updated == [] and len(second.unchanged) == len(first.added)
    assert _count(AuditRecord) == audits


def test_cli_catalogue_default_file_then_an_updated_file(runner, ctx, tmp_path):
    result = runner.invoke(cases_group, ["catalogue"])
    assert result.exit_code == 0, result.output
    assert "added: AIR-99-1" in result.output and ", updated 0, unchanged 0" in result.output
    again = runner.invoke(cases_group, ["catalogue"])
    assert again.exit_code == 0 and "added 0, updated 0, unchanged" in again.output

    text = cases.PACKAGED_CATALOGUE.read_text(encoding="utf-8")
    changed = tmp_path / "violations.yaml"
    changed.write_text(text.replace("name: 未依法取得排污许可证排放大气污染物", "name: 无证排放大气污染物"), "utf-8")
    updated = runner.invoke(cases_group, ["catalogue", str(changed)])
    assert updated.exit_code == 0 and "updated: AIR-99-1" in updated.output and "updated 1," in updated.output
    db.session.expire_all()
    assert cases.violation_by_code("AIR-99-1").name == "无证排放大气污染物"


def test_cli_catalogue_refuses_a_bad_file_naming_entry_and_field(runner, ctx, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "violations:\n  - {code: AIR-99-1, name: x, law: 中华人民共和国大气污染防治法, article: 第九十九条,\n"
        "     clause: 第（一）项, fine_min: 200, fine_max: 100, fine_note: x}\n",
        "utf-8",
    )
    result = runner.invoke(cases_group, ["catalogue", str(bad)])
    assert result.exit_code == 1
    assert "entry 1 [fine_min]" in result.output
    assert _count(ViolationType) == 0


# --- the case service ------------------------------------------------------------------------------------


def test_a_new_case_is_filed_and_audited(world):
    case = _case(world, description="锅炉颗粒物超标")
    assert (case.status, case.harm_level, case.corrected, case.final_fine) == ("filed", "minor", False, None)
    (record,) = cases.case_trail(case)
    assert record.action == "penalty_case.create" and "示环罚〔2026〕1号" in record.summary


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"proposed_fine": 100_000_001}, "proposed_fine"),  # above 一百万元
        ({"proposed_fine": -1}, "proposed_fine"),
        ({"case_number": ""}, "case_number"),
        ({"enterprise_id": None}, "enterprise_id"),
        ({"violation_type_id": None}, "violation_type_id"),
        ({"discovered_on": date(2026, 3, 5)}, "opened_on"),  # discovered after it was filed
        ({"harm_level": "huge"}, "harm_level"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_saved(world, fields, field):
    values = {
        "case_number": "示环罚〔2026〕9号",
        "enterprise_id": world["org_a"],
        "violation_type_id": cases.violation_by_code("AIR-99-2").id,
        "opened_on": date(2026, 3, 2),
        "proposed_fine": 15_000_000,
        **fields,
    }
    with pytest.raises(InputError) as err:
        cases.save_case(None, values)
    assert field in [p.field for p in err.value.problems]
    assert _count(PenaltyCase) == 0


def test_a_case_number_is_unique(world):
    _case(world)
    with pytest.raises(InputError) as err:
        _case(world, tenant="b")
    assert [p.field for p in err.value.problems] == ["case_number"]


def test_a_fine_below_the_minimum_is_saved_with_a_warning(world):
    values = {
        "case_number": "示环罚〔2026〕3号",
        "enterprise_id": world["org_a"],
        "violation_type_id": cases.violation_by_code("AIR-99-2").id,
        "opened_on": date(2026, 3, 2),
        "proposed_fine": 5_000_000,
    }
    result = cases.save_case(None, values)
    # AIR-99-2 is also in a 行政处罚法 §29 group (over-limit discharge): that is warned of too.
    assert [p.field for p in result.warnings] == ["proposed_fine", "violation_type_id"]
    assert '"warnings":["proposed_fine","violation_type_id"]' in cases.case_trail(result.case)[0].summary


def test_a_case_moves_through_its_stages_with_dates_and_an_audit_record_each(world):
    case = _case(world)
    officer = db.session.get(User, world["officer"])
    cases.change_status(officer, case, "investigating", date(2026, 3, 5))
    cases.change_status(officer, case, "notified", date(2026, 4, 1), comment="告知书已送达")
    cases.change_status(officer, case, "decided", date(2026, 4, 20), final_fine=12_000_000)
    cases.change_status(officer, case, "paid", date(2026, 5, 1))
    cases.change_status(officer, case, "closed", date(2026, 5, 10))
    db.session.expire_all()
    case = db.session.get(PenaltyCase, case.id)
    assert (case.status, case.notified_on, case.decided_on, case.paid_on, case.closed_on, case.final_fine) == (
        "closed",
        date(2026, 4, 1),
        date(2026, 4, 20),
        date(2026, 5, 1),
        date(2026, 5, 10),
        12_000_000,
    )
    trail = cases.case_trail(case)
    assert [r.action for r in trail] == ["penalty_case.create"] + ["penalty_case.status"] * 5
    assert all(r.actor == "officer" for r in trail[1:]) and "告知书已送达" in trail[2].summary


@pytest.mark.parametrize(
    ("to", "on", "final", "field"),
    [
        ("decided", date(2026, 4, 1), 12_000_000, "to"),  # 立案 cannot jump to 决定
        ("investigating", date(2026, 3, 1), None, "on"),  # before it was filed
        ("investigating", date(2099, 1, 1), None, "on"),  # in the future
    ],
)
def test_a_refused_move_changes_nothing(world, to, on, final, field):
    case = _case(world)
    audits = _count(AuditRecord)
    with pytest.raises(InputError) as err:
        cases.change_status(None, case, to, on, final_fine=final)
    assert [p.field for p in err.value.problems] == [field]
    db.session.expire_all()
    assert db.session.get(PenaltyCase, case.id).status == "filed" and _count(AuditRecord) == audits


def test_not_penalised_and_transferred_end_before_the_decision(world):
    one = _case(world, number="A-1")
    two = _case(world, number="A-2")
    cases.change_status(None, one, "not_penalised", date(2026, 3, 20))
    cases.change_status(None, two, "transferred", date(2026, 3, 20))
    db.session.expire_all()
    assert db.session.get(PenaltyCase, one.id).decided_on == date(2026, 3, 20)
    with pytest.raises(InputError):
        cases.change_status(None, db.session.get(PenaltyCase, two.id), "decided", date(2026, 3, 21), final_fine=1)


def test_prior_cases_lists_the_enterprise_history_before_a_date(world):
    _case(world, number="A-1", opened_on=date(2024, 11, 25))
    _case(world, number="A-2", code="WATER-83-2", opened_on=date(2026, 1, 10))
    _case(world, number="A-3", opened_on=date(2026, 3, 2))
    _case(world, tenant="b", number="B-1", opened_on=date(2025, 6, 1))
    before = cases.prior_cases(world["org_a"], date(2026, 3, 2))
    assert before == [("AIR-99-2", date(2024, 11, 25), "filed"), ("WATER-83-2", date(2026, 1, 10), "filed")]
    assert before[0].violation_code == "AIR-99-2"
    assert cases.prior_cases(world["org_a"], date(2024, 11, 25)) == []  # strictly before
    assert cases.prior_cases(world["org_b"], date(2026, 3, 2)) == [("AIR-99-2", date(2025, 6, 1), "filed")]


def test_lists_are_scoped_to_the_tenant(world):
    _case(world, number="A-1")
    _case(world, tenant="b", number="B-1")
    numbers = lambda user: [  # noqa: E731
        c.case_number for c in db.session.execute(cases.list_cases(user)).unique().scalars()
    ]
    assert sorted(numbers(db.session.get(User, world["officer"]))) == ["A-1", "B-1"]
    assert numbers(db.session.get(User, world["contact_a"])) == ["A-1"]
    assert numbers(db.session.get(User, world["staff_a"])) == []
    assert numbers(db.session.get(User, world["learner"])) == []
    officer = db.session.get(User, world["officer"])
    only_b = db.session.execute(cases.list_cases(officer, enterprise_id=world["org_b"])).unique().scalars().all()
    assert [c.case_number for c in only_b] == ["B-1"]
    assert [c.case_number for c in db.session.execute(cases.list_cases(officer, q="乙企")).unique().scalars()] == [
        "B-1"
    ]


# --- the case register import ----------------------------------------------------------------------------


def test_cli_import_adds_then_changes_nothing_the_second_time(runner, world, tmp_path):
    path = _csv(tmp_path, *ROWS)
    result = runner.invoke(cases_group, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "cases: added 2, updated 0, unchanged 0" in result.output
    case = db.session.execute(select(PenaltyCase).where(PenaltyCase.case_number == "示环罚〔2026〕1号")).scalar_one()
    assert (case.status, case.harm_level, case.corrected, case.proposed_fine) == (
        "investigating",
        "minor",
        True,
        15_000_050,
    )
    audits = _count(AuditRecord)
    again = runner.invoke(cases_group, ["import", str(path)])
    assert again.exit_code == 0 and "cases: added 0, updated 0, unchanged 2" in again.output
    assert _count(AuditRecord) == audits

    changed = _csv(tmp_path, ROWS[0].replace("150000.50", "160000"), ROWS[1], name="changed.csv")
    third = runner.invoke(cases_group, ["import", str(changed)])
    assert "cases: added 0, updated 1, unchanged 1" in third.output
    db.session.expire_all()
    assert db.session.get(PenaltyCase, case.id).proposed_fine == 16_000_000


def test_cli_import_dry_run_writes_nothing(runner, world, tmp_path):
    result = runner.invoke(cases_group, ["import", "--dry-run", str(_csv(tmp_path, *ROWS))])
    assert result.exit_code == 0 and "would add: 示环罚〔2026〕1号" in result.output and "dry run" in result.output
    assert _count(PenaltyCase) == 0


@pytest.mark.parametrize(
    ("row", "where"),
    [
        ("示环罚〔2026〕3号,丙企业,AIR-99-2,2026-03-02,立案,轻微,是,150000,", "row 3 [企业名称或统一社会信用代码]"),
        ("示环罚〔2026〕3号,甲企业,AIR-999-1,2026-03-02,立案,轻微,是,150000,", "row 3 [违法类型编码]"),
        ("示环罚〔2026〕3号,甲企业,AIR-99-2,2026-13-02,立案,轻微,是,150000,", "row 3 [立案日期]"),
        ("示环罚〔2026〕3号,甲企业,AIR-99-2,2026-03-02,审理,轻微,是,150000,", "row 3 [状态]"),
        ("示环罚〔2026〕3号,甲企业,AIR-99-2,2026-03-02,立案,轻微,是,150000.123,", "row 3 [拟罚款金额（元）]"),
        ("示环罚〔2026〕3号,甲企业,AIR-99-2,2026-03-02,立案,轻微,是,1000001,", "row 3 [拟罚款金额（元）]"),
        ("示环罚〔2026〕3号,甲企业,AIR-99-2,2026-03-02,告知,轻微,是,150000,", "row 3 [告知日期]"),
        ("示环罚〔2026〕1号,甲企业,AIR-99-2,2026-03-02,立案,轻微,是,150000,", "row 3 [案件编号]"),
    ],
)
def test_cli_import_errors_name_row_and_column_and_write_nothing(runner, world, tmp_path, row, where):
    result = runner.invoke(cases_group, ["import", str(_csv(tmp_path, ROWS[0], row))])
    assert result.exit_code == 1
    assert where in result.output, result.output
    assert _count(PenaltyCase) == 0


def test_cli_import_names_a_missing_column(runner, world, tmp_path):
    header = HEADER.replace("违法类型编码", "违法行为")
    result = runner.invoke(cases_group, ["import", str(_csv(tmp_path, *ROWS, header=header))])
    assert result.exit_code == 1 and "row 1 [违法类型编码]" in result.output


def test_cli_import_reads_the_xlsx_template_and_credit_codes(runner, world, tmp_path):
    data = case_register.template_bytes("xlsx")
    sheet_book = load_workbook(BytesIO(data))
    headers = [c.value for c in sheet_book.active[1]]
    assert headers[:3] == ["案件编号", "企业名称或统一社会信用代码", "违法类型编码"]
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    uscc = db.session.get(Organisation, world["org_b"]).uscc
    values = {"案件编号": "示环罚〔2026〕7号", "企业名称或统一社会信用代码": uscc, "违法类型编码": "noise-75",
              "立案日期": date(2026, 5, 6), "拟罚款金额（元）": 20000.5, "是否已改正": "否"}  # fmt: skip
    sheet.append([values.get(h) for h in headers])
    path = tmp_path / "cases.xlsx"
    book.save(path)
    result = runner.invoke(cases_group, ["import", str(path)])
    assert result.exit_code == 0, result.output
    case = db.session.execute(select(PenaltyCase)).unique().scalar_one()
    assert (case.enterprise_id, case.violation_type.code, case.opened_on, case.proposed_fine) == (
        world["org_b"],
        "NOISE-75",
        date(2026, 5, 6),
        2_000_050,
    )


def test_cli_import_warns_below_the_minimum_but_imports(runner, world, tmp_path):
    row = "示环罚〔2026〕5号,甲企业,AIR-99-2,2026-03-02,立案,轻微,是,50000,"
    result = runner.invoke(cases_group, ["import", str(_csv(tmp_path, row))])
    assert result.exit_code == 0 and "warning: cases.csv row 2 [拟罚款金额（元）]" in result.output
    assert _count(PenaltyCase) == 1


# --- pages -------------------------------------------------------------------------------------------------


def test_learners_and_enterprise_users_are_refused_the_officer_pages(client, auth, world):
    case = _case(world)
    for username in ("learner", "contact-a", "editor"):
        auth.login(username)
        for url in ("/cases/", "/cases/new", "/cases/import", "/cases/violations", "/cases/template.xlsx",
                    f"/cases/{case.id}/edit"):  # fmt: skip
            assert client.get(url).status_code == 403, (username, url)
        assert auth.post(f"/cases/{case.id}/status", {"to": "investigating", "on": "2026-03-05"}).status_code == 403
        auth.logout()
    auth.login("learner")
    assert client.get(f"/cases/{case.id}").status_code == 404


def test_an_enterprise_contact_sees_its_own_case_only(client, auth, world):
    own = _case(world, number="A-1")
    other = _case(world, tenant="b", number="B-1")
    auth.login("contact-a")
    page = client.get(f"/cases/{own.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "A-1" in text and f"/cases/{own.id}/edit" not in text and "penalty_case.create" not in text
    assert client.get(f"/cases/{other.id}").status_code == 404
    auth.logout()
    auth.login("staff-a")
    assert client.get(f"/cases/{own.id}").status_code == 404


def test_the_officer_lists_and_filters_cases(client, auth, world):
    _case(world, number="示环罚〔2026〕1号")
    _case(world, tenant="b", number="示环罚〔2026〕2号", code="WATER-83-2")
    auth.login("officer")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/cases/"' in home
    text = client.get("/cases/").get_data(as_text=True)
    assert "示环罚〔2026〕1号" in text and "示环罚〔2026〕2号" in text
    text = client.get("/cases/?q=乙企业").get_data(as_text=True)
    assert "示环罚〔2026〕2号" in text and "示环罚〔2026〕1号" not in text
    text = client.get("/cases/?q=1号").get_data(as_text=True)
    assert "示环罚〔2026〕1号" in text and "示环罚〔2026〕2号" not in text
    water = cases.violation_by_code("WATER-83-2").id
    text = client.get(f"/cases/?violation_type_id={water}").get_data(as_text=True)
    assert "示环罚〔2026〕2号" in text and "示环罚〔2026〕1号" not in text
    text = client.get(f"/cases/?enterprise_id={world['org_a']}&status=filed").get_data(as_text=True)
    assert "示环罚〔2026〕1号" in text and "示环罚〔2026〕2号" not in text
    text = client.get("/cases/?status=paid").get_data(as_text=True)
    assert "示环罚〔2026〕1号" not in text


def _form(**values):
    base = {"case_number": "示环罚〔2026〕8号", "enterprise": "甲企业", "violation_type_id": "",
            "description": "现场检查发现超标排放", "harm_level": "minor", "corrected": "y", "discovered_on": "2026-02-27",
            "opened_on": "2026-03-02", "proposed_fine": "150,000.00", "officer_id": "0"}  # fmt: skip
    base.update(values)
    return base


def test_the_officer_registers_a_case_through_the_form(client, auth, world):
    auth.login("officer")
    vt = str(cases.violation_by_code("AIR-99-2").id)
    response = auth.post(
        "/cases/new", _form(violation_type_id=vt, officer_id=str(world["officer"])), form_page="/cases/new"
    )
    assert response.status_code == 302
    case = db.session.execute(select(PenaltyCase)).unique().scalar_one()
    assert (case.case_number, case.enterprise_id, case.proposed_fine, case.corrected, case.officer_id) == (
        "示环罚〔2026〕8号",
        world["org_a"],
        15_000_000,
        True,
        world["officer"],
    )
    assert response.headers["Location"] == f"/cases/{case.id}"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"enterprise": "丙企业"}, "丙企业"),  # no such enterprise: named in the message
        ({"proposed_fine": "12.345"}, "12.345"),
        ({"proposed_fine": "1000000.01"}, "1,000,000"),  # above the statutory maximum of AIR-99-2
        ({"opened_on": "2026-02-01"}, "2026-02-27"),  # before it was discovered
    ],
)
def test_form_errors_name_the_field_and_save_nothing(client, auth, world, values, expected):
    auth.login("officer")
    vt = str(cases.violation_by_code("AIR-99-2").id)
    response = auth.post("/cases/new", _form(violation_type_id=vt, **values), form_page="/cases/new")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "invalid-feedback" in text and expected in text
    assert _count(PenaltyCase) == 0


def test_the_case_page_links_the_article_and_moves_the_case(client, auth, world, tmp_path):
    (tmp_path / "laws").mkdir()
    (tmp_path / "laws" / "air-pollution-law.md").write_text(AIR_LAW, encoding="utf-8")
    laws.import_dir(tmp_path / "laws")
    case = _case(world)
    auth.login("officer")
    text = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'href="/laws/air-pollution-law/%E7%AC%AC%E4%B9%9D%E5%8D%81%E4%B9%9D%E6%9D%A1"' in text
    assert "《中华人民共和国大气污染防治法》第九十九条第（二）项" in text
    assert 'value="investigating"' in text and 'value="decided"' not in text  # only the allowed moves
    assert "系统 登记立案" in text and "penalty_case.create" not in text  # the history, as a sentence

    response = auth.post(f"/cases/{case.id}/status", {"to": "decided", "on": "2026-03-05", "final_fine": ""},
                         form_page=f"/cases/{case.id}")  # fmt: skip
    assert response.status_code == 400
    response = auth.post(f"/cases/{case.id}/status", {"to": "investigating", "on": "2026-03-01", "final_fine": ""},
                         form_page=f"/cases/{case.id}")  # fmt: skip
    assert response.status_code == 400 and "2026-03-02" in response.get_data(as_text=True)
    response = auth.post(f"/cases/{case.id}/status", {"to": "investigating", "on": "2026-03-05", "final_fine": ""},
                         form_page=f"/cases/{case.id}")  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(PenaltyCase, case.id).status == "investigating"
    text = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "王承办 于 2026-03-05 将案件由“已立案”转为“调查中”" in text and 'value="notified"' in text


def test_the_officer_edits_a_case(client, auth, world):
    case = _case(world)
    auth.login("officer")
    page = client.get(f"/cases/{case.id}/edit").get_data(as_text=True)
    assert 'value="150000"' in page and 'value="甲企业"' in page
    vt = str(case.violation_type_id)
    response = auth.post(f"/cases/{case.id}/edit", _form(case_number=case.case_number, violation_type_id=vt,
                                                          proposed_fine="180000"), form_page=f"/cases/{case.id}/edit")  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(PenaltyCase, case.id).proposed_fine == 18_000_000
    assert [r.action for r in cases.case_trail(case)] == ["penalty_case.create", "penalty_case.update"]


def test_the_catalogue_page_and_the_template(client, auth, world):
    auth.login("officer")
    text = client.get("/cases/violations").get_data(as_text=True)
    assert "AIR-99-1" in text and "并处十万元以上一百万元以下的罚款" in text
    response = client.get("/cases/template.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert "案件编号" in client.get("/cases/template.csv").data.decode("utf-8-sig")


def test_the_import_page_previews_then_imports(client, auth, world):
    auth.login("officer")
    data = ("\n".join([HEADER, *ROWS]) + "\n").encode("utf-8")
    response = auth.post("/cases/import", {"file": (BytesIO(data), "cases.csv")}, form_page="/cases/import",
                         content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "示环罚〔2026〕1号" in text and _count(PenaltyCase) == 0
    token = text.split("/cases/import/")[1].split('"')[0]
    response = auth.post(f"/cases/import/{token}", {}, form_page="/cases/import")
    assert response.status_code == 200 and _count(PenaltyCase) == 2


def test_the_import_page_names_row_and_column(client, auth, world):
    auth.login("officer")
    data = ("\n".join([HEADER, ROWS[0], ROWS[1].replace("乙企业", "丙企业")]) + "\n").encode("utf-8")
    response = auth.post("/cases/import", {"file": (BytesIO(data), "cases.csv")}, form_page="/cases/import",
                         content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "3" in text and "企业名称或统一社会信用代码" in text and "丙企业" in text
    assert _count(PenaltyCase) == 0


# --- the correction deadline (责令改正期限) ------------------------------------------------------------------


def _deadline_input(text: str) -> str:
    """The <input> tag of the form's correction deadline."""
    before, after = text.split('id="correction_due_on"', 1)
    return "<input" + before.rsplit("<input", 1)[1] + 'id="correction_due_on"' + after.split(">", 1)[0] + ">"


def test_the_form_saves_a_correction_deadline_and_audits_it(client, auth, world):
    auth.login("officer")
    vt = str(cases.violation_by_code("AIR-99-2").id)
    assert 'id="correction_due_on"' in client.get("/cases/new").get_data(as_text=True)
    response = auth.post("/cases/new", _form(violation_type_id=vt, correction_due_on="2026-04-15"),
                         form_page="/cases/new")  # fmt: skip
    assert response.status_code == 302
    case = db.session.execute(select(PenaltyCase)).unique().scalar_one()
    assert case.correction_due_on == date(2026, 4, 15)
    page = client.get(f"/cases/{case.id}/edit").get_data(as_text=True)
    assert 'value="2026-04-15"' in _deadline_input(page)

    response = auth.post(f"/cases/{case.id}/edit", _form(case_number=case.case_number, violation_type_id=vt,
                                                          correction_due_on="2026-05-01"),
                         form_page=f"/cases/{case.id}/edit")  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(PenaltyCase, case.id).correction_due_on == date(2026, 5, 1)
    update = cases.case_trail(case)[-1]
    assert update.action == "penalty_case.update"
    assert '"correction_due_on":["2026-04-15","2026-05-01"]' in update.summary


def test_a_correction_deadline_may_be_set_at_any_stage(world):
    case = _case(world)
    cases.change_status(None, case, "not_penalised", date(2026, 3, 20))
    cases.change_status(None, case, "closed", date(2026, 3, 25))
    db.session.expire_all()
    case = db.session.get(PenaltyCase, case.id)
    cases.save_case(None, {"correction_due_on": date(2027, 1, 31)}, case)  # in the future: it is a deadline
    db.session.expire_all()
    assert db.session.get(PenaltyCase, case.id).correction_due_on == date(2027, 1, 31)


def test_a_deadline_before_the_filing_date_is_refused_naming_the_field(client, auth, world):
    auth.login("officer")
    vt = str(cases.violation_by_code("AIR-99-2").id)
    response = auth.post("/cases/new", _form(violation_type_id=vt, correction_due_on="2026-03-01"),
                         form_page="/cases/new")  # fmt: skip
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "is-invalid" in _deadline_input(text)
    feedback = text.split('id="correction_due_on"', 1)[1].split("form-text", 1)[0]
    assert "invalid-feedback" in feedback and "2026-03-02" in feedback  # names the filing date
    assert _count(PenaltyCase) == 0

    case = _case(world, correction_due_on=date(2026, 4, 15))
    audits = _count(AuditRecord)
    response = auth.post(f"/cases/{case.id}/edit", _form(case_number=case.case_number, violation_type_id=vt,
                                                          proposed_fine="180000", correction_due_on="2026-02-01"),
                         form_page=f"/cases/{case.id}/edit")  # fmt: skip
    assert response.status_code == 400 and "is-invalid" in _deadline_input(response.get_data(as_text=True))
    db.session.expire_all()
    unchanged = db.session.get(PenaltyCase, case.id)
    assert (unchanged.correction_due_on, unchanged.proposed_fine) == (date(2026, 4, 15), 15_000_000)
    assert _count(AuditRecord) == audits

    with pytest.raises(InputError) as err:
        cases.save_case(None, {"correction_due_on": date(2026, 3, 1)}, unchanged)
    assert [(p.field, p.params) for p in err.value.problems] == [("correction_due_on", {"date": "2026-03-02"})]


def test_the_case_page_shows_the_deadline_and_marks_it_when_past_and_not_corrected(client, auth, world, monkeypatch):
    case = _case(world, correction_due_on=date(2026, 3, 20))
    auth.login("officer")
    monkeypatch.setattr(cases, "local_today", lambda: date(2026, 3, 20))
    text = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "2026-03-20" in text and "correction-overdue" not in text  # the day itself is still in time
    monkeypatch.setattr(cases, "local_today", lambda: date(2026, 3, 21))
    assert "correction-overdue" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    auth.logout()
    auth.login("contact-a")  # the enterprise sees its deadline too
    text = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "2026-03-20" in text and "correction-overdue" in text
    cases.save_case(None, {"corrected": True}, db.session.get(PenaltyCase, case.id))
    assert "correction-overdue" not in client.get(f"/cases/{case.id}").get_data(as_text=True)


DEADLINE_HEADER = HEADER + ",改正期限"


def test_cli_import_reads_the_correction_deadline(runner, world, tmp_path):
    rows = [ROWS[0] + ",2026-04-30", ROWS[1] + ","]
    result = runner.invoke(cases_group, ["import", str(_csv(tmp_path, *rows, header=DEADLINE_HEADER))])
    assert result.exit_code == 0, result.output
    by_number = {c.case_number: c for c in db.session.execute(select(PenaltyCase)).unique().scalars()}
    assert by_number["示环罚〔2026〕1号"].correction_due_on == date(2026, 4, 30)
    assert by_number["示环罚〔2026〕2号"].correction_due_on is None

    # The English header is accepted; a file without the column keeps the deadline; an empty cell clears it.
    english = _csv(tmp_path, ROWS[0] + ",2026年5月6日", name="en.csv", header=HEADER + ",correction_due_on")
    assert "updated 1, unchanged 0" in runner.invoke(cases_group, ["import", str(english)]).output
    without = runner.invoke(cases_group, ["import", str(_csv(tmp_path, ROWS[0], name="without.csv"))])
    assert "cases: added 0, updated 0, unchanged 1" in without.output
    db.session.expire_all()
    case = db.session.get(PenaltyCase, by_number["示环罚〔2026〕1号"].id)
    assert case.correction_due_on == date(2026, 5, 6)
    cleared = _csv(tmp_path, ROWS[0] + ",", name="cleared.csv", header=DEADLINE_HEADER)
    assert "updated 1," in runner.invoke(cases_group, ["import", str(cleared)]).output
    db.session.expire_all()
    assert db.session.get(PenaltyCase, case.id).correction_due_on is None


@pytest.mark.parametrize(
    ("deadline", "where"),
    [("2026-04-31", "row 3 [改正期限]"), ("下周", "row 3 [改正期限]"), ("2026-03-01", "row 3 [改正期限]")],
)
def test_cli_import_names_row_and_column_of_a_bad_deadline_and_writes_nothing(runner, world, tmp_path, deadline,
                                                                              where):  # fmt: skip
    path = _csv(tmp_path, ROWS[0] + ",2026-04-30", ROWS[1].replace("2026/4/1", "2026-03-02") + f",{deadline}",
                header=DEADLINE_HEADER)  # fmt: skip
    result = runner.invoke(cases_group, ["import", str(path)])
    assert result.exit_code == 1
    assert where in result.output, result.output
    assert _count(PenaltyCase) == 0


def test_the_import_page_and_the_templates_carry_the_deadline_column(client, auth, world):
    auth.login("officer")
    headers = [c.value for c in load_workbook(BytesIO(client.get("/cases/template.xlsx").data)).active[1]]
    assert "改正期限" in headers
    assert "改正期限" in client.get("/cases/template.csv").data.decode("utf-8-sig").splitlines()[0]
    data = ("\n".join([DEADLINE_HEADER, ROWS[0] + ",2026-04-30", ROWS[1] + ",2026-13-01"]) + "\n").encode("utf-8")
    response = auth.post("/cases/import", {"file": (BytesIO(data), "cases.csv")}, form_page="/cases/import",
                         content_type="multipart/form-data")  # fmt: skip
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "改正期限" in text and "2026-13-01" in text and _count(PenaltyCase) == 0
