"""Offsets a legal reviewer would sign (issue 14, items 1, 2, 6, 11): the application follows the case
as it stands (行政处罚法 §45), a rule set cannot create 减轻 (§32) and needs a 集体讨论 when a law allows
it (§57 ¶2), the bureau's delay never voids the application, previews that cannot mislead."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from eduapp.domain import offsets as rules
from eduapp.domain.problems import InputError
from eduapp.extensions import db
from eduapp.models import AuditRecord, OffsetApplication, OffsetDecision, PenaltyCase, RuleSet
from eduapp.services import audit, case_register, cases, ledger_verify, offset_steps, offsets, points, rule_sets
from eduapp.services.offsets import OffsetError
from tests.conftest import PASSWORD
from tests.test_offsets import _rule, world  # noqa: F401 (the fixture)

BASIS = "《某某省生态环境保护条例》第三十条"


@pytest.fixture(autouse=True)
def _notified(world):  # noqa: F811
    """The world's cases are at 告知 (notified): they record the day, as the case rules require."""
    for case in world["cases"]:
        case.notified_on = case.opened_on + timedelta(days=1)
    db.session.commit()


def _token(client, username):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json['token']}"}


def _fine(case_id):
    return db.session.execute(select(PenaltyCase.proposed_fine).where(PenaltyCase.id == case_id)).scalar()


def test_art45_the_officer_lowers_the_fine_after_applying_and_approval_keeps_the_lower_fine(client, world):  # noqa: F811
    """End to end through the API (also run in the PostgreSQL pass)."""
    case_id = world["cases"][0].id
    contact = _token(client, "contact-a")
    created = client.post("/api/v1/offset-applications", json={"case_id": case_id, "undertaking": True},
                          headers=contact)
    assert created.status_code == 201 and created.json["points"] == 30_000
    assert created.json["fine_after"] == 17_000_000
    officer = _token(client, "officer")
    # after 陈述、申辩 the officer lowers the proposed fine from ¥200,000 to ¥120,000
    lowered = client.patch(f"/api/v1/cases/{case_id}", json={"proposed_fine": 12_000_000}, headers=officer)
    assert lowered.status_code == 200, lowered.json
    application = client.get(f"/api/v1/offset-applications/{created.json['id']}", headers=officer).json
    assert len(application["reevaluations"]) == 1
    assert application["reevaluations"][0]["changes"] == {"proposed_fine": [20_000_000, 12_000_000]}
    # now the floor binds: ¥120,000 - ¥100,000 statutory minimum = ¥20,000, i.e. 20,000 points
    assert (application["fine_before"], application["offset_fen"], application["fine_after"]) == (
        12_000_000, 2_000_000, 10_000_000)
    for who in ("officer", "reviewer", "approver"):
        decided = client.post(f"/api/v1/offset-applications/{created.json['id']}/decisions",
                              json={"decision": "approve", "comment": "同意"}, headers=_token(client, who))
        assert decided.status_code == 200, decided.json
    assert decided.json["status"] == "approved"
    assert _fine(case_id) == 10_000_000  # never back up to ¥170,000 (the amount computed at applying)
    assert all(d["evaluation"]["fine_before"] == 12_000_000 for d in decided.json["decisions"])
    pool = points.balance(points.pool_account(world["org"]))
    assert (pool.available, pool.reserved) == (10_000, 0)  # 20,000 spent, the 10,000 not needed returned
    assert ledger_verify.verify() == []
    assert audit.verify()[1] is None


def test_a_fact_change_that_makes_the_case_ineligible_blocks_approval_but_not_rejection(world):  # noqa: F811
    case = world["cases"][0]
    application = offsets.apply(world["contact"], case)
    cases.save_case(world["officer"], {"harm_level": "serious"}, case)  # the case form path
    db.session.refresh(application)
    assert application.reevaluations[-1]["evaluation"]["eligible"] is False
    assert application.offset_fen == 0
    trail = db.session.execute(select(AuditRecord).where(AuditRecord.action == "offset.reevaluate")).scalars().all()
    assert len(trail) == 1
    with pytest.raises(OffsetError) as error:
        offsets.decide(world["officer"], application, "approve", "同意")
    assert error.value.code == "ineligible" and "危害后果" in error.value.params["reasons"]
    assert application.status == "pending_officer"
    offsets.decide(world["officer"], application, "reject", "危害后果严重，不符合条件")
    assert application.status == "rejected"
    decision = db.session.execute(select(OffsetDecision)).scalar_one()
    assert decision.evaluation["eligible"] is False  # the evaluation the step decided on, stored with it


