"""A case's decision deadline (行政处罚法 §60) and its service date (§61, §67) through the services:
extensions (approved by a head, audited, bad input named by field), review-step deadlines capped at
the case's deadline, the case_deadline reminder at 15 and 5 days exactly once, fine-due reminders
counted from the service date, and the service date through the status move."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from eduapp.domain import reminders as reminder_rules
from eduapp.domain.points import end_of_day
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import AuditRecord, CaseDeadlineExtension, PenaltyCase, Reminder, ViolationType
from eduapp.services import case_deadlines, cases, reminder_sending, reminders
from tests import factories

OPENED = date(2026, 9, 1)
DEADLINE = date(2026, 11, 30)  # 2026-09-01 + 90 days
TODAY = date(2026, 11, 1)

# The cases here carry dates of autumn 2026, which the forms refuse as later than today before then: the
# clock runs from a morning after them (10:00 in China), whatever day the suite runs on.
AFTER_THE_CASES = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(AFTER_THE_CASES, tick=True):
        yield


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)  # 10:00 in China


@pytest.fixture
def world(ctx):
    firm = factories.enterprise("甲企业", 1)
    bureau = factories.unit("生态环境局")
    people = {
        "contact": factories.user("contact-a", firm, Role.ENTERPRISE_CONTACT),
        "officer": factories.user("officer", bureau, Role.CASE_OFFICER),
        "reviewer": factories.user("reviewer", bureau, Role.LEGAL_REVIEWER),
        "approver": factories.user("approver", bureau, Role.APPROVER),
        "civil": factories.user("civil", bureau, Role.CIVIL_SERVANT),
    }
    vt = ViolationType(code="AIR-99-1", name="未依法取得排污许可证排放大气污染物", law="中华人民共和国大气污染防治法",
                       article="第九十九条", fine_min=10_000_000, fine_max=100_000_000)
    db.session.add(vt)
    db.session.commit()
    return {"firm": firm, "vt": vt, **people}


def _case(world, number="示环罚〔2026〕1号", **fields) -> PenaltyCase:
    values = {"case_number": number, "enterprise_id": world["firm"].id, "violation_type_id": world["vt"].id,
              "status": "investigating", "opened_on": OPENED, "proposed_fine": 20_000_000,
              "officer_id": world["officer"].id}
    values.update(fields)
    case = PenaltyCase(**values)
    db.session.add(case)
    db.session.commit()
    return case


def _extend(world, case, **changes):
    values = {"new_due_on": date(2026, 12, 30), "reason": "需委托监测，案情复杂", "approved_by_id": world["approver"].id,
              "approved_on": TODAY, "today": TODAY}
    values.update(changes)
    return case_deadlines.extend(world["officer"], case, **values)


# --- extensions ---------------------------------------------------------------------------------------------


def test_art60_deadline_is_90_days_after_filing_then_as_extended_and_audited(world):
    case = _case(world)
    deadline = case_deadlines.deadline_on(case, TODAY)
    assert (deadline.due_on, deadline.days_left, deadline.extended) == (DEADLINE, 29, False)
    extension = _extend(world, case)
    assert (extension.previous_due_on, extension.new_due_on) == (DEADLINE, date(2026, 12, 30))
    assert (extension.approved_by_id, extension.recorded_by_id) == (world["approver"].id, world["officer"].id)
    assert case_deadlines.deadline_on(case, TODAY).due_on == date(2026, 12, 30)
    record = db.session.execute(select(AuditRecord).where(AuditRecord.action == "penalty_case.deadline_extend")
                                ).scalar_one()
    assert record.object_id == str(case.id) and record in cases.case_trail(case)
    assert "approver" in record.summary and "2026-12-30" in record.summary
    # A second extension is counted from the first one's date.
    _extend(world, case, new_due_on=date(2027, 1, 29))
    assert [e.previous_due_on for e in case_deadlines.extensions_of(case)] == [DEADLINE, date(2026, 12, 30)]


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"new_due_on": DEADLINE}, ["new_due_on"]),  # not later than the current deadline
        ({"new_due_on": date(2026, 11, 15)}, ["new_due_on"]),
        ({"new_due_on": None}, ["new_due_on"]),
        ({"reason": "   "}, ["reason"]),
        ({"approved_by_id": "civil"}, ["approved_by"]),  # not a head
        ({"approved_by_id": None}, ["approved_by"]),
        ({"approved_on": date(2026, 12, 1), "today": date(2026, 12, 2)}, ["approved_on"]),  # after the deadline
        ({"approved_on": date(2026, 11, 2)}, ["approved_on"]),  # in the future
    ],
    ids=["same_day", "earlier", "missing", "no_reason", "not_an_approver", "no_approver", "approved_too_late",
         "approved_in_future"],
)
def test_art60_bad_extension_names_its_field_and_changes_nothing(world, changes, fields):
    case = _case(world)
    if changes.get("approved_by_id") == "civil":
        changes["approved_by_id"] = world["civil"].id
    with pytest.raises(InputError) as error:
        _extend(world, case, **changes)
    assert [p.field for p in error.value.problems] == fields
    assert db.session.execute(select(CaseDeadlineExtension)).first() is None
    assert case_deadlines.deadline_on(case, TODAY).due_on == DEADLINE


def test_art60_a_decided_case_cannot_be_extended(world):
    case = _case(world, status="decided", notified_on=date(2026, 10, 1), decided_on=date(2026, 10, 20),
                 final_fine=20_000_000)
    with pytest.raises(InputError) as error:
        _extend(world, case)
    assert [p.field for p in error.value.problems] == ["status"]
    assert case_deadlines.deadline_on(case, TODAY).running is False


# --- review steps capped ------------------------------------------------------------------------------------


def test_art60_review_step_deadline_never_runs_past_the_case_deadline(world):
    case = _case(world)
    late = at(date(2026, 11, 28))  # 5 days for the step would end on 3 December
    assert case_deadlines.cap_step_deadline(case, late + timedelta(days=5)) == end_of_day(DEADLINE)
    early = at(date(2026, 10, 1)) + timedelta(days=5)
    assert case_deadlines.cap_step_deadline(case, early) == early
    _extend(world, case)
    assert case_deadlines.cap_step_deadline(case, late + timedelta(days=5)) == late + timedelta(days=5)


# --- the case_deadline reminder -----------------------------------------------------------------------------


def test_case_deadline_reminder_at_15_and_5_days_exactly_once_not_for_decided_cases(world):
    running = _case(world)
    _case(world, "示环罚〔2026〕2号", status="not_penalised", decided_on=date(2026, 10, 1))
    _case(world, "示环罚〔2026〕3号", status="transferred")
    _case(world, "示环罚〔2026〕4号", officer_id=None)  # nobody to warn
    kind = reminder_rules.CASE_DEADLINE
    assert reminders.scan(kind, at(date(2026, 11, 14))).created == 0  # 16 days left
    assert reminders.scan(kind, at(date(2026, 11, 15))).created == 1  # 15 days left
    assert reminders.scan(kind, at(date(2026, 11, 15))).created == 0  # the same day again
    assert reminders.scan(kind, at(date(2026, 11, 20))).created == 0  # 10 days left: the 15-day occasion still
    assert reminders.scan(kind, at(date(2026, 11, 25))).created == 1  # 5 days left
    assert reminders.scan(kind, at(date(2026, 11, 26))).created == 0
    rows = db.session.execute(select(Reminder).order_by(Reminder.id)).scalars().all()
    assert [(r.recipient_id, r.object_id, r.occasion) for r in rows] == [
        (world["officer"].id, running.id, "15d:2026-11-30"), (world["officer"].id, running.id, "5d:2026-11-30")]
    assert reminders.scan(kind, at(date(2026, 11, 27))).created == 0
    assert reminders.scan(kind, at(date(2026, 12, 1))).created == 0  # overdue: no lead fits
    subject, text = reminder_sending.render(rows[0], "zh_Hans_CN")
    assert "示环罚〔2026〕1号" in subject and "2026-11-30" in text and "含当日" in text


def test_case_deadline_reminder_after_an_extension_is_for_the_new_date(world):
    case = _case(world)
    kind = reminder_rules.CASE_DEADLINE
    assert reminders.scan(kind, at(date(2026, 11, 26))).created == 1  # 4 days left: the 5-day occasion
    _extend(world, case, approved_on=date(2026, 11, 1))
    assert reminders.scan(kind, at(date(2026, 12, 16))).created == 1  # 14 days before 2026-12-30
    assert {r.occasion for r in db.session.execute(select(Reminder)).scalars()} == {"5d:2026-11-30",
                                                                                   "15d:2026-12-30"}


def test_case_deadline_leads_are_configurable(world, app):
    _case(world)
    app.config["REMINDER_LEADS"] = {"case_deadline": [30]}
    try:
        assert reminders.scan(reminder_rules.CASE_DEADLINE, at(date(2026, 11, 1))).created == 1
    finally:
        app.config.pop("REMINDER_LEADS")


# --- service date and fine-due ------------------------------------------------------------------------------


def _decided(world, number, served_on, late_fee_notified=False):
    return _case(world, number, status="decided", notified_on=date(2026, 10, 1), decided_on=date(2026, 10, 20),
                 final_fine=20_000_000, served_on=served_on, late_fee_notified=late_fee_notified)


def test_art67_fine_due_counted_from_service_not_from_the_decision(world):
    _decided(world, "罚1", served_on=date(2026, 10, 30))  # decided 20 Oct, received 30 Oct: due 14 Nov
    _decided(world, "罚2", served_on=None)  # not known when the party received it: no reminder
    kind = reminder_rules.FINE_DUE
    assert reminders.scan(kind, at(date(2026, 11, 8))).created == 0  # day 9 after service (day 19 after decision)
    assert reminders.scan(kind, at(date(2026, 11, 9))).created == 1  # day 10 after service
    assert reminders.scan(kind, at(date(2026, 11, 13))).created == 1  # day 14
    assert reminders.scan(kind, at(date(2026, 11, 14))).created == 0  # day 15: the due day itself, not overdue
    assert reminders.scan(kind, at(date(2026, 11, 15))).created == 1  # day 16: overdue
    rows = db.session.execute(select(Reminder).order_by(Reminder.id)).scalars().all()
    assert [r.occasion for r in rows] == ["d10", "d14", "overdue"]
    assert rows[0].params["due"] == "2026-11-14" and rows[0].params["served"] == "2026-10-30"
    subject, text = reminder_sending.render(rows[0], "zh_Hans_CN")
    assert "2026-11-14" in text and "含当日" in text and "加处罚款" not in text  # the party was not told of it


def test_art72_late_fee_said_as_a_possibility_only_if_the_decision_told_the_party(world):
    _decided(world, "罚1", served_on=date(2026, 10, 30), late_fee_notified=True)
    reminders.scan(reminder_rules.FINE_DUE, at(date(2026, 11, 9)))
    reminders.scan(reminder_rules.FINE_DUE, at(date(2026, 11, 20)))
    for reminder in db.session.execute(select(Reminder)).scalars():
        _, text = reminder_sending.render(reminder, "zh_Hans_CN")
        assert "可以" in text and "百分之三" in text and "第七十二条" in text
        _, english = reminder_sending.render(reminder, "en")
        assert "may add 3 per cent" in english


def test_service_date_recorded_with_the_decision_and_checked(world):
    case = _case(world, status="notified", notified_on=date(2026, 10, 1))
    with pytest.raises(InputError) as error:
        cases.change_status(world["officer"], case, "decided", date(2026, 10, 20), final_fine=20_000_000,
                            served_on=date(2026, 10, 19), today=TODAY)
    assert [p.field for p in error.value.problems] == ["served_on"]
    db.session.refresh(case)
    assert (case.status, case.served_on) == ("notified", None)
    cases.change_status(world["officer"], case, "decided", date(2026, 10, 20), final_fine=20_000_000,
                        served_on=date(2026, 10, 22), late_fee_notified=True, today=TODAY)
    db.session.refresh(case)
    assert (case.status, case.served_on, case.late_fee_notified) == ("decided", date(2026, 10, 22), True)


def test_service_date_on_the_case_form_needs_a_decision(world):
    case = _case(world)
    with pytest.raises(InputError) as error:
        cases.save_case(world["officer"], {"served_on": date(2026, 10, 2)}, case, today=TODAY)
    assert [p.field for p in error.value.problems] == ["served_on"]
    decided = _decided(world, "罚1", served_on=None)
    cases.save_case(world["officer"], {"served_on": date(2026, 10, 25)}, decided, today=TODAY)
    assert decided.served_on == date(2026, 10, 25)


# --- the pages ----------------------------------------------------------------------------------------------


@pytest.fixture
def frozen(monkeypatch):
    from eduapp.services import offsets

    monkeypatch.setattr(cases, "local_today", lambda: TODAY)
    monkeypatch.setattr(offsets, "today_local", lambda now=None: TODAY)
    return TODAY


def test_case_list_shows_days_left_and_overdue_in_words(client, auth, world, frozen):
    _case(world)  # deadline 30 November: 29 days left on 1 November
    _case(world, "示环罚〔2026〕2号", opened_on=date(2026, 7, 1))  # deadline 29 September: overdue
    auth.login("officer")
    text = client.get("/cases/").get_data(as_text=True)
    assert "2026-11-30 前（含当日）" in text and "剩余 29 天" in text
    assert "已超期 33 天" in text and "case-deadline-overdue" in text


def test_reviewer_queue_shows_days_left_to_the_case_deadline(client, auth, world, frozen):
    from eduapp.models import OffsetApplication, RuleSet

    case = _case(world, status="notified", notified_on=date(2026, 10, 1))
    rule = RuleSet(code="R1", version=1, name="规则", doc_number="示环规〔2026〕1号", authority="示范市生态环境局",
                   effective_from=date(2026, 1, 1), status="active", legal_basis=[], eligible_codes=["AIR-99-1"],
                   excluded_codes=[], conditions={}, maths={}, procedure={})
    db.session.add(rule)
    db.session.flush()
    db.session.add(OffsetApplication(case_id=case.id, enterprise_id=world["firm"].id, rule_set_id=rule.id,
                                     applicant_id=world["contact"].id, status="pending_reviewer", evaluation={},
                                     points=10, offset_fen=100, fine_before=20_000_000, fine_after=19_999_900,
                                     step_deadline=end_of_day(DEADLINE)))
    db.session.commit()
    auth.login("reviewer")
    text = client.get("/offsets/review").get_data(as_text=True)
    assert "示环罚〔2026〕1号" in text and "2026-11-30 前（含当日）" in text and "剩余 29 天" in text


def test_case_page_shows_the_deadline_and_an_officer_extends_it_with_a_heads_approval(client, auth, world, frozen):
    case = _case(world)
    auth.login("officer")
    page = f"/cases/{case.id}"
    text = client.get(page).get_data(as_text=True)
    assert "办案期限" in text and "2026-11-30 前（含当日）" in text and "第六十条" in text
    assert "未延长" in text and f'<option value="{world["approver"].id}">' in text
    bad = auth.post(f"/cases/{case.id}/deadline", {"new_due_on": "2026-11-20", "reason": "",
                                                    "approved_by": str(world["approver"].id),
                                                    "approved_on": "2026-11-01"}, form_page=page)
    assert bad.status_code == 400
    body = bad.get_data(as_text=True)
    assert "须晚于当前期限（2026-11-30）" in body and "请填写延长理由" in body
    assert db.session.execute(select(CaseDeadlineExtension)).first() is None
    ok = auth.post(f"/cases/{case.id}/deadline", {"new_due_on": "2026-12-30", "reason": "需委托检测",
                                                   "approved_by": str(world["approver"].id),
                                                   "approved_on": "2026-11-01"}, form_page=page)
    assert ok.status_code == 302
    text = client.get(page).get_data(as_text=True)
    assert "2026-12-30 前（含当日）" in text and "（已延长）" in text and "需委托检测" in text
    assert "officer 将办案期限由 2026-11-30 延长至 2026-12-30（approver 于 2026-11-01 批准）：需委托检测" in text  # history


def test_people_without_the_right_role_cannot_extend(client, auth, world, frozen):
    case = _case(world)
    auth.login("reviewer")
    assert "延长办案期限" not in client.get(f"/cases/{case.id}").get_data(as_text=True)
    response = auth.post(f"/cases/{case.id}/deadline", {"new_due_on": "2026-12-30", "reason": "x",
                                                         "approved_by": str(world["approver"].id),
                                                         "approved_on": "2026-11-01"})
    assert response.status_code == 403


def test_case_page_says_the_service_date_is_missing_then_when_the_fine_is_due(client, auth, world, frozen):
    case = _decided(world, "罚1", served_on=None)
    auth.login("officer")
    text = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "service-missing" in text and "缺少送达日期" in text
    case.served_on, case.late_fee_notified = date(2026, 10, 22), True
    db.session.commit()
    text = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "service-missing" not in text and "2026-11-06 前（含当日）" in text
    assert "可以每日按罚款数额的百分之三加处罚款" in text


# --- the register import ------------------------------------------------------------------------------------

IMPORT_HEADER = "案件编号,企业名称或统一社会信用代码,违法类型编码,立案日期,状态,告知日期,决定日期,决定罚款金额（元）,拟罚款金额（元）"
IMPORT_ROW = "罚1,甲企业,AIR-99-1,2026-09-01,已决定,2026-10-01,2026-10-20,200000,200000"


def _import(runner, tmp_path, *rows, header, name="cases.csv"):
    from eduapp.cli.cases import cases_group

    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return runner.invoke(cases_group, ["import", str(path)])


def test_register_import_reads_the_service_date_and_the_late_fee_notice(runner, world, tmp_path):
    header = IMPORT_HEADER + ",送达日期,决定书告知加处罚款"
    result = _import(runner, tmp_path, IMPORT_ROW + ",2026-10-23,是", header=header)
    assert result.exit_code == 0, result.output
    case = db.session.execute(select(PenaltyCase)).unique().scalar_one()
    assert (case.served_on, case.late_fee_notified) == (date(2026, 10, 23), True)
    # A register without the columns keeps what the case has.
    again = _import(runner, tmp_path, IMPORT_ROW, header=IMPORT_HEADER, name="without.csv")
    assert "unchanged 1" in again.output
    db.session.expire_all()
    assert db.session.get(PenaltyCase, case.id).served_on == date(2026, 10, 23)


@pytest.mark.parametrize(
    ("cells", "where"),
    [(",2026-10-19,是", "row 2 [送达日期]"), (",下周,是", "row 2 [送达日期]"), (",2026-10-23,也许", "row 2 [决定书告知加处罚款]")],
)
def test_register_import_names_a_bad_service_date_and_writes_nothing(runner, world, tmp_path, cells, where):
    result = _import(runner, tmp_path, IMPORT_ROW + cells, header=IMPORT_HEADER + ",送达日期,决定书告知加处罚款")
    assert result.exit_code == 1 and where in result.output, result.output
    assert db.session.execute(select(PenaltyCase)).first() is None


# --- the API ------------------------------------------------------------------------------------------------


def _bearer(user) -> dict:
    from eduapp.services import api_tokens

    token, _ = api_tokens.issue(user, 1)
    return {"Authorization": f"Bearer {token}"}


def test_api_extension_paths_in_the_openapi_document_with_exact_schemas(client):
    doc = client.get("/api/v1/openapi.json").json
    path = doc["paths"]["/api/v1/cases/{case_id}/deadline-extensions"]
    assert set(path) >= {"get", "post"}
    assert {"201", "401", "403", "404", "422", "429"} <= set(path["post"]["responses"])
    schemas = doc["components"]["schemas"]
    assert {"deadline", "served_on", "late_fee_notified", "payment"} <= set(schemas["PenaltyCaseOut"]["properties"])
    assert {"due_on", "days_left", "running", "overdue", "extended"} == set(schemas["DeadlineOut"]["properties"])
    assert {"new_due_on", "reason", "approved_by_id", "approved_on"} == set(schemas["ExtensionIn"]["required"])


def test_api_case_deadline_extensions_list_and_create(client, world, frozen):
    case = _case(world)
    officer = _bearer(world["officer"])
    got = client.get(f"/api/v1/cases/{case.id}", headers=officer).json
    assert got["deadline"] == {"due_on": "2026-11-30", "days_left": 29, "running": True, "overdue": False,
                               "extended": False}
    assert (got["served_on"], got["late_fee_notified"], got["payment"]["service_missing"]) == (None, False, False)
    url = f"/api/v1/cases/{case.id}/deadline-extensions"
    bad = client.post(url, headers=officer, json={"new_due_on": "2026-11-30", "reason": "x",
                                                  "approved_by_id": world["civil"].id, "approved_on": "2026-11-01"})
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"new_due_on", "approved_by_id"}
    assert client.get(url, headers=officer).json["extensions"] == []
    made = client.post(url, headers=officer, json={"new_due_on": "2026-12-30", "reason": "需委托检测",
                                                   "approved_by_id": world["approver"].id,
                                                   "approved_on": "2026-11-01"})
    assert made.status_code == 201, made.json
    assert made.json["deadline"]["due_on"] == "2026-12-30" and made.json["deadline"]["extended"] is True
    [extension] = made.json["extensions"]
    assert (extension["previous_due_on"], extension["approved_by"], extension["recorded_by"]) == (
        "2026-11-30", "approver", "officer")
    reviewer = client.post(url, headers=_bearer(world["reviewer"]), json={
        "new_due_on": "2027-01-30", "reason": "x", "approved_by_id": world["approver"].id, "approved_on": "2026-11-01"})
    assert reviewer.status_code == 403
    assert client.get(url, headers=_bearer(world["reviewer"])).status_code == 200  # reviewers read


def test_api_service_date_with_the_decision_and_on_the_enterprise_case_list(client, world, frozen):
    case = _case(world, status="notified", notified_on=date(2026, 10, 1))
    officer = _bearer(world["officer"])
    bad = client.post(f"/api/v1/cases/{case.id}/status", headers=officer, json={
        "status": "decided", "date": "2026-10-20", "final_fine": 20_000_000, "served_on": "2026-10-19"})
    assert bad.status_code == 422 and set(bad.json["error"]["fields"]) == {"served_on"}
    moved = client.post(f"/api/v1/cases/{case.id}/status", headers=officer, json={
        "status": "decided", "date": "2026-10-20", "final_fine": 20_000_000, "served_on": "2026-10-22",
        "late_fee_notified": True})
    assert moved.status_code == 200, moved.json
    assert moved.json["payment"]["due_on"] == "2026-11-06" and "百分之三" in moved.json["payment"]["late_fee_text"]
    assert moved.json["deadline"]["running"] is False and moved.json["deadline"]["days_left"] is None
    cleared = client.patch(f"/api/v1/cases/{case.id}", headers=officer, json={"served_on": None})
    assert cleared.status_code == 200 and cleared.json["payment"]["service_missing"] is True
    mine = client.get("/api/v1/enterprise/cases", headers=_bearer(world["contact"])).json
    assert mine[0]["served_on"] is None and mine[0]["payment"]["service_missing"] is True
    assert mine[0]["deadline"]["due_on"] == "2026-11-30"


def test_the_enterprise_sees_when_to_pay_on_its_case_page(client, auth, world, frozen):
    case = _decided(world, "罚1", served_on=date(2026, 10, 22), late_fee_notified=True)
    auth.login("contact-a")
    text = client.get(f"/offsets/cases/{case.id}").get_data(as_text=True)  # where the fine-due reminder links
    assert "2026-11-06 前（含当日）" in text and "可以每日按罚款数额的百分之三加处罚款" in text
    assert 'class="col-sm-3">决定书送达日期' in text
