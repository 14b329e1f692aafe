"""The points ledger through its service, its API and its pages: idempotent awards, reservations,
expiry, adjustments and reversals, earning rules and caps, pools, trainings, verification."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select, update

from eduapp.domain import points as rules
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import (
    AuditRecord,
    EarningRule,
    PointsAccount,
    PointsEntry,
    PointsLot,
    PointsReservation,
    TrainingAttendance,
)
from eduapp.models.audit import AppendOnlyViolation
from eduapp.services import awards, competitions, ledger_verify, points, reservations, trainings
from eduapp.services.points import InsufficientPoints, LedgerError
from tests import factories
from tests.conftest import PASSWORD

NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)  # 10:00 in China


@pytest.fixture
def people(ctx):
    firm = factories.enterprise("甲企业", 1)
    bureau = factories.unit("生态环境局")
    ids = {
        "firm": firm.id,
        "staff": factories.user("staff-a", firm, Role.ENTERPRISE_STAFF).id,
        "staff2": factories.user("staff-b", firm, Role.ENTERPRISE_STAFF).id,
        "contact": factories.user("contact-a", firm, Role.ENTERPRISE_CONTACT).id,
        "civil": factories.user("civil-a", bureau, Role.CIVIL_SERVANT).id,
        "admin": factories.user("admin-a", bureau, Role.SYSADMIN).id,
    }
    return ids


def _user(user_id):
    from eduapp.models import User

    return db.session.get(User, user_id)


def _count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _fresh(account):
    db.session.expire_all()
    return db.session.get(PointsAccount, account.id)


# --- awards ------------------------------------------------------------------------------------------


def test_an_award_twice_with_the_same_key_is_one_entry(people):
    account = points.person_account(_user(people["staff"]))
    first = awards.award(account, 10, "manual:1", "test", now=NOW)
    again = awards.award(account, 10, "manual:1", "test", now=NOW)
    assert again.id == first.id
    assert _count(PointsEntry) == 1 and _count(PointsLot) == 1
    assert points.balance(account, NOW) == (10, 0, 0)
    assert first.expires_at == datetime(2027, 3, 15, 15, 59, 59, 999999, tzinfo=UTC)
    assert ledger_verify.verify() == []


def test_accounts_are_created_once(people):
    user = _user(people["staff"])
    assert points.person_account(user, create=False) is None
    first = points.person_account(user)
    assert points.person_account(user).id == first.id == points.person_account(user.id).id
    assert points.pool_account(people["firm"]).owner_kind == "enterprise"
    with pytest.raises(LedgerError):
        points.pool_account(_user(people["civil"]).organisation)


def test_awards_must_be_whole_positive_points(people):
    account = points.person_account(_user(people["staff"]))
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError):
            awards.award(account, bad, f"bad:{bad}", "x")
    assert _count(PointsEntry) == 0


def test_the_ledger_is_append_only(people):
    account = points.person_account(_user(people["staff"]))
    entry = awards.award(account, 5, "manual:1", "test")
    entry.amount = 500
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AppendOnlyViolation):
        db.session.execute(update(PointsEntry).values(amount=500))
    db.session.rollback()
    db.session.delete(db.session.get(PointsEntry, entry.id))
    with pytest.raises(AppendOnlyViolation):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(PointsEntry, entry.id).amount == 5


# --- reservations ------------------------------------------------------------------------------------


def _pool_with(people, *lots):
    """The firm's pool holding lots [(points, days to expiry)]."""
    pool = points.pool_account(people["firm"])
    for n, (amount, days) in enumerate(lots):
        expires_at = rules.expiry_for(NOW, 0) + timedelta(days=days)
        awards.award(pool, amount, f"seed:{n}", "seed", expires_at=expires_at,
                     now=min(NOW, expires_at - timedelta(days=30)))  # a lot that has expired was awarded earlier
    return pool


