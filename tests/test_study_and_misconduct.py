"""Study time in the law library (heartbeats -> study-time points), annulling an attempt for
misconduct (points reversed, the offset check "no earlier fraud in study"), and the periodic award of
competition placings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from eduapp.domain import study as study_rules
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Attempt, AuditRecord, PointsEntry, User
from eduapp.services import awards, ledger_verify, misconduct, points, study
from eduapp.services.misconduct import MisconductError
from eduapp.tasks.points import award_competition_placings
from tests import factories
from tests.test_offsets import world  # noqa: F401 (the offsets fixture)

NOW = datetime(2026, 3, 16, 1, 0, tzinfo=UTC)  # 09:00 in China


@pytest.mark.parametrize(("gap", "credited"), [
    (None, 0),  # the first beat starts a stretch
    (0, 0),
    (60, 60),
    (75, 75),
    (76, 75),  # a late beat earns no more than a page read in the open
    (150, 75),
    (151, 0),  # after a long gap (asleep, closed): a new stretch
    (-5, 0),  # a clock running backwards earns nothing
])
def test_a_heartbeat_credits_the_time_since_the_last_one_within_limits(gap, credited):
    last = None if gap is None else NOW - timedelta(seconds=gap)
    assert study_rules.credit(last, NOW) == credited


@pytest.mark.parametrize(("before", "after", "units"), [
    (0, 1799, []), (0, 1800, [1]), (1799, 1800, [1]), (1800, 3599, []), (1750, 5400, [1, 2, 3]),
])
def test_units_of_study_completed(before, after, units):
    assert study_rules.units_completed(before, after) == units


@pytest.fixture
def learner(ctx):
    firm = factories.enterprise("甲企业", 1)
    return factories.user("staff-a", firm, Role.ENTERPRISE_STAFF)


def _beats(user, start, minutes, every=60):
    beat = None
    for n in range(minutes * 60 // every + 1):
        beat = study.heartbeat(user, start + timedelta(seconds=n * every))
    return beat


def test_thirty_minutes_of_reading_earn_the_study_points_for_person_and_pool(learner):
    beat = _beats(learner, NOW, 29)
    assert beat.seconds == 29 * 60 and points.balance(points.person_account(learner), NOW).available == 0
    beat = study.heartbeat(learner, NOW + timedelta(minutes=30))
    assert beat.seconds == 30 * 60 and beat.awarded_units == [1]
    key = f"study_time:{learner.id}:2026-03-16:1"
    assert points.by_source_key(key).amount == 1
    assert points.by_source_key(f"pool:{learner.id}:{key}").amount == 1
    # Two tabs beating at the same moment count the time once.
    again = study.heartbeat(learner, NOW + timedelta(minutes=30))
    assert again.seconds == 30 * 60 and again.awarded_units == []


def test_study_time_points_stop_at_the_daily_cap_and_restart_the_next_day(learner):
    _beats(learner, NOW, 5 * 30)  # five units; the default rule: 1 point each, at most 4 a day
    account = points.person_account(learner)
    assert points.balance(account, NOW + timedelta(hours=3)).available == 4
    assert study.seconds_on(learner.id, NOW.date()) == 150 * 60
    next_day = NOW + timedelta(days=1)
    _beats(learner, next_day, 30)
    assert points.balance(account, next_day + timedelta(hours=1)).available == 5


def test_the_heartbeat_endpoint_needs_the_csrf_token_and_a_learner(client, auth, learner):
    from tests.conftest import csrf_token

    # At 23:59:30 in China the second beat would fall on the next day: the clock is NOW (09:00), a minute on.
    with time_machine.travel(NOW, tick=False) as traveller:
        auth.login("staff-a")
        law_page = client.get("/laws/")
        assert law_page.status_code == 200
        assert client.post("/points/study/heartbeat").status_code == 400  # no CSRF token
        token = csrf_token(client, "/")
        response = client.post("/points/study/heartbeat", headers={"X-CSRFToken": token})
        assert response.status_code == 200 and response.json["seconds"] == 0
        traveller.shift(timedelta(seconds=60))
        assert client.post("/points/study/heartbeat", headers={"X-CSRFToken": token}).json["seconds"] == 60
        assert 'id="study-today"' in client.get("/points/").get_data(as_text=True)
    assert study.seconds_on(learner.id, NOW.date()) == 60


# --- misconduct ---------------------------------------------------------------------------------------


def _finished(user, exam, score, passed, when=NOW, points_awarded=0):
    attempt = Attempt(exam_id=exam.id, user_id=user.id, number=1, state="finished", started_at=when,
                      deadline=when + timedelta(hours=1), submitted_at=when + timedelta(minutes=20),
                      finished_by="candidate", score=score, max_score=2000, passed=passed,
                      points_awarded=points_awarded)
    db.session.add(attempt)
    db.session.commit()
    return attempt


@pytest.fixture
def cheat(ctx):
    firm = factories.enterprise("甲企业", 1)
    bureau = factories.unit("生态环境局")
    staff = factories.user("staff-a", firm, Role.ENTERPRISE_STAFF)
    manager = factories.user("manager", bureau, Role.EXAM_MANAGER)
    factories.bank()
    exam = factories.exam(points_on_pass=5)
    attempt = _finished(staff, exam, 1800, True, points_awarded=5)
    awards.award_for_activity(staff, "exam_pass", f"exam_attempt:{attempt.id}", NOW, points=5)
    return {"firm": firm, "staff": staff, "manager": manager, "exam": exam, "attempt": attempt}


def test_annulling_an_attempt_reverses_its_points_and_is_audited(cheat):
    staff, attempt = cheat["staff"], cheat["attempt"]
    later = NOW + timedelta(days=1)
    assert points.balance(points.pool_account(cheat["firm"]), later).available == 5
    done = misconduct.annul(cheat["exam"].id, attempt.id, cheat["manager"], "考试期间由他人代答", now=later)
    assert done.reversed_points == 10 and done.not_reversed == []  # 5 personal + 5 in the pool
    assert points.balance(points.person_account(staff), later).available == 0
    assert points.balance(points.pool_account(cheat["firm"]), later).available == 0
    db.session.refresh(attempt)
    assert (attempt.state, attempt.passed, attempt.annul_reason) == ("annulled", False, "考试期间由他人代答")
    record = db.session.execute(select(AuditRecord).where(AuditRecord.action == "attempt.annul")).scalar_one()
    assert record.object_id == str(attempt.id) and "代答" in record.summary
    assert misconduct.enterprise_has_fraud(cheat["firm"].id)
    with pytest.raises(MisconductError):  # once
        misconduct.annul(cheat["exam"].id, attempt.id, cheat["manager"], "again", now=later)
    assert ledger_verify.verify() == []


def test_annulling_needs_a_reason_and_changes_nothing_without_one(cheat):
    with pytest.raises(InputError) as error:
        misconduct.annul(cheat["exam"].id, cheat["attempt"].id, cheat["manager"], "   ")
    assert error.value.problems[0].field == "reason"
    db.session.refresh(cheat["attempt"])
    assert cheat["attempt"].state == "finished" and not misconduct.enterprise_has_fraud(cheat["firm"].id)


def test_an_annulled_attempt_leaves_the_leaderboard(cheat):
    from eduapp.services import exam_stats

    assert [e.user_id for e in exam_stats.leaderboard(cheat["exam"]).entries] == [cheat["staff"].id]
    misconduct.annul(cheat["exam"].id, cheat["attempt"].id, cheat["manager"], "作弊")
    assert exam_stats.leaderboard(cheat["exam"]).entries == []


def test_the_attempts_page_annuls_for_exam_managers_only(client, auth, cheat):
    exam, attempt = cheat["exam"], cheat["attempt"]
    auth.login("staff-a")
    assert client.get(f"/manage/exams/{exam.id}/attempts").status_code == 403
    auth.logout()
    auth.login("manager")
    page = client.get(f"/manage/exams/{exam.id}/attempts")
    assert page.status_code == 200 and "staff-a" in page.get_data(as_text=True)
    path = f"/manage/exams/{exam.id}/attempts/{attempt.id}/annul"
    empty = auth.post(path, {"reason": ""}, form_page=f"/manage/exams/{exam.id}/attempts", follow_redirects=True)
    assert empty.status_code == 200
    db.session.refresh(attempt)
    assert attempt.state == "finished"
    done = auth.post(path, {"reason": "使用手机查询答案"}, form_page=f"/manage/exams/{exam.id}/attempts",
                     follow_redirects=True)
    assert done.status_code == 200
    db.session.expire_all()
    assert db.session.get(Attempt, attempt.id).state == "annulled"
    assert auth.post(f"/manage/exams/{exam.id}/attempts/999999/annul", {"reason": "x"},
                     form_page=f"/manage/exams/{exam.id}/attempts").status_code == 404


def test_fraud_in_study_fails_the_offset_check(world):  # noqa: F811
    from eduapp.services import offsets

    case = world["cases"][0]
    assert "no_fraud" not in {c.key for c in offsets.preview(case).evaluation.failed()}
    factories.bank()
    exam = factories.exam()
    staff = factories.user("staff-x", world["org"], Role.ENTERPRISE_STAFF)
    manager = factories.user("manager", factories.unit("考试中心"), Role.EXAM_MANAGER)
    attempt = _finished(staff, exam, 1800, True)
    misconduct.annul(exam.id, attempt.id, manager, "代考")
    failed = {c.key: c for c in offsets.preview(case).evaluation.failed()}
    assert "no_fraud" in failed and "作弊" in failed["no_fraud"].reason
    # The other enterprise is not touched by it.
    assert "no_fraud" not in {c.key for c in offsets.preview(world["cases"][2]).evaluation.failed()}


# --- competitions ----------------------------------------------------------------------------------------


def test_the_periodic_task_awards_closed_competitions_once(ctx):
    firm = factories.enterprise("甲企业", 1)
    a = factories.user("staff-a", firm, Role.ENTERPRISE_STAFF)
    b = factories.user("staff-b", firm, Role.ENTERPRISE_STAFF)
    factories.bank()
    now = NOW
    open_one = factories.exam(is_competition=True, open_at=now - timedelta(hours=1), close_at=now + timedelta(days=1))
    closed = factories.exam(is_competition=True, open_at=now - timedelta(days=2), close_at=now - timedelta(hours=1))
    for user, score in ((a, 1800), (b, 1500)):
        for exam in (open_one, closed):
            _finished(user, exam, score, True, when=now - timedelta(days=1))
    with time_machine.travel(now, tick=True):  # the task reads the clock: the competition closed an hour ago
        assert award_competition_placings.apply().get() == {str(closed.id): 2}
        assert award_competition_placings.apply().get() == {str(closed.id): 0}
    assert points.by_source_key(f"competition:{closed.id}:{a.id}").amount == 10
    assert points.by_source_key(f"competition:{open_one.id}:{a.id}") is None
    assert db.session.execute(select(func.count()).select_from(PointsEntry)
                              .where(PointsEntry.source_key.like("competition:%"))).scalar_one() == 2
    assert db.session.get(User, b.id) is not None
