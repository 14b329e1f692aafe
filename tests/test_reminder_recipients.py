"""Reminders that reach the right person (issue 16 item 6): an exam-closing reminder only to those who
may still make an attempt (the exam page's own rule, exam_rules.may_start), and an offset-review
reminder to the step's role holders of the case's handling unit (承办机构), which the case form, the API
and the case register set."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from eduapp.cli.cases import cases_group
from eduapp.domain import exam_rules
from eduapp.domain import offsets as offset_rules
from eduapp.domain import reminders as rules
from eduapp.domain.exam_rules import AudienceEntry
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Attempt, ExamOverride, PenaltyCase, Reminder
from eduapp.services import api_tokens, awards, cases, offsets, points, reminders, rule_sets
from tests import factories

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in China
TODAY = date(2026, 11, 20)


def _recipients(kind: str) -> set[int]:
    return set(db.session.execute(select(Reminder.recipient_id).where(Reminder.kind == kind)).scalars())


# --- the rule: domain, table tests ---------------------------------------------------------------------


@pytest.mark.parametrize(("is_open", "running", "allowed", "extra", "used", "expected"), [
    (True, False, 2, 0, 0, True),  # none used
    (True, False, 2, 0, 1, True),  # one of two left
    (True, False, 2, 0, 2, False),  # the last attempt used (Exam.attempts_allowed)
    (True, False, 2, 1, 2, True),  # an extra attempt (ExamOverride.extra_attempts)
    (True, True, 2, 0, 2, True),  # the last attempt still running: it may go on
    (False, False, 2, 0, 0, False),  # not open
])
def test_may_start_the_exam_pages_rule(is_open, running, allowed, extra, used, expected):
    assert exam_rules.may_start(is_open, running, allowed, extra, used) is expected


PARENT = {1: None, 2: 1, 3: 1, 4: 2}  # 1 the bureau; 2, 3 its detachments; 4 a squad of 2


@pytest.mark.parametrize(("unit", "holders", "expected"), [
    (2, {2: [20], 3: [30], 1: [10]}, [20]),  # the handling unit's own holder, not another unit's
    (4, {2: [20], 3: [30]}, [20]),  # nobody in the squad: its nearest parent unit with a holder
    (4, {1: [10], 3: [30]}, [10]),  # up to the bureau
    (3, {2: [20]}, None),  # nobody up the chain: bureau-wide (the caller's fallback)
    (None, {2: [20]}, None),  # no handling unit (an older case): bureau-wide as before
    (2, {2: []}, None),  # a unit whose only holder is barred counts as without one
])
def test_handling_unit_recipients(unit, holders, expected):
    assert rules.handling_unit_recipients(unit, PARENT, holders) == expected


# --- exam closing ----------------------------------------------------------------------------------------


def test_exam_closing_skips_who_has_no_attempt_left_and_reaches_who_has(ctx):
    firm = factories.enterprise("甲企业", 1)
    people = {name: factories.user(name, firm, Role.ENTERPRISE_STAFF)
              for name in ("fresh", "spent", "extra", "running", "passed")}
    factories.bank()
    exam = factories.exam(open_at=NOW - timedelta(days=10), close_at=NOW + timedelta(days=5), attempts_allowed=1,
                          audience=[AudienceEntry("role", "enterprise_staff")])

    def attempt(name, **fields):
        values = {"state": "finished", "started_at": NOW - timedelta(days=1), "deadline": NOW - timedelta(hours=23),
                  "submitted_at": NOW - timedelta(hours=23), "score": 500, "max_score": 2000, "passed": False}
        values.update(fields)
        db.session.add(Attempt(exam_id=exam.id, user_id=people[name].id, number=1, **values))

    attempt("spent")  # failed its only attempt
    attempt("extra")  # failed it too, but was granted one more
    db.session.add(ExamOverride(exam_id=exam.id, user_id=people["extra"].id, extra_attempts=1))
    attempt("running", state="in_progress", deadline=NOW + timedelta(minutes=30), submitted_at=None, score=None,
            passed=None)  # its last attempt is still running: it may go on with it
    attempt("passed", score=2000, passed=True)
    db.session.commit()

    result = reminders.scan(rules.EXAM_CLOSING, NOW)
    assert _recipients(rules.EXAM_CLOSING) == {people["fresh"].id, people["extra"].id, people["running"].id}
    assert result.created == 3
    assert reminders.scan(rules.EXAM_CLOSING, NOW + timedelta(hours=1)).created == 0  # exactly once, as before


# --- the handling unit and offset review -----------------------------------------------------------------


@pytest.fixture
def bureau(ctx):
    root = factories.unit("示范市生态环境局")
    first, second = (factories.unit(name, root) for name in ("执法一支队", "执法二支队"))  # two detachments
    firm = factories.enterprise("甲企业", 1)
    people = {
        "contact": factories.user("contact", firm, Role.ENTERPRISE_CONTACT),
        "officer": factories.user("officer", first, Role.CASE_OFFICER),
        "officer2": factories.user("officer2", second, Role.CASE_OFFICER),
        "reviewer": factories.user("reviewer", root, Role.LEGAL_REVIEWER),  # none in the detachments
        "approver1": factories.user("approver1", first, Role.APPROVER),
        "approver2": factories.user("approver2", second, Role.APPROVER),
    }
    cases.load_catalogue()
    return {"root": root, "first": first, "second": second, "firm": firm, **people}


def _fields(world, number="示环罚〔2026〕1号", **changes) -> dict:
    return {"case_number": number, "enterprise_id": world["firm"].id,
            "violation_type_id": cases.violation_by_code("AIR-99-1").id, "status": "notified",
            "notified_on": TODAY - timedelta(days=5), "corrected": True,
            "opened_on": TODAY - timedelta(days=30), "proposed_fine": 50_000_000, **changes}


def _application(world, case):
    rule_sets.save(None, None, {
        "name": "学法积分抵扣罚款规则", "doc_number": "示环规〔2026〕3号", "authority": "示范市生态环境局",
        "effective_from": date(2026, 1, 1), "effective_to": None, "status": "active",
        "legal_basis": ["《中华人民共和国行政处罚法》第六条、第三十三条"], "eligible_codes": ["AIR-99-1"],
        "excluded_codes": [], "conditions": offset_rules.Conditions(key_roles=(), cooling_days=365),
        "maths": offset_rules.Maths(cap_percent=20), "procedure": {"officer": 5, "reviewer": 5, "approver": 3}})
    awards.award(points.pool_account(world["firm"]), 30_000, "test:pool", "测试积分")
    return offsets.apply(world["contact"], case)


def test_offset_review_reaches_the_handling_units_approver_not_another_units(bureau):
    with time_machine.travel(NOW, tick=False):
        case = cases.save_case(bureau["officer"], _fields(bureau)).case  # no unit given: the officer's
        assert case.handling_unit_id == bureau["first"].id
        application = _application(bureau, case)
        offsets.decide(bureau["officer"], application, "approve", "同意")
        # nobody in 执法一支队 holds the reviewer's role: its nearest parent unit's reviewer is reminded
        reminders.scan(rules.OFFSET_REVIEW, application.step_deadline - timedelta(days=1))
        assert _recipients(rules.OFFSET_REVIEW) == {bureau["reviewer"].id}
        offsets.decide(bureau["reviewer"], application, "approve", "同意")
        reminders.scan(rules.OFFSET_REVIEW, application.step_deadline - timedelta(days=1))
        approvers = set(db.session.execute(select(Reminder.recipient_id).where(
            Reminder.kind == rules.OFFSET_REVIEW, Reminder.occasion == "due:approver")).scalars())
        assert approvers == {bureau["approver1"].id}  # not 执法二支队's approver
        assert reminders.scan(rules.OFFSET_REVIEW, application.step_deadline - timedelta(days=1)).created == 0


def test_a_case_without_handling_unit_reaches_every_approver_as_before(bureau):
    with time_machine.travel(NOW, tick=False):
        case = cases.save_case(None, _fields(bureau)).case  # no officer, no saving account: not known
        assert case.handling_unit_id is None
        application = _application(bureau, case)
        offsets.decide(bureau["officer"], application, "approve", "同意")
        offsets.decide(bureau["reviewer"], application, "approve", "同意")
        reminders.scan(rules.OFFSET_REVIEW, application.step_deadline - timedelta(days=1))
        assert _recipients(rules.OFFSET_REVIEW) == {bureau["approver1"].id, bureau["approver2"].id}


def test_the_service_checks_the_unit_and_names_the_field(bureau):
    with time_machine.travel(datetime(2026, 12, 7, 2, 0, tzinfo=UTC), tick=False):  # after the case's dates
        with pytest.raises(InputError) as error:
            cases.save_case(bureau["officer"], _fields(bureau, handling_unit_id=bureau["firm"].id))  # an enterprise
        assert [p.field for p in error.value.problems] == ["handling_unit_id"]
        with pytest.raises(InputError):
            cases.save_case(bureau["officer"], _fields(bureau, handling_unit_id=999_999))
        assert db.session.execute(select(PenaltyCase)).first() is None
        chosen = cases.save_case(bureau["officer"], _fields(bureau, handling_unit_id=bureau["second"].id)).case
    assert chosen.handling_unit_id == bureau["second"].id


# --- the case form, the API and the register -------------------------------------------------------------


def _form(world, **values):
    base = {"case_number": "示环罚〔2026〕8号", "enterprise": "甲企业",
            "violation_type_id": str(cases.violation_by_code("AIR-99-2").id), "description": "", "harm_level": "minor",
            "opened_on": "2026-03-02", "proposed_fine": "150000.00", "officer_id": str(world["officer"].id),
            "handling_unit_id": "0"}
    base.update(values)
    return base


def test_the_case_form_takes_shows_and_edits_the_handling_unit(client, auth, bureau):
    auth.login("officer")
    page = client.get("/cases/new").get_data(as_text=True)
    assert 'id="handling_unit_id"' in page and "执法二支队" in page
    response = auth.post("/cases/new", _form(bureau), form_page="/cases/new")
    assert response.status_code == 302
    case = db.session.execute(select(PenaltyCase)).unique().scalar_one()
    assert case.handling_unit_id == bureau["first"].id  # the default: the case officer's unit
    shown = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "承办机构" in shown and "执法一支队" in shown

    edit = f"/cases/{case.id}/edit"
    moved = auth.post(edit, _form(bureau, handling_unit_id=str(bureau["second"].id)), form_page=edit)
    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(PenaltyCase, case.id).handling_unit_id == bureau["second"].id
    bad = auth.post(edit, _form(bureau, handling_unit_id="999999"), form_page=edit)
    assert bad.status_code == 400 and "请从列表中选择" in bad.get_data(as_text=True)  # under 承办机构
    db.session.expire_all()
    assert db.session.get(PenaltyCase, case.id).handling_unit_id == bureau["second"].id


def test_the_api_takes_the_handling_unit_id_and_names_it_when_bad(client, bureau):
    token, _ = api_tokens.issue(bureau["officer"], 1)
    headers = {"Authorization": f"Bearer {token}"}
    body = {"case_number": "示环罚〔2026〕7号", "enterprise": "甲企业", "violation_code": "AIR-99-2",
            "opened_on": "2026-03-02", "proposed_fine": 15_000_000}
    created = client.post("/api/v1/cases", headers=headers, json={**body, "handling_unit_id": bureau["second"].id})
    assert created.status_code == 201, created.json
    assert created.json["handling_unit"] == {"id": bureau["second"].id, "name": "执法二支队"}
    default = client.post("/api/v1/cases", headers=headers, json={**body, "case_number": "示环罚〔2026〕9号"})
    assert default.json["handling_unit"]["name"] == "执法一支队"  # the officer's unit
    bad = client.post("/api/v1/cases", headers=headers, json={**body, "case_number": "X-1", "handling_unit_id": 999999})
    assert bad.status_code == 422 and "handling_unit_id" in bad.json["error"]["fields"]
    assert "999999" in str(bad.json["error"]["fields"]["handling_unit_id"])
    wrong = client.patch(f"/api/v1/cases/{created.json['id']}", headers=headers,
                         json={"handling_unit_id": bureau["firm"].id})
    assert wrong.status_code == 422 and "handling_unit_id" in wrong.json["error"]["fields"]
    moved = client.patch(f"/api/v1/cases/{created.json['id']}", headers=headers,
                         json={"handling_unit_id": bureau["root"].id})
    assert moved.status_code == 200 and moved.json["handling_unit"]["name"] == "示范市生态环境局"
    assert "handling_unit_id" in str(client.get("/api/v1/openapi.json").json["components"]["schemas"]["CaseIn"])


HEADER = "案件编号,企业名称或统一社会信用代码,违法类型编码,立案日期,拟罚款金额（元）,承办人账号,承办机构"


def test_the_register_takes_the_handling_unit_column(runner, bureau, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("\n".join([HEADER, "罚-1,甲企业,AIR-99-2,2026-03-02,150000,officer,执法二支队",
                               "罚-2,甲企业,AIR-99-2,2026-03-02,150000,officer,"]) + "\n", encoding="utf-8")
    result = runner.invoke(cases_group, ["import", str(path)])
    assert result.exit_code == 0, result.output
    units = dict(db.session.execute(select(PenaltyCase.case_number, PenaltyCase.handling_unit_id)).all())
    assert units == {"罚-1": bureau["second"].id, "罚-2": bureau["first"].id}  # empty: the officer's unit

    path.write_text(HEADER + "\n罚-3,甲企业,AIR-99-2,2026-03-02,150000,officer,没有这个支队\n", encoding="utf-8")
    bad = runner.invoke(cases_group, ["import", str(path)])
    assert bad.exit_code == 1 and "row 2 [承办机构]" in bad.output, bad.output
    assert db.session.execute(select(PenaltyCase).where(PenaltyCase.case_number == "罚-3")).first() is None


def test_migration_0017_sets_the_unit_of_the_officer_else_of_the_creator(tmp_path):
    """Existing cases: the case officer's unit; else the unit of the account that created the case (its
    penalty_case.create audit record); else empty (reminders bureau-wide, as before)."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from eduapp.services import audit
    from tests.conftest import make_test_app

    app = make_test_app(f"sqlite:///{tmp_path / 'before-0017.db'}")
    with app.app_context():
        upgrade(revision="0015")
        root = factories.unit("示范市生态环境局")
        first = factories.unit("执法一支队", root)
        firm = factories.enterprise("甲企业", 1)
        officer = factories.user("officer", first, Role.CASE_OFFICER)
        creator = factories.user("creator", root, Role.CASE_OFFICER)
        contact = factories.user("contact", firm, Role.ENTERPRISE_CONTACT)
        db.session.execute(text("INSERT INTO violation_types (id, code, name, law, article, fine_note, active, "
                                "fine_method) VALUES (1, 'AIR-99-1', '超标排放', '大气污染防治法', '第九十九条', '', 1, 'range')"))
        for case_id, officer_id, created_by in ((1, officer.id, creator), (2, None, creator), (3, None, contact),
                                                (4, None, None)):
            db.session.execute(text(
                "INSERT INTO penalty_cases (id, case_number, enterprise_id, violation_type_id, description, status, "
                "harm_level, corrected, opened_on, proposed_fine, officer_id, created_at, updated_at, "
                "late_fee_notified) VALUES (:id, :number, :firm, 1, '', 'filed', 'minor', 0, '2026-03-02', "
                "15000000, :officer, '2026-03-02 00:00:00', '2026-03-02 00:00:00', 0)"),
                {"id": case_id, "number": f"罚-{case_id}", "firm": firm.id, "officer": officer_id})
            if created_by is not None:
                audit.record("penalty_case.create", actor=created_by, obj_type="penalty_case", obj_id=case_id)
        db.session.commit()
        upgrade()
        units = dict(db.session.execute(text("SELECT id, handling_unit_id FROM penalty_cases")).all())
        assert units == {1: first.id, 2: root.id, 3: None, 4: None}  # an enterprise account is not a unit
        db.session.remove()
        db.engine.dispose()