def test_reserve_post_round_trip_takes_the_soonest_expiring_lots(people):
    pool = _pool_with(people, (10, 200), (5, 20), (8, 0))  # the last lot expires today
    reservation = reservations.reserve(pool, 15, "offset_application:1", now=NOW)
    lots = dict(db.session.execute(select(PointsLot.amount, PointsLot.remaining)).all())
    assert lots == {8: 0, 5: 0, 10: 8}
    assert [part for _, part in reservation.allocations] == [8, 5, 2]
    assert points.balance(pool, NOW) == (8, 15, 0)
    posted = reservations.post(reservation.id, now=NOW)
    assert posted.state == "posted" and points.balance(pool, NOW) == (8, 0, 0)
    assert reservations.post(reservation, now=NOW).state == "posted"  # again: nothing changes
    assert _count(PointsEntry, PointsEntry.kind == "post") == 1
    with pytest.raises(LedgerError) as refused:
        reservations.void(reservation.id)
    assert refused.value.code == "reservation_settled"
    assert ledger_verify.verify() == []


def test_reserve_void_round_trip_gives_the_points_back_to_their_lots(people):
    pool = _pool_with(people, (10, 200), (5, 20))
    reservation = reservations.reserve(pool, 12, now=NOW)
    assert points.balance(pool, NOW) == (3, 12, 0)  # the 5 expiring in 20 days went first
    reservations.void(reservation.id, now=NOW)
    assert reservations.void(reservation, now=NOW).state == "voided"  # again: nothing changes
    assert points.balance(pool, NOW) == (15, 0, 5)
    assert dict(db.session.execute(select(PointsLot.amount, PointsLot.remaining)).all()) == {10: 10, 5: 5}
    with pytest.raises(LedgerError):
        reservations.post(reservation.id)
    assert ledger_verify.verify() == []


def test_a_partial_post_spends_what_is_used_and_releases_the_rest_latest_expiring_first(people):
    pool = _pool_with(people, (10, 200), (5, 20))
    reservation = reservations.reserve(pool, 12, "offset_application:9", now=NOW)  # 5 (soonest) + 7 of the 10
    with pytest.raises(LedgerError) as refused:
        reservations.post(reservation.id, points=13, now=NOW)  # never more than reserved
    assert refused.value.code == "more_than_reserved"
    posted = reservations.post(reservation.id, points=8, now=NOW)
    assert posted.state == "posted" and points.balance(pool, NOW) == (7, 0, 0)
    # the 4 not needed go back to the lot taken last (the 10 expiring in 200 days)
    assert dict(db.session.execute(select(PointsLot.amount, PointsLot.remaining)).all()) == {10: 7, 5: 0}
    released = db.session.execute(select(PointsEntry).where(PointsEntry.kind == "release")).scalars().all()
    assert [(e.amount, e.reservation_id) for e in released] == [(4, reservation.id)]
    assert reservations.post(reservation.id, points=8, now=NOW).state == "posted"  # again: nothing changes
    assert _count(PointsEntry, PointsEntry.kind == "post") == 1
    assert ledger_verify.verify() == []


def test_voided_points_of_a_lot_that_expired_meanwhile_expire_at_once(people):
    pool = _pool_with(people, (4, 0), (10, 100))  # 4 points expire tonight
    reservation = reservations.reserve(pool, 6, now=NOW)
    tomorrow = NOW + timedelta(days=1)
    reservations.void(reservation.id, now=tomorrow)
    assert points.balance(pool, tomorrow) == (10, 0, 0)
    assert _fresh(pool).available == 10
    expired = db.session.execute(select(PointsEntry).where(PointsEntry.kind == "expire")).scalars().all()
    assert [(e.amount, e.reason) for e in expired] == [(-4, rules.EXPIRED_ON_RETURN)]
    assert awards.expire(tomorrow).points == 0
    assert ledger_verify.verify() == []


def test_a_reservation_short_by_one_is_refused_and_writes_nothing(people):
    pool = _pool_with(people, (10, 100), (5, -1))  # the 5 expired yesterday
    entries = _count(PointsEntry)
    with pytest.raises(InsufficientPoints) as short:
        reservations.reserve(pool, 11, now=NOW)
    assert isinstance(short.value, ValueError)
    assert (short.value.needed, short.value.available) == (11, 10)
    db.session.rollback()
    assert _count(PointsEntry) == entries and _count(PointsReservation) == 0
    assert reservations.reserve(pool, 10, now=NOW).amount == 10