def test_the_register_import_re_evaluates_a_pending_application(world):  # noqa: F811
    from eduapp.domain.case_register import CaseRecord

    case = world["cases"][0]
    application = offsets.apply(world["contact"], case)
    record = CaseRecord(row=2, case_number=case.case_number, enterprise=world["org"].name,
                        violation_code="AIR-99-1", opened_on=case.opened_on, proposed_fine=15_000_000,
                        harm_level="minor", status="notified", corrected=True, description="",
                        notified_on=case.opened_on + timedelta(days=1))
    summary = case_register.import_cases(None, [record])
    assert summary.updated == [case.case_number]
    db.session.refresh(application)
    assert application.reevaluations[-1]["source"] == "import"
    assert application.fine_after == 12_000_000  # ¥150,000 - 20 % = ¥120,000
    decided = replace(record, status="decided", decided_on=case.opened_on + timedelta(days=10), final_fine=15_000_000)
    case_register.import_cases(None, [decided], today=case.opened_on + timedelta(days=20))  # the register says the case was decided
    db.session.refresh(application)
    assert application.status == "case_closed" and "行政处罚决定" in application.end_reason
    assert points.balance(points.pool_account(world["org"])).reserved == 0


def test_a_case_decided_without_the_application_ends_it_and_releases_the_points(world):  # noqa: F811
    case = world["cases"][0]
    application = offsets.apply(world["contact"], case)
    cases.change_status(world["officer"], case, "decided", case.opened_on + timedelta(days=10),
                        final_fine=20_000_000, today=case.opened_on + timedelta(days=20))
    db.session.refresh(application)
    assert application.status == "case_closed" and "行政处罚决定" in application.end_reason
    assert points.balance(points.pool_account(world["org"])).available == 30_000
    assert db.session.execute(select(AuditRecord).where(AuditRecord.action == "offset.case_closed")).scalar_one()


def test_art32_a_rule_set_needs_a_named_provision_to_go_below_the_minimum_and_cap_is_bounded(world):  # noqa: F811
    with pytest.raises(InputError) as error:
        rule_sets.save(None, None, _rule(maths=rules.Maths(cap_percent=60, allow_below_minimum=True,
                                                           below_minimum_basis="本局学法积分办法")))
    assert {p.field for p in error.value.problems} == {"cap_percent", "below_minimum_basis", "below_minimum_level"}
    saved = rule_sets.save(None, None, _rule(maths=rules.Maths(
        cap_percent=50, allow_below_minimum=True, below_minimum_basis=BASIS, below_minimum_level="local_regulation")))
    assert rule_sets.to_domain(saved).maths.allow_below_minimum is True


def test_the_rule_set_api_refuses_a_cap_above_50_naming_the_field(client, world):  # noqa: F811
    body = {"name": "规则", "doc_number": "示环规〔2026〕9号", "authority": "示范市生态环境局",
            "effective_from": "2026-01-01", "eligible_codes": ["AIR-99-1"], "maths": {"cap_percent": 80}}
    response = client.post("/api/v1/rule-sets", json=body, headers=_token(client, "reviewer"))
    assert response.status_code == 422 and "cap_percent" in str(response.json["error"]["fields"])
    body["maths"] = {"allow_below_minimum": True}
    response = client.post("/api/v1/rule-sets", json=body, headers=_token(client, "reviewer"))
    assert response.status_code == 422
    assert {"maths.below_minimum_basis", "maths.below_minimum_level"} <= set(response.json["error"]["fields"])


def test_art57_para2_below_the_minimum_needs_a_recorded_collective_discussion(client, world):  # noqa: F811
    first = db.session.execute(select(RuleSet)).scalar_one()
    rule_sets.save(None, first, _rule(effective_from=date(2026, 1, 1), maths=rules.Maths(
        cap_percent=50, allow_below_minimum=True, below_minimum_basis=BASIS, below_minimum_level="local_regulation")))
    case = world["cases"][0]
    case.proposed_fine = 11_000_000  # just above the ¥100,000 minimum
    db.session.commit()
    application = offsets.apply(world["contact"], case)
    assert application.fine_after == 8_000_000  # 30,000 points: below the statutory minimum (减轻)
    offsets.decide(world["officer"], application, "approve", "同意")
    offsets.decide(world["reviewer"], application, "approve", "同意")
    with pytest.raises(OffsetError) as error:
        offsets.decide(world["approver"], application, "approve", "同意")
    assert error.value.code == "collective_discussion_required" and "集体讨论" in error.value.params["reason"]
    url = f"/api/v1/offset-applications/{application.id}/collective-discussion"
    approver = _token(client, "approver")
    bad = client.post(url, json={"held_on": "2026-12-01", "participants": " ", "conclusion": "同意"}, headers=approver)
    assert bad.status_code == 422 and "participants" in bad.json["error"]["fields"]
    today = offsets.today_local().isoformat()
    ok = client.post(url, json={"held_on": today, "participants": "局长甲、副局长乙、副局长丙",
                                "conclusion": "同意依法减轻处罚"}, headers=approver)
    assert ok.status_code == 201 and ok.json["collective_discussion"]["conclusion"] == "同意依法减轻处罚"
    again = client.post(url, json={"held_on": today, "participants": "甲", "conclusion": "乙"}, headers=approver)
    assert again.status_code == 409
    db.session.expire_all()
    application = db.session.get(OffsetApplication, application.id)
    offsets.decide(world["approver"], application, "approve", "同意")
    assert application.status == "approved" and _fine(case.id) == 8_000_000


