"""Demo data for the early-warning reminders: something due for every kind, so that
``eduapp reminders run`` right after ``eduapp demo`` sends at least one of each.

Dates are relative to the day the demo is loaded; each piece is added once (a second run finds it).
The study-requirement reminder falls in the last 60 days of the year (its lead times), as in real use.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from eduapp.demo.base import ACCOUNTS, contact_passes_an_exam
from eduapp.domain.blueprint import Section
from eduapp.domain.exam_rules import AudienceEntry
from eduapp.domain.points import end_of_day
from eduapp.domain.practice import CHINA
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Exam, OffsetApplication, PenaltyCase, Training, TrainingRegistration, User, utcnow
from eduapp.services import accounts, audit, cases, exams, orgs

WEEKLY_QUIZ = "每周学法小测（示范）"
TRAINING = "排污许可管理条例专题培训（示范）"
REVIEW_CASE = ("示环罚〔2026〕104号", "AIR-100-3", 6_000_000)  # 示范热电: an application awaiting review
DECIDED_CASE = ("示环罚〔2026〕105号", "WATER-82-2", 2_000_000)  # 示范印染: decided 11 days ago, unpaid
DEADLINE_CASE = ("示环罚〔2026〕106号", "AIR-99-2", 15_000_000)  # 示范印染: opened 80 days ago, 10 days left (§60)
CORRECTION_CASE = "示环罚〔2026〕103号"  # the demo's ineligible case: its order to correct falls due in 2 days


def load(result, today: date) -> None:
    _addresses(result)
    _weekly_quiz(result)
    _expiring_points(result, today)
    _application_awaiting_review(result, today)
    _decided_unpaid_case(result, today)
    _case_near_its_deadline(result, today)
    _correction_deadline(result, today)
    _training_tomorrow(result, today)


def _addresses(result) -> None:
    """Demo accounts get an e-mail address and a mobile number, so e-mail and SMS go out (to the
    console backends unless SMTP or an SMS gateway is configured)."""
    changed = 0
    for n, (username, *_rest) in enumerate(ACCOUNTS):
        user = accounts.find_by_username(username)
        if user is not None and not user.email and not user.phone:
            user.email, user.phone = f"{username}@example.com", f"139{n:08d}"
            changed += 1
    if changed:
        audit.record("user.update", actor=None, obj_type="user", obj_id=None,
                     summary={"demo": f"e-mail and mobile number for {changed} demo accounts"})
        db.session.commit()
    result.updated += changed


def _weekly_quiz(result) -> None:
    if db.session.execute(select(Exam.id).where(Exam.title == WEEKLY_QUIZ)).first() is not None:
        result.unchanged += 1
        return
    now = utcnow().replace(second=0, microsecond=0)
    audience = [AudienceEntry("role", r.value)
                for r in (Role.ENTERPRISE_STAFF, Role.ENTERPRISE_CONTACT, Role.CIVIL_SERVANT)]
    try:
        exams.save(None, None, {
            "title": WEEKLY_QUIZ, "description": "示范数据：10道单选题，两天后截止。", "is_competition": False,
            "status": "published", "open_at": now - timedelta(hours=1), "close_at": now + timedelta(days=2),
            "duration_minutes": 15, "attempts_allowed": 3, "grading_method": "highest", "pass_score": 60,
            "shuffle_questions": True, "shuffle_options": True, "navigation": "free",
            "review_policy": "after_submit", "mc_rule": "partial_half", "points_on_pass": 1, "certificate": False,
        }, [Section("单选题", "single", 10, 10)], audience)
    except InputError:
        result.notes.append(f"{WEEKLY_QUIZ}: the question bank cannot fill it yet")
        return
    result.created += 1


def _expiring_points(result, today: date) -> None:
    from eduapp.services import awards, points

    staff = accounts.find_by_username("demo-staff")
    if staff is None or points.by_source_key("demo:expiring") is not None:
        result.unchanged += 1
        return
    awards.award(points.person_account(staff), 3, "demo:expiring", "示范数据：即将过期的学法积分",
                 expires_at=end_of_day(today + timedelta(days=20)))
    result.created += 1


def _case(number: str, code: str, fine: int, enterprise_name: str, fields: dict, today: date) -> PenaltyCase | None:
    found = db.session.execute(select(PenaltyCase).where(PenaltyCase.case_number == number)).scalar_one_or_none()
    if found is not None:
        return None
    enterprise = orgs.by_name(enterprise_name)
    officer = accounts.find_by_username("demo-officer")
    vt = cases.violation_by_code(code)
    if enterprise is None or vt is None:
        return None
    cases.save_case(None, {
        "case_number": number, "enterprise_id": enterprise.id, "violation_type_id": vt.id,
        "description": f"示范数据：{vt.name}", "harm_level": "minor", "corrected": True, "proposed_fine": fine,
        "discovered_on": today - timedelta(days=45), "opened_on": today - timedelta(days=40),
        "officer_id": officer.id if officer else None, **fields,
    }, today=today)
    return db.session.execute(select(PenaltyCase).where(PenaltyCase.case_number == number)).scalar_one()


def _application_awaiting_review(result, today: date) -> None:
    """示范热电 applied for an offset; the case officer's step is due tomorrow."""
    from eduapp.services import awards, offsets, points

    number, code, fine = REVIEW_CASE
    case = _case(number, code, fine, "示范热电有限公司",
                 {"status": "notified", "notified_on": today - timedelta(days=3)}, today)
    if case is None:
        case = db.session.execute(select(PenaltyCase).where(PenaltyCase.case_number == number)).scalar_one_or_none()
    else:
        result.created += 1
    contact = accounts.find_by_username("demo-contact2")
    if case is None or contact is None or db.session.execute(
            select(OffsetApplication.id).where(OffsetApplication.case_id == case.id)).first() is not None:
        result.unchanged += 1
        return
    contact_passes_an_exam(result, contact)
    awards.award(points.pool_account(case.enterprise_id), 15_000, "demo:pool:thermal", "示范数据：企业员工学法积分")
    try:
        application = offsets.apply(contact, case)
    except (offsets.OffsetError, InputError):  # e.g. no exam passed yet: the bank is not imported
        db.session.rollback()
        result.notes.append(f"{number}: no demo offset application yet (import question_bank/ first, then run "
                            "eduapp demo again)")
        return
    application.step_deadline = utcnow() + timedelta(hours=36)
    db.session.commit()
    result.created += 1