def test_a_purpose_reserves_once(people):
    pool = _pool_with(people, (10, 100))
    first = reservations.reserve(pool, 4, "offset_application:9", now=NOW)
    assert reservations.reserve(pool, 4, "offset_application:9", now=NOW).id == first.id
    with pytest.raises(LedgerError):
        reservations.reserve(pool, 5, "offset_application:9", now=NOW)
    assert points.balance(pool, NOW).reserved == 4


def test_lots_of_lists_the_usable_lots_for_the_eligibility_engine(people):
    pool = _pool_with(people, (10, 100), (5, 0), (3, -1))
    assert points.lots_of(pool, NOW) == [(5, rules.expiry_for(NOW, 0)),
                                         (10, rules.expiry_for(NOW, 0) + timedelta(days=100))]
    assert points.lots_of(None) == []


# --- expiry ------------------------------------------------------------------------------------------


def test_expiry_writes_off_what_is_left_once(people):
    pool = _pool_with(people, (10, 100), (5, 0))
    reservations.reserve(pool, 3, now=NOW)  # from the lot expiring today: 2 of it are left
    later = NOW + timedelta(days=1)
    assert points.balance(pool, later) == (10, 3, 0)  # before the task runs, the expired lot is left out
    assert _fresh(pool).available == 12  # the cached figure until the task runs
    run = awards.expire(later)
    assert (run.accounts, run.lots, run.points) == (1, 1, 2)
    assert awards.expire(later) == awards.ExpiryRun(0, 0, 0)
    assert _fresh(pool).available == 10
    entry = db.session.execute(select(PointsEntry).where(PointsEntry.kind == "expire")).scalar_one()
    assert (entry.amount, entry.reason) == (-2, "Expired")
    # reserved points do not expire with their lot: posting them still spends 3
    reservations.post(db.session.execute(select(PointsReservation)).scalar_one(), now=later)
    assert points.balance(pool, later) == (10, 0, 0) and ledger_verify.verify() == []


def test_the_expiry_task_runs_in_process(people):
    from eduapp.tasks.points import expire_points

    person = points.person_account(_user(people["staff"]))
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    awards.award(person, 3, "manual:x", "x", expires_at=long_ago + timedelta(days=30), now=long_ago)
    assert expire_points.apply().get() == {"accounts": 1, "lots": 1, "points": 3}
    assert expire_points.apply().get() == {"accounts": 0, "lots": 0, "points": 0}


# --- administrators ----------------------------------------------------------------------------------


def test_an_adjustment_needs_a_reason_and_is_audited(people):
    admin = _user(people["admin"])
    account = points.person_account(_user(people["staff"]))
    db.session.commit()
    with pytest.raises(InputError) as err:
        awards.adjust(account, 5, "   ", admin)
    assert [p.field for p in err.value.problems] == ["reason"]
    db.session.rollback()
    assert _count(PointsEntry) == 0
    entries = awards.adjust(account, 5, "补录线下学习积分", admin, now=NOW)
    assert [(e.kind, e.amount, e.actor_id) for e in entries] == [("adjust", 5, admin.id)]
    taken = awards.adjust(account, -3, "重复发放", admin, now=NOW)
    assert [e.amount for e in taken] == [-3]
    with pytest.raises(InputError) as err:
        awards.adjust(account, -3, "再扣", admin, now=NOW)
    assert err.value.problems[0].field == "points"
    db.session.rollback()
    assert points.balance(account, NOW).available == 2
    records = db.session.execute(select(AuditRecord).where(AuditRecord.action == "points.adjust")).scalars().all()
    assert len(records) == 2 and "补录线下学习积分" in records[0].summary
    assert ledger_verify.verify() == []


