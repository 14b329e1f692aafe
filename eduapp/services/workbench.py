"""The 工作台 (home page after sign-in): one panel per kind of role, built for a user at an injected
``now`` (an aware datetime; days are days in China). The learner's and the enterprise contact's
panels are here; the bureau's (待办, the question bank and exams, the administrator's) are in
services.workbench_bureau. Each panel is a plain dict, as the page and ``GET /api/v1/me/workbench``
show it; ``links`` are paths on this site. docs/workbench.md describes what each role sees.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import url_for
from sqlalchemy import select

from eduapp.domain import workbench as rules
from eduapp.domain.exam_rules import in_audience
from eduapp.domain.offsets import OPEN_STAGES
from eduapp.domain.practice import CHINA, china_day
from eduapp.domain.roles import LEARNER_ROLES, Permission, Role
from eduapp.extensions import db
from eduapp.models import Attempt, Exam, PracticeAnswer, StudyDay, User, UserRole
from eduapp.services import attempts, exams, points, practice, reminder_sending

RECENT_RESULTS = 5
STAFF_NAMES_SHOWN = 10


def panel_keys(user: User) -> list[str]:
    """The panels a person sees, in the page's order: one per kind of role they hold."""
    roles = set(user.roles)
    keys = []
    if user.can(Permission.STUDY):
        keys.append("learner")
    if Role.ENTERPRISE_CONTACT in roles:
        keys.append("enterprise")
    if roles & {Role.CASE_OFFICER, Role.LEGAL_REVIEWER, Role.APPROVER}:
        keys.append("todo")
    if roles & {Role.QUESTION_EDITOR, Role.EXAM_MANAGER}:
        keys.append("content")
    if Role.SYSADMIN in roles:
        keys.append("admin")
    return keys


def build(user: User, now: datetime) -> dict:
    """Every panel of ``user``'s roles, keyed as panel_keys."""
    from eduapp.services import workbench_bureau

    builders = {"learner": learner, "enterprise": enterprise, "todo": workbench_bureau.todo,
                "content": workbench_bureau.content, "admin": workbench_bureau.admin}
    return {key: builders[key](user, now) for key in panel_keys(user)}


# --- the learner -------------------------------------------------------------------------------------


def _points(user: User, now: datetime) -> dict:
    account = points.person_account(user, create=False)
    balance = points.balance(account, now)
    lots = points.lots_of(account, now)
    soon = china_day(now) + timedelta(days=rules.SOON_DAYS)
    next_lot = next(((n, at) for n, at in lots if at.astimezone(CHINA).date() <= soon), None)
    return {"available": balance.available, "reserved": balance.reserved, "expiring_soon": balance.expiring_30d,
            "next_expiry_points": next_lot[0] if next_lot else None,
            "next_expiry_on": next_lot[1].astimezone(CHINA).date() if next_lot else None,
            "link": url_for("points.mine")}


def _daily(user: User, now: datetime) -> dict:
    today = practice.daily(user, now)
    return {"questions": len(today.question_ids), "answered": len(today.answered), "right": today.right,
            "done": today.finished, "link": url_for("practice.daily")}


def _open_exams(user: User, now: datetime) -> list[dict]:
    found = []
    for exam in exams.visible_exams(user):
        if not exam.open_at <= now < exam.close_at:
            continue
        summary = attempts.summary(exam, user, now)
        if summary.passed:
            continue
        found.append({"id": exam.id, "title": exam.title, "close_at": exam.close_at,
                      "attempts_left": rules.attempts_left(summary.attempts_allowed, summary.attempts_used),
                      "in_progress": summary.attempt_in_progress is not None,
                      "link": url_for("exams.take", attempt_id=summary.attempt_in_progress)
                      if summary.attempt_in_progress else url_for("exams.index")})
    return found


def active_days(user_id: int, since: date) -> set[date]:
    """The days in China since ``since`` with study activity (the streak's rule, domain.workbench)."""
    start = datetime.combine(since, datetime.min.time(), CHINA)
    days = set(db.session.execute(
        select(StudyDay.day).where(StudyDay.user_id == user_id, StudyDay.day >= since, StudyDay.seconds > 0)
    ).scalars())
    moments = db.session.execute(
        select(PracticeAnswer.answered_at).where(PracticeAnswer.user_id == user_id,
                                                 PracticeAnswer.answered_at >= start)
    ).scalars().all()
    moments += db.session.execute(
        select(Attempt.started_at).where(Attempt.user_id == user_id, Attempt.started_at >= start)
    ).scalars().all()
    moments += db.session.execute(
        select(Attempt.submitted_at).where(Attempt.user_id == user_id, Attempt.submitted_at >= start)
    ).scalars().all()
    return days | {china_day(m) for m in moments}


def _recent_results(user: User) -> list[dict]:
    rows = db.session.execute(
        select(Attempt).where(Attempt.user_id == user.id, Attempt.state == attempts.FINISHED,
                              Attempt.annulled_at.is_(None))
        .order_by(Attempt.submitted_at.desc(), Attempt.id.desc()).limit(RECENT_RESULTS)
    ).unique().scalars()
    return [{"attempt_id": a.id, "exam": a.exam.title, "submitted_at": a.submitted_at,
             "score": (a.score or 0) / 100, "max_score": a.max_score / 100, "passed": bool(a.passed),
             "link": url_for("exams.result", attempt_id=a.id)} for a in rows]