def _decided_unpaid_case(result, today: date) -> None:
    number, code, fine = DECIDED_CASE
    case = _case(number, code, fine, "示范印染有限公司", {
        "status": "decided", "notified_on": today - timedelta(days=20), "decided_on": today - timedelta(days=11),
        "served_on": today - timedelta(days=11), "late_fee_notified": True, "final_fine": fine}, today)
    result.created += case is not None
    result.unchanged += case is None


def _case_near_its_deadline(result, today: date) -> None:
    """A case under investigation 10 days before its 90-day decision deadline (行政处罚法 §60): its
    officer gets the 15-day warning."""
    number, code, fine = DEADLINE_CASE
    case = _case(number, code, fine, "示范印染有限公司", {
        "status": "investigating", "discovered_on": today - timedelta(days=82),
        "opened_on": today - timedelta(days=80)}, today)
    result.created += case is not None
    result.unchanged += case is None


def _correction_deadline(result, today: date) -> None:
    case = db.session.execute(
        select(PenaltyCase).where(PenaltyCase.case_number == CORRECTION_CASE)).scalar_one_or_none()
    if case is None or case.correction_due_on is not None:
        result.unchanged += 1
        return
    case.correction_due_on = today + timedelta(days=2)
    audit.record("case.update", actor=None, obj_type="penalty_case", obj_id=case.id,
                 summary={"demo": "correction deadline", "correction_due_on": case.correction_due_on.isoformat()})
    db.session.commit()
    result.updated += 1


def _training_tomorrow(result, today: date) -> None:
    if db.session.execute(select(Training.id).where(Training.title == TRAINING)).first() is not None:
        result.unchanged += 1
        return
    held_at = datetime.combine(today + timedelta(days=1), time(9, 30), CHINA)
    training = Training(title=TRAINING, held_at=held_at, points=5, kind="lecture", place="局一楼报告厅",
                        created_at=utcnow())
    db.session.add(training)
    db.session.flush()
    for username in ("demo-staff", "demo-contact", "demo-civil"):
        user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is not None:
            db.session.add(TrainingRegistration(training_id=training.id, user_id=user.id, registered_at=utcnow()))
    audit.record("points.training", actor=None, obj_type="training", obj_id=training.id,
                 summary={"title": TRAINING, "held_at": held_at.isoformat(), "demo": True})
    db.session.commit()
    result.created += 1