def test_reversing_an_award_and_an_adjustment(people):
    admin = _user(people["admin"])
    account = points.person_account(_user(people["staff"]))
    wrong = awards.award(account, 6, "manual:wrong", "mistake", now=NOW)
    awards.award(account, 4, "manual:right", "fine", now=NOW)
    reservation = reservations.reserve(account, 8, now=NOW)  # takes the 6 and 2 of the 4
    with pytest.raises(LedgerError) as refused:
        awards.reverse(wrong, "发放错误", admin, now=NOW)  # only 2 points left to take
    assert refused.value.code == "insufficient_points"
    db.session.rollback()
    reservations.void(reservation, now=NOW)
    done = awards.reverse(wrong.id, "发放错误", admin, now=NOW)
    assert [(e.kind, e.amount, e.reverses_id) for e in done] == [("reverse", -6, wrong.id)]
    assert awards.reverse(wrong.id, "again", admin, now=NOW)[0].id == done[0].id  # once only
    assert points.balance(account, NOW).available == 4
    taken = awards.adjust(account, -4, "误扣测试", admin, now=NOW)
    awards.reverse(taken[0], "误扣，退回", admin, now=NOW)
    assert points.balance(account, NOW).available == 4
    with pytest.raises(LedgerError):
        awards.reverse(done[0], "x", admin)  # a reversal is not reversed
    with pytest.raises(InputError):
        awards.reverse(wrong, "", admin)
    assert _count(AuditRecord, AuditRecord.action == "points.reverse") == 2
    assert ledger_verify.verify() == []


def test_verify_finds_a_tampered_lot_and_the_command_fails(people, app):
    account = points.person_account(_user(people["staff"]))
    awards.award(account, 5, "manual:1", "x")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["points", "verify"]).exit_code == 0
    db.session.execute(update(PointsLot).values(remaining=50))
    db.session.commit()
    found = ledger_verify.verify()
    assert [(d.what, d.field, d.expected, d.actual) for d in found] == [("lot", "remaining", 5, 50)]
    result = runner.invoke(args=["points", "verify"])
    assert result.exit_code == 1 and "lot #" in result.output


# --- earning rules -----------------------------------------------------------------------------------


def _rule(kind, points_, **extra):
    row = db.session.get(EarningRule, kind) or EarningRule(kind=kind)
    row.points, row.daily_cap = points_, extra.get("daily_cap")
    row.period_days, row.valid_months = extra.get("period_days"), extra.get("valid_months", 12)
    db.session.add(row)
    db.session.commit()


def test_civil_servants_points_never_reach_a_pool(people):
    civil = _user(people["civil"])
    awards.award_for_activity(civil, "training", "training:1:civil", NOW, points=5)
    assert points.balance(points.person_account(civil), NOW).available == 5
    assert _count(PointsAccount, PointsAccount.owner_kind == "enterprise") == 0


def test_staff_points_flow_into_the_pool_within_the_cap_per_period(people):
    _rule("pool_person_cap", 5, period_days=30)
    staff, staff2 = _user(people["staff"]), _user(people["staff2"])
    for n in range(3):
        awards.award_for_activity(staff, "training", f"training:{n}:a", NOW + timedelta(days=n), points=3)
    awards.award_for_activity(staff2, "training", "training:0:b", NOW, points=3)
    pool = points.pool_account(people["firm"])
    assert points.balance(points.person_account(staff), NOW + timedelta(days=3)).available == 9  # personal: all
    assert points.balance(pool, NOW + timedelta(days=3)).available == 5 + 3  # staff-a capped at 5, staff-b 3
    # 30 days after the first award the period has moved on: staff-a adds again
    awards.award_for_activity(staff, "training", "training:9:a", NOW + timedelta(days=30), points=3)
    assert points.balance(pool, NOW + timedelta(days=30)).available == 8 + 3
    assert set(points.contributors(points.ledger(pool).items).values()) == {"staff-a", "staff-b"}