def _trainings(user: User, now: datetime) -> list[dict]:
    """The trainings still to come that the learner registered for, the soonest first."""
    from eduapp.services import training_registrations

    link = url_for("points.upcoming_trainings")
    return [{"id": t.id, "title": t.title, "kind": t.kind, "held_at": t.held_at, "place": t.place, "link": link}
            for t in training_registrations.upcoming_registrations(user, now, limit=5)]


def _case_study() -> dict | None:
    """The newest published typical case (以案释法), with how many questions it carries to practise."""
    from eduapp.services import case_studies

    newest = case_studies.published(limit=1)
    if not newest:
        return None
    study = newest[0]
    return {"id": study.id, "title": study.title, "published_at": study.published_at,
            "questions": len(case_studies.question_ids(study)),
            "link": url_for("case_studies.read", study_id=study.id)}


def learner(user: User, now: datetime) -> dict:
    today = china_day(now)
    return {
        "points": _points(user, now),
        "daily": _daily(user, now),
        "exams": _open_exams(user, now),
        "trainings": _trainings(user, now),
        "streak": rules.study_streak(active_days(user.id, rules.streak_since(today)), today),
        "recent_results": _recent_results(user),
        "case_study": _case_study(),
    }


# --- the enterprise contact ----------------------------------------------------------------------------


def _case_status(case, now: datetime) -> dict:
    """What stands for an open case: a 不予处罚 decision, §33 ¶1 refusing an offset, an application
    under way, or what an offset could take off the fine today."""
    from eduapp.domain.offsets import STEP_STATUS
    from eduapp.services import non_penalty, offsets

    row = {"id": case.id, "case_number": case.case_number, "status": case.status,
           "proposed_fine": case.proposed_fine, "link": url_for("offsets.case", case_id=case.id)}
    if non_penalty.decision_for(case.id) is not None:
        return {**row, "state": "not_penalised"}
    refused = non_penalty.refusal(case, now)
    if refused is not None:
        return {**row, "state": "non_penalty_applies"}
    application = offsets.open_application(case.id)
    if application is not None:
        step = next((s for s, st in STEP_STATUS.items() if st == application.status), None)
        return {**row, "state": "applied", "application_status": application.status, "step": step,
                "offset": application.offset_fen, "points": application.points,
                "link": url_for("offsets.application", application_id=application.id)}
    evaluation = offsets.preview(case, now).evaluation
    if evaluation is None:
        return {**row, "state": "no_rule"}
    if not evaluation.eligible:
        return {**row, "state": "not_eligible", "reason": evaluation.failed_reasons()}
    return {**row, "state": "eligible", "offset": evaluation.max_offset, "points": evaluation.points}


def _staff(org_id: int) -> list[User]:
    ids = select(UserRole.user_id).where(UserRole.role.in_(LEARNER_ROLES))
    return list(db.session.execute(
        select(User).where(User.organisation_id == org_id, User.active.is_(True), User.id.in_(ids))
        .order_by(User.full_name, User.id)
    ).unique().scalars())


def _completion(user: User, now: datetime) -> list[dict]:
    """Each exam open now to some of the enterprise's staff: who of them has not passed it yet."""
    staff = _staff(user.organisation_id)
    if not staff:
        return []
    chain = exams.org_chain(user.organisation)
    open_now = [e for e in db.session.execute(
        select(Exam).where(Exam.status == "published", Exam.open_at <= now, Exam.close_at > now)
        .order_by(Exam.close_at)
    ).scalars()]
    found = []
    for exam in open_now:
        entries = exams.audience_entries(exam)
        audience = [p for p in staff if in_audience(entries, p.id, p.roles, chain)]
        if not audience:
            continue
        passed = set(db.session.execute(
            select(Attempt.user_id).where(Attempt.exam_id == exam.id, Attempt.passed.is_(True),
                                          Attempt.annulled_at.is_(None), Attempt.user_id.in_([p.id for p in audience]))
        ).scalars())
        missing = [p for p in audience if p.id not in passed]
        found.append({"exam_id": exam.id, "title": exam.title, "close_at": exam.close_at, "staff": len(audience),
                      "passed": len(audience) - len(missing), "not_passed": [p.full_name for p in missing][
                          :STAFF_NAMES_SHOWN], "not_passed_count": len(missing)})
    return found


def enterprise(user: User, now: datetime) -> dict:
    from eduapp.services import offsets

    pool = points.pool_account(user.organisation, create=False)
    balance = points.balance(pool, now)
    cases = [_case_status(c, now) for c in offsets.cases_of(user.organisation_id, only_open=True)
             if c.status in OPEN_STAGES]
    coverable = sum(c["points"] for c in cases if c["state"] == "eligible")
    return {
        "pool": {"available": balance.available, "reserved": balance.reserved,
                 "expiring_soon": balance.expiring_30d, "link": url_for("offsets.index")},
        "cases": cases,
        "offset_possible": sum(c["offset"] for c in cases if c["state"] == "eligible"),
        "points_needed": coverable,
        "completion": _completion(user, now),
        "unread": reminder_sending.unread_count(user.id),
        "links": {"roster": url_for("roster.index"), "inbox": url_for("reminders.inbox"),
                  "offsets": url_for("offsets.index")},
    }
