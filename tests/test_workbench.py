"""The 工作台 (home page after sign-in) and GET /api/v1/me/workbench, per role, with the clock frozen
(docs/workbench.md)."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import (
    AuditRecord,
    Delivery,
    PenaltyCase,
    PracticeAnswer,
    Question,
    QuestionVersion,
    Reminder,
    StudyDay,
    ViolationType,
)
from eduapp.services import attempts, awards, offsets, points, practice, rule_sets
from tests import factories
from tests.conftest import PASSWORD
from tests.test_offsets import _rule

NOW = datetime(2026, 6, 10, 2, 0, tzinfo=UTC)  # 10:00 in China, Wednesday 10 June 2026
TODAY = date(2026, 6, 10)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _page(client, auth, username: str) -> str:
    auth.login(username)
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _token(client, username: str) -> dict:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json['token']}"}


# --- the learner -------------------------------------------------------------------------------------


@pytest.fixture
def learner(ctx, frozen):
    org = factories.enterprise("甲企业", 1)
    staff = factories.user("staff-a", org, Role.ENTERPRISE_STAFF, full_name="张操作")
    factories.bank()
    version = db.session.execute(select(Question).where(Question.uid == "s-000")).scalar_one().current_version_id
    question_id = db.session.execute(select(Question.id).where(Question.uid == "s-000")).scalar_one()
    # Study on 6 June, then 8, 9 and 10 June (China): a streak of 3 (the 7th broke the earlier one).
    db.session.add_all([
        StudyDay(user_id=staff.id, day=date(2026, 6, 6), seconds=600, last_beat_at=NOW - timedelta(days=4)),
        StudyDay(user_id=staff.id, day=date(2026, 6, 8), seconds=600, last_beat_at=NOW - timedelta(days=2)),
        StudyDay(user_id=staff.id, day=date(2026, 6, 10), seconds=120, last_beat_at=NOW),
        # 9 June 23:30 in China is 15:30 UTC: the day in China counts, not the UTC day
        PracticeAnswer(user_id=staff.id, question_id=question_id, version_id=version, correct=True,
                       source="practice", answered_at=datetime(2026, 6, 9, 15, 30, tzinfo=UTC)),
    ])
    db.session.commit()
    # 50 points, 20 of them expiring on 1 July (within 30 days)
    account = points.person_account(staff)
    awards.award(account, 30, "test:later", "测试积分", valid_months=12)
    awards.award(account, 20, "test:soon", "测试积分", expires_at=datetime(2026, 7, 1, 15, 0, tzinfo=UTC))
    exam = factories.exam(title="年度学法考试")
    return {"user": staff, "exam": exam}


def test_a_learner_sees_points_expiring_the_daily_set_open_exams_and_a_streak_of_three(client, auth, learner):
    html = _page(client, auth, "staff-a")
    assert "工作台" in html and "我的学习" in html
    assert 'data-testid="points">50<' in html
    assert "20 积分将在 30 天内到期" in html and "2026-07-01" in html
    assert 'data-testid="streak">3<' in html
    assert "每日一练：今天还剩 10 题" in html and "/practice/daily" in html
    assert "年度学法考试" in html and "剩余 2 次" in html
    assert "还没有已交卷的考试" in html


def test_a_finished_attempt_shows_in_the_results_linked_to_its_page(client, auth, learner):
    attempt = attempts.start(learner["user"], learner["exam"])
    attempts.submit(attempt)
    html = _page(client, auth, "staff-a")
    assert f"/exams/attempts/{attempt.id}/result" in html and "不合格" in html and "0/20" in html
    assert "剩余 1 次" in html


def test_the_daily_set_done_says_so(client, auth, learner):
    today = practice.daily(learner["user"])
    for question_id in today.question_ids:
        question = practice.published_question(question_id)
        version = db.session.get(QuestionVersion, question.current_version_id)
        values = {"single": ["0"], "multiple": ["0"], "true_false": ["true"], "fill_blank": ["x"]}[version.qtype]
        practice.daily_answer(learner["user"], str(question_id), str(version.id), values)
    html = _page(client, auth, "staff-a")
    assert "今天的每日一练已完成" in html


def test_a_training_the_learner_registered_for_is_among_todays_tasks(client, auth, learner):
    from eduapp.domain import trainings as kinds
    from eduapp.services import training_registrations, trainings

    admin = factories.user("trainer", factories.unit("学法办"), Role.SYSADMIN)
    coming = trainings.create_training(admin, "集中学法：固体废物污染环境防治法", date(2026, 6, 12), 2,
                                       kind=kinds.COLLECTIVE_STUDY, at=time(9))
    other = trainings.create_training(admin, "一把手讲法", date(2026, 6, 15), 2, kind=kinds.HEAD_LECTURE, at=time(9))
    html = _page(client, auth, "staff-a")
    assert "固体废物污染环境防治法" not in html  # not registered: not a task
    training_registrations.register(learner["user"], coming.id, NOW)
    html = client.get("/").get_data(as_text=True)
    assert "集中学法：固体废物污染环境防治法" in html and "2026-06-12 09:00" in html and "一把手讲法" not in html
    body = client.get("/api/v1/me/workbench", headers=_token(client, "staff-a")).json
    assert [(t["id"], t["kind"]) for t in body["learner"]["trainings"]] == [(coming.id, "collective_study")]
    assert other.id not in {t["id"] for t in body["learner"]["trainings"]}


def test_the_learners_api_has_only_the_learner_panel(client, learner):
    body = client.get("/api/v1/me/workbench", headers=_token(client, "staff-a")).json
    assert set(body) == {"learner"}
    panel = body["learner"]
    assert panel["streak"] == 3
    assert (panel["points"]["available"], panel["points"]["expiring_soon"]) == (50, 20)
    assert panel["points"]["next_expiry_on"] == "2026-07-01"
    assert panel["daily"] == {"questions": 10, "answered": 0, "right": 0, "done": False, "link": "/practice/daily"}
    assert [(e["title"], e["attempts_left"]) for e in panel["exams"]] == [("年度学法考试", 2)]


def test_signed_out_the_api_answers_401(client):
    assert client.get("/api/v1/me/workbench").status_code == 401


# --- the enterprise and the bureau's to-do -----------------------------------------------------------------


@pytest.fixture
def world(ctx, frozen):
    org = factories.enterprise("甲企业", 1)
    bureau = factories.unit("示范市生态环境局")
    people = {
        "contact": factories.user("contact-a", org, Role.ENTERPRISE_CONTACT, full_name="李环保"),
        "staff": factories.user("staff-a", org, Role.ENTERPRISE_STAFF, full_name="张操作"),
        "officer": factories.user("officer", bureau, Role.CASE_OFFICER),
        "reviewer": factories.user("reviewer", bureau, Role.LEGAL_REVIEWER),
        "approver": factories.user("approver", bureau, Role.APPROVER),
    }
    vt = ViolationType(code="AIR-99-1", name="未依法取得排污许可证排放大气污染物", law="中华人民共和国大气污染防治法",
                       article="第九十九条", clause="第（一）项", fine_min=10_000_000, fine_max=100_000_000)
    db.session.add(vt)
    db.session.flush()
    cases = []
    for n, opened in ((1, date(2026, 5, 1)), (2, date(2026, 5, 20))):  # §60 deadlines: 30 July, 18 August
        case = PenaltyCase(case_number=f"示环罚〔2026〕{n}号", enterprise_id=org.id, violation_type_id=vt.id,
                           status="notified", harm_level="minor", corrected=True, opened_on=opened,
                           proposed_fine=20_000_000, officer_id=people["officer"].id)
        db.session.add(case)
        cases.append(case)
    db.session.commit()
    rule_sets.save(None, None, _rule())  # the offset rule of tests/test_offsets.py
    awards.award(points.pool_account(org), 30_000, "test:pool", "测试积分")
    return {"org": org, "cases": cases, **people}


def test_the_contact_sees_the_pool_what_it_covers_who_has_not_passed_and_unread_notices(client, auth, world):
    factories.bank()
    factories.exam(title="年度学法考试")
    db.session.add(Reminder(kind="exam_closing", object_type="exam", object_id=1, recipient_id=world["contact"].id,
                            occasion="1d", params={}, link="/exams/"))
    db.session.commit()
    html = _page(client, auth, "contact-a")
    assert "我的企业" in html and 'data-testid="pool">30000<' in html
    assert 'data-testid="unread">1<' in html
    assert "示环罚〔2026〕1号" in html and "¥30,000.00" in html
    assert "年度学法考试" in html and "张操作" in html and "0/1 人已通过" in html
    assert "我的学习" in html  # a contact studies too


def test_the_contact_sees_an_application_under_way(client, world):
    offsets.apply(world["contact"], world["cases"][0], undertaking=True)
    body = client.get("/api/v1/me/workbench", headers=_token(client, "contact-a")).json
    assert set(body) == {"learner", "enterprise"}
    by_number = {c["case_number"]: c for c in body["enterprise"]["cases"]}
    assert by_number["示环罚〔2026〕1号"]["state"] == "applied"
    assert by_number["示环罚〔2026〕1号"]["step"] == "officer"
    assert body["enterprise"]["pool"]["reserved"] == 30_000


def test_the_approver_sees_the_application_waiting_with_the_days_left(client, auth, world):
    application = offsets.apply(world["contact"], world["cases"][0], undertaking=True)
    offsets.decide(world["officer"], application, "approve", "同意")
    offsets.decide(world["reviewer"], application, "approve", "同意")
    html = _page(client, auth, "approver")
    assert "待办" in html and "示环罚〔2026〕1号" in html
    assert "剩余 50 天" in html  # decided by 30 July; today is 10 June
    assert f"/offsets/applications/{application.id}" in html
    body = client.get("/api/v1/me/workbench", headers=_token(client, "approver")).json
    assert set(body) == {"todo"}
    [item] = body["todo"]["applications"]
    assert (item["step"], item["days_left"], item["due_on"]) == ("approver", 50, "2026-07-30")


def test_the_case_officer_sees_their_cases_soonest_deadline_first_and_the_reviewer_has_nothing(client, auth, world):
    body = client.get("/api/v1/me/workbench", headers=_token(client, "officer")).json
    assert [(c["case_number"], c["days_left"]) for c in body["todo"]["cases"]] == [
        ("示环罚〔2026〕1号", 50), ("示环罚〔2026〕2号", 69)]
    html = _page(client, auth, "reviewer")
    assert "暂无待办：没有等待您处理的申请" in html


# --- question editor, exam manager, administrator -----------------------------------------------------------


def test_the_editor_and_exam_manager_see_drafts_exams_opening_soon_and_flagged_questions(client, auth, ctx, frozen,
                                                                                          app, monkeypatch):
    monkeypatch.setitem(app.config, "STATS_MIN_ATTEMPTS", 1)  # flags from one attempt (the default 30: below)
    bureau = factories.unit("示范市生态环境局")
    factories.user("editor", bureau, Role.QUESTION_EDITOR)
    manager = factories.user("manager", bureau, Role.EXAM_MANAGER)
    org = factories.enterprise("甲企业", 1)
    staff = factories.user("staff-a", org)
    factories.bank()
    db.session.execute(select(Question).where(Question.uid == "t-001")).scalar_one().status = "draft"
    db.session.commit()
    factories.exam(manager, title="草稿考试", status="draft")
    factories.exam(manager, title="下周考试", open_at=NOW + timedelta(days=3), close_at=NOW + timedelta(days=5))
    taken = factories.exam(manager, title="已考考试")
    attempts.submit(attempts.start(staff, taken))  # nothing answered: every question is too hard

    html = _page(client, auth, "editor")
    assert "题库与考试" in html and "t-001" in html and "过难" in html
    assert f"/manage/exams/{taken.id}/stats" not in html  # the statistics are the exam manager's page
    assert "草稿考试" not in html  # exams are the exam manager's
    auth.logout()
    html = _page(client, auth, "manager")
    assert "草稿考试" in html and "下周考试" in html and f"/manage/exams/{taken.id}/stats" in html
    body = client.get("/api/v1/me/workbench", headers=_token(client, "manager")).json
    assert set(body) == {"content"} and "question_drafts" not in body["content"]
    assert [e["title"] for e in body["content"]["opening_soon"]] == ["下周考试"]
    assert body["content"]["flagged"]
    # with the default minimum sample (30 attempts), one attempt flags nothing
    monkeypatch.setitem(app.config, "STATS_MIN_ATTEMPTS", 30)
    body = client.get("/api/v1/me/workbench", headers=_token(client, "manager")).json
    assert body["content"]["flagged"] == []


def test_the_administrator_sees_failed_deliveries_the_last_scan_and_checks_the_audit_chain(client, auth, ctx, frozen):
    from eduapp.services import last_runs

    bureau = factories.unit("示范市生态环境局")
    admin = factories.user("admin", bureau, Role.SYSADMIN)
    last_runs.forget_scan()  # Redis outlives the tables the tests empty
    html = _page(client, auth, "admin")
    assert "尚未运行过提醒扫描" in html and "审计链尚未校验" in html
    reminder = Reminder(kind="exam_closing", object_type="exam", object_id=1, recipient_id=admin.id, occasion="1d",
                        params={}, link="/exams/", created_at=NOW - timedelta(hours=2))
    db.session.add(reminder)
    db.session.flush()
    db.session.add(Delivery(reminder_id=reminder.id, channel="sms", status="failed", attempts=3,
                            last_error="网关拒绝", updated_at=NOW))
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert 'data-testid="failed">1<' in html and "网关拒绝" in html
    if last_runs.record_scan(NOW - timedelta(minutes=30)):  # Redis is there (the PostgreSQL + Redis run)
        html = client.get("/").get_data(as_text=True)
        assert "上次运行 2026-06-10 09:30（不到 1 小时前）" in html and "节拍器" not in html
        last_runs.record_scan(NOW - timedelta(hours=3))  # six runs missed: the beat may be down
        assert "节拍器是否在运行" in client.get("/").get_data(as_text=True)
        last_runs.forget_scan()
    else:
        assert "最新一条提醒写于 2026-06-10 08:00。" in html

    response = auth.post("/workbench/verify-audit", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "审计链完整" in html and "admin" in html
    assert db.session.execute(select(AuditRecord).where(AuditRecord.action == "audit.verified")).scalar() is not None
    body = client.get("/api/v1/me/workbench", headers=_token(client, "admin")).json
    assert set(body) == {"admin"} and body["admin"]["audit"]["ok"] is True
    assert body["admin"]["failed_deliveries"] == 1


def test_only_an_administrator_may_check_the_chain(client, auth, learner):
    auth.login("staff-a")
    assert auth.post("/workbench/verify-audit").status_code == 403
    assert db.session.execute(select(AuditRecord).where(AuditRecord.action == "audit.verified")).scalar() is None


def test_an_unreadable_anchor_file_is_shown_as_not_intact_never_a_500(client, auth, ctx, frozen):
    from eduapp.services import audit

    factories.user("admin", factories.unit("示范市生态环境局"), Role.SYSADMIN)
    audit.anchor_path().write_text("not an anchor\n", encoding="utf-8")
    auth.login("admin")
    html = auth.post("/workbench/verify-audit", follow_redirects=True).get_data(as_text=True)
    assert "无法校验审计链" in html and "审计链不完整" in html