def test_practice_earns_up_to_the_daily_cap(people):
    _rule("practice", 2, daily_cap=5)
    staff = _user(people["staff"])
    earned = [awards.award_for_activity(staff, "practice", f"practice_answer:{n}", NOW) for n in range(4)]
    assert [e.amount if e else 0 for e in earned] == [2, 2, 1, 0]
    # the next day in China starts afresh
    tomorrow = NOW + timedelta(days=1)
    assert awards.award_for_activity(staff, "practice", "practice_answer:9", tomorrow).amount == 2
    with pytest.raises(ValueError):
        awards.award_for_activity(staff, "practice", "other:1", NOW)


def test_a_right_practice_answer_earns_points(people):
    from eduapp.services import practice

    question = factories.question()
    staff = _user(people["staff"])
    practice.answer(staff, str(question.id), str(question.current_version_id), ["1"], now=NOW)  # wrong
    practice.answer(staff, str(question.id), str(question.current_version_id), ["0"], now=NOW)  # right
    account = points.person_account(staff, create=False)
    assert points.balance(account, NOW).available == 1  # the default rule: 1 per right answer


def test_a_first_exam_pass_is_awarded_in_the_ledger(people):
    from eduapp.services import attempts

    factories.bank()
    exam = factories.exam()
    staff = _user(people["staff"])
    attempt = attempts.start(staff, exam)
    for item in attempt.items:
        answer = {"single": 1, "multiple": [0, 2, 3], "true_false": True, "fill_blank": ["15"]}[item.version.qtype]
        attempts.save_answer(attempt, item.id, answer, seq=1)
    result = attempts.submit(attempt)
    assert result.points_awarded == 2
    entry = points.by_source_key(f"exam_attempt:{attempt.id}")
    assert (entry.kind, entry.amount, entry.reason) == ("award", 2, "Exam passed")
    attempts.submit(attempt)
    assert _count(PointsEntry, PointsEntry.source_key.like("exam_attempt:%")) == 1
    assert points.balance(points.pool_account(people["firm"])).available == 2


def test_training_attendance_awards_once_per_person(people):
    admin = _user(people["admin"])
    training = trainings.create_training(admin, "集中学法：新《行政处罚法》", NOW.date(), 4)
    with pytest.raises(InputError) as err:
        trainings.record_attendance(admin, training, ["staff-a", "nobody", "admin-a"])
    assert [p.params.get("username") for p in err.value.problems] == ["nobody", "admin-a"]
    db.session.rollback()
    assert _count(TrainingAttendance) == 0
    first = trainings.record_attendance(admin, training, ["staff-a", "civil-a"], now=NOW)
    again = trainings.record_attendance(admin, training, ["staff-a", "staff-b"], now=NOW)
    assert (first.added, again.added, again.already) == (["staff-a", "civil-a"], ["staff-b"], ["staff-a"])
    assert _count(PointsEntry, PointsEntry.source_key.like("training:%")) == 3
    assert points.balance(points.person_account(_user(people["staff"])), NOW).available == 4


def test_competition_placings_are_awarded_once(people):
    from eduapp.models import Attempt

    factories.bank()
    exam = factories.exam(is_competition=True)
    staff, staff2 = _user(people["staff"]), _user(people["staff2"])
    for user, score in ((staff, 1800), (staff2, 1500)):
        db.session.add(Attempt(exam_id=exam.id, user_id=user.id, number=1, state="finished", started_at=NOW,
                               deadline=NOW + timedelta(hours=1), submitted_at=NOW + timedelta(minutes=20),
                               finished_by="candidate", score=score, max_score=2000, passed=True, points_awarded=0))
    db.session.commit()
    with pytest.raises(LedgerError):
        competitions.award_competition_placings(None, exam.id)  # still open
    after = exam.close_at + timedelta(minutes=1)
    assert competitions.award_competition_placings(None, exam.id, now=after) == 2
    assert competitions.award_competition_placings(None, exam.id, now=after) == 0
    assert points.by_source_key(f"competition:{exam.id}:{staff.id}").amount == 10
    assert points.by_source_key(f"competition:{exam.id}:{staff2.id}").amount == 6