def test_an_ineligible_preview_shows_no_offset_and_no_reduced_fine(client, auth, world):  # noqa: F811
    case = world["cases"][1]  # the second AIR-99-1 case: not a first violation
    preview = client.get(f"/api/v1/cases/{case.id}/offset-preview", headers=_token(client, "contact-a")).json
    assert preview["eligible"] is False
    assert (preview["max_offset"], preview["points"], preview["fine_after"]) == (None, None, None)
    auth.login("contact-a")
    page = client.get(f"/offsets/cases/{case.id}").get_data(as_text=True)
    assert "text-bg-success" not in page and "alert-success" not in page and "not-eligible" in page
    assert "/apply" not in page


def test_the_migration_clears_an_unfounded_flag_with_chained_audit_records(world):  # noqa: F811
    from eduapp.services.rule_set_legality import ACTION, clear_unfounded_reductions

    row = db.session.execute(select(RuleSet)).scalar_one()
    row.maths = {**row.maths, "allow_below_minimum": True, "cap_percent": 100}  # as saved before the limits
    founded = RuleSet(code="RS-900", version=1, name="有依据", doc_number="x", authority="x",
                      effective_from=date(2026, 1, 1), status="draft", legal_basis=[], eligible_codes=["AIR-99-1"],
                      excluded_codes=[], conditions={}, procedure={}, maths={
                          "allow_below_minimum": True, "below_minimum_basis": BASIS,
                          "below_minimum_level": "local_regulation"})
    db.session.add(founded)
    db.session.commit()
    assert rule_sets.to_domain(row).maths.allow_below_minimum is False  # never applied, even before the migration
    assert rule_sets.to_domain(row).maths.cap_percent == 50
    cleared = clear_unfounded_reductions(db.session.connection())
    db.session.commit()
    assert cleared == [row.id]
    db.session.expire_all()
    assert db.session.get(RuleSet, row.id).maths["allow_below_minimum"] is False
    assert db.session.get(RuleSet, founded.id).maths["allow_below_minimum"] is True
    record = db.session.execute(select(AuditRecord).where(AuditRecord.action == ACTION)).scalar_one()
    assert record.object_id == str(row.id) and "第三十二条" in record.summary
    assert audit.verify()[1] is None  # the chain stays whole
    assert clear_unfounded_reductions(db.session.connection()) == []  # a second run changes nothing
    audit.record("after", actor=None)  # and the application chains onto the migration's record
    db.session.commit()
    assert audit.verify()[1] is None


def test_the_application_page_shows_the_case_as_it_stands_and_records_the_discussion(client, auth, world):  # noqa: F811
    first = db.session.execute(select(RuleSet)).scalar_one()
    rule_sets.save(None, first, _rule(maths=rules.Maths(
        cap_percent=50, allow_below_minimum=True, below_minimum_basis=BASIS, below_minimum_level="law")))
    case = world["cases"][0]
    application = offsets.apply(world["contact"], case)
    cases.save_case(world["officer"], {"corrected": False}, case)
    auth.login("reviewer")
    url = f"/offsets/applications/{application.id}"
    page = client.get(url).get_data(as_text=True)
    assert "not-eligible" in page and "reevaluations" in page and "集体讨论" in page
    bad = auth.post(f"{url}/discussion", {"held_on": "", "participants": "", "conclusion": ""}, form_page=url)
    assert bad.status_code == 400 and offset_steps.discussion_of(application) is None
    ok = auth.post(f"{url}/discussion", {"held_on": offsets.today_local().isoformat(), "participants": "局长甲、副局长乙",
                                         "conclusion": "同意"}, form_page=url)
    assert ok.status_code == 302
    assert offset_steps.discussion_of(application).participants == "局长甲、副局长乙"
    assert "局长甲、副局长乙" in client.get(url).get_data(as_text=True)