def test_saving_rules_is_all_or_nothing_and_audited(people):
    admin = _user(people["admin"])
    values = {kind: {"points": r.points, "daily_cap": r.daily_cap, "period_days": r.period_days,
                     "valid_months": r.valid_months} for kind, r in awards.rules_table().items()}
    values["practice"]["points"] = 3
    values["training"]["valid_months"] = 0
    with pytest.raises(InputError) as err:
        awards.save_rules(admin, values)
    assert [p.field for p in err.value.problems] == ["training-valid_months"]
    db.session.rollback()
    assert _count(EarningRule) == 0
    values["training"]["valid_months"] = 24
    awards.save_rules(admin, values)
    assert awards.rule_for("practice").points == 3 and awards.rule_for("training").valid_months == 24
    assert _count(AuditRecord, AuditRecord.action == "points.rules") == 1


# --- API ---------------------------------------------------------------------------------------------


def _token(client, username):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


@time_machine.travel(NOW, tick=True)
def test_api_my_points_and_ledger(client, people):
    staff = _user(people["staff"])
    headers = _token(client, "staff-a")
    assert client.get("/api/v1/me/points", headers=headers).json == {"available": 0, "reserved": 0,
                                                                      "expiring_30d": 0}
    assert client.get("/api/v1/me/ledger", headers=headers).json["total"] == 0
    account = points.person_account(staff)
    for n in range(25):
        awards.award(account, 1, f"manual:{n}", "x")
    # expiring in 3 days, before the others: the reservation takes it first (earliest expiry first)
    awards.award(account, 2, "manual:soon", "y", expires_at=NOW + timedelta(days=3))
    reservations.reserve(account, 3)
    assert client.get("/api/v1/me/points", headers=headers).json == {"available": 24, "reserved": 3,
                                                                      "expiring_30d": 0}
    page = client.get("/api/v1/me/ledger?page=2&per_page=10", headers=headers).json
    assert page["total"] == 28 and page["page"] == 2 and len(page["items"]) == 10
    assert set(page["items"][0]) == {"id", "kind", "amount", "reason", "created_at", "expires_at"}
    newest = client.get("/api/v1/me/ledger?per_page=1", headers=headers).json["items"][0]
    assert newest["kind"] == "reserve" and newest["amount"] == -1 and newest["reason"]  # one entry per lot taken
    oldest = client.get("/api/v1/me/ledger?page=28&per_page=1", headers=headers).json["items"][0]
    assert (oldest["kind"], oldest["amount"], oldest["reason"]) == ("award", 1, "x")  # a given reason, as written
    assert oldest["expires_at"] is not None
    too_many = client.get("/api/v1/me/ledger?per_page=101", headers=headers)
    assert too_many.status_code == 422 and "per_page" in too_many.json["error"]["fields"]
    assert client.get("/api/v1/me/ledger?page=0", headers=headers).status_code == 422


def test_api_enterprise_pool_is_for_contacts_only(client, people):
    pool = points.pool_account(people["firm"])
    awards.award(pool, 40, "seed:1", "seed")
    body = client.get("/api/v1/enterprise/points", headers=_token(client, "contact-a")).json
    assert body == {"available": 40, "reserved": 0, "expiring_30d": 0, "enterprise_id": people["firm"],
                    "enterprise_name": "甲企业"}
    for username in ("staff-a", "civil-a", "admin-a"):
        denied = client.get("/api/v1/enterprise/points", headers=_token(client, username))
        assert denied.status_code == 403 and denied.json["error"]["code"] == "forbidden"
    assert client.get("/api/v1/enterprise/points").status_code == 401


def test_openapi_lists_the_points_endpoints(client):
    doc = client.get("/api/v1/openapi.json").json
    assert {"/api/v1/me/points", "/api/v1/me/ledger", "/api/v1/enterprise/points"} <= set(doc["paths"])


# --- pages -------------------------------------------------------------------------------------------


def test_my_points_page_shows_balance_ledger_and_for_contacts_the_pool(client, auth, people):
    staff = _user(people["staff"])
    awards.award_for_activity(staff, "training", "training:1:a", points=3)
    auth.login("staff-a")
    page = client.get("/points/").get_data(as_text=True)
    assert client.get("/points/").status_code == 200 and 'href="/points/"' in page
    assert "+3" in page
    auth.logout()
    auth.login("contact-a")
    page = client.get("/points/").get_data(as_text=True)
    assert "甲企业" in page and "staff-a" in page  # the pool, and whose study earned it
    assert client.get("/points/rules").status_code == 403


def test_admin_rules_form_names_bad_fields_and_changes_nothing(client, auth, people):
    auth.login("admin-a")
    form = client.get("/points/rules").get_data(as_text=True)
    assert 'name="practice-daily_cap"' in form
    data = {f"{kind}-{name}": str(value) for kind, rule in awards.rules_table().items()
            for name, value in vars(rule).items() if name != "kind" and value is not None}
    data = {k: v for k, v in data.items() if k.split("-")[1] in ("points", "daily_cap", "valid_months", "period_days")}
    data.pop("exam_pass-daily_cap", None)
    bad = dict(data, **{"practice-points": "many", "training-valid_months": "0"})
    response = auth.post("/points/rules", bad, form_page="/points/rules")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "is-invalid" in body and _count(EarningRule) == 0
    ok = auth.post("/points/rules", dict(data, **{"practice-points": "2"}), form_page="/points/rules")
    assert ok.status_code == 302 and awards.rule_for("practice").points == 2


def test_admin_adjusts_with_a_reason_and_reverses(client, auth, people):
    auth.login("admin-a")
    missing = auth.post("/points/adjust", {"owner_kind": "person", "account": "staff-a", "points": "5",
                                           "valid_months": "12", "reason": ""}, form_page="/points/adjust")
    assert missing.status_code == 400 and _count(PointsEntry) == 0
    unknown = auth.post("/points/adjust", {"owner_kind": "person", "account": "nobody", "points": "5",
                                           "valid_months": "12", "reason": "x"}, form_page="/points/adjust")
    assert unknown.status_code == 400 and _count(PointsEntry) == 0
    done = auth.post("/points/adjust", {"owner_kind": "enterprise", "account": "甲企业", "points": "5",
                                        "valid_months": "12", "reason": "竞赛组织奖励"}, form_page="/points/adjust")
    assert done.status_code == 302
    entry = db.session.execute(select(PointsEntry)).scalar_one()
    account_page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "竞赛组织奖励" in account_page and f"/points/entries/{entry.id}/reverse" in account_page
    path = f"/points/entries/{entry.id}/reverse"
    assert auth.post(path, {"reason": ""}, form_page=path).status_code == 400
    assert auth.post(path, {"reason": "录入错误"}, form_page=path).status_code == 302
    assert points.balance(entry.account_id).available == 0


def test_admin_records_training_attendance(client, auth, people):
    auth.login("admin-a")
    bad = auth.post("/points/trainings", {"title": "", "held_on": "2026-03-10", "points": "4"},
                    form_page="/points/trainings")
    assert bad.status_code == 400
    made = auth.post("/points/trainings", {"title": "集中学法", "held_on": "2026-03-10", "points": "4"},
                     form_page="/points/trainings")
    assert made.status_code == 302
    path = made.headers["Location"]
    refused = auth.post(path, {"usernames": "staff-a nobody"}, form_page=path)
    assert refused.status_code == 400 and "nobody" in refused.get_data(as_text=True)
    assert _count(TrainingAttendance) == 0
    assert auth.post(path, {"usernames": "staff-a，civil-a"}, form_page=path).status_code == 302
    assert auth.post(path, {"usernames": "staff-a"}, form_page=path).status_code == 302
    assert _count(TrainingAttendance) == 2 and _count(PointsEntry, PointsEntry.source_key.like("training:%")) == 2
    assert "civil-a" in client.get(path).get_data(as_text=True)
    auth.logout()
    auth.login("staff-a")
    assert client.get("/points/trainings").status_code == 403
