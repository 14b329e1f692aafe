"""The bureau's panels of the 工作台: 待办 of case officers, legal reviewers and approvers; the question
bank and exams of question editors and exam managers; the administrator's deliveries, beat and audit
chain. Each takes the user and an injected ``now`` (see services.workbench)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import func, select

from eduapp.domain import workbench as rules
from eduapp.domain.case_deadlines import RUNNING
from eduapp.domain.offsets import STEP_STATUS
from eduapp.domain.practice import china_day
from eduapp.domain.roles import Permission, Role
from eduapp.extensions import db
from eduapp.models import Attempt, Delivery, Exam, PenaltyCase, Question, User
from eduapp.services import case_deadlines, offsets

LISTED = 10  # items a list shows (the count says how many there are)
FLAGGED_EXAMS = 3  # the newest exams whose item statistics are looked at
STEP_OF = {status: step for step, status in STEP_STATUS.items()}


def _deadline(found: dict, case: PenaltyCase) -> dict:
    deadline = found.get(case.id)
    if deadline is None or not deadline.running:
        return {"due_on": None, "days_left": None}
    return {"due_on": deadline.due_on, "days_left": deadline.days_left}


def todo(user: User, now: datetime) -> dict:
    """Offset applications waiting for a step this person decides, and (case officers) their running
    cases, each with the days left to the case's §60 deadline; the oldest first."""
    today = china_day(now)
    queue = offsets.queue_for(user)
    mine = []
    if Role.CASE_OFFICER in user.roles:
        mine = list(db.session.execute(
            select(PenaltyCase).where(PenaltyCase.officer_id == user.id, PenaltyCase.status.in_(tuple(RUNNING)))
        ).unique().scalars())
    found = case_deadlines.deadlines([a.case for a in queue] + mine, today)
    applications = [{"id": a.id, "case_number": a.case.case_number, "enterprise": a.case.enterprise.name,
                     "step": STEP_OF.get(a.status), "filed_at": a.created_at, "step_deadline": a.step_deadline,
                     "points": a.points, "offset": a.offset_fen, **_deadline(found, a.case),
                     "link": url_for("offsets.application", application_id=a.id)}
                    for a in rules.oldest_first(queue, key=lambda a: a.created_at)]
    cases = [{"id": c.id, "case_number": c.case_number, "enterprise": c.enterprise.name, "status": c.status,
              "opened_on": c.opened_on, **_deadline(found, c), "link": url_for("cases.show", case_id=c.id)}
             for c in rules.oldest_first(mine, key=lambda c: found[c.id].due_on)]
    return {"applications": applications[:LISTED], "applications_count": len(applications),
            "cases": cases[:LISTED], "cases_count": len(cases),
            "links": {"review": url_for("offsets.review"), "cases": url_for("cases.index")}}


def _flagged(user: User, now: datetime) -> list[dict]:
    """Questions the item statistics flag in the newest exams already taken (too hard, too easy, not
    discriminating: domain.item_stats), linked to the exam's statistics (exam managers) or else to the
    question (question editors)."""
    from eduapp.services import exam_stats

    taken = select(Attempt.exam_id).where(Attempt.state == "finished", Attempt.annulled_at.is_(None))
    newest = db.session.execute(
        select(Exam).where(Exam.status == "published", Exam.open_at <= now, Exam.id.in_(taken))
        .order_by(Exam.close_at.desc()).limit(FLAGGED_EXAMS)
    ).scalars().all()
    stats_page = user.can(Permission.EXAMS_MANAGE)
    found = []
    for exam in newest:
        for q in exam_stats.report(exam).flagged:
            found.append({"exam_id": exam.id, "exam": exam.title, "question_id": q.question_id, "uid": q.uid,
                          "stem": q.stem[:60], "flags": list(q.flags),
                          "link": url_for("exam_stats.stats", exam_id=exam.id) if stats_page
                          else url_for("questions.show", question_id=q.question_id)})
    return found


def content(user: User, now: datetime) -> dict:
    """Drafts (questions, exams), flagged items and exams opening within OPENING_SOON_DAYS."""
    panel: dict = {"flagged": _flagged(user, now)[:LISTED]}
    if user.can(Permission.QUESTIONS_EDIT):
        drafts = db.session.execute(
            select(Question).where(Question.status == "draft").order_by(Question.updated_at)
        ).scalars().all()
        panel["question_drafts"] = [{"id": q.id, "uid": q.uid, "updated_at": q.updated_at,
                                     "link": url_for("questions.show", question_id=q.id)} for q in drafts[:LISTED]]
        panel["question_drafts_count"] = len(drafts)
        panel["links"] = {"questions": url_for("questions.index", status="draft")}
    if user.can(Permission.EXAMS_MANAGE):
        drafts = db.session.execute(select(Exam).where(Exam.status == "draft").order_by(Exam.open_at)).scalars().all()
        soon = db.session.execute(
            select(Exam).where(Exam.status == "published", Exam.open_at > now,
                               Exam.open_at <= now + timedelta(days=rules.OPENING_SOON_DAYS)).order_by(Exam.open_at)
        ).scalars().all()
        panel["exam_drafts"] = [{"id": e.id, "title": e.title, "open_at": e.open_at,
                                 "link": url_for("exam_admin.edit", exam_id=e.id)} for e in drafts[:LISTED]]
        panel["exam_drafts_count"] = len(drafts)
        panel["opening_soon"] = [{"id": e.id, "title": e.title, "open_at": e.open_at, "close_at": e.close_at,
                                  "link": url_for("exam_admin.edit", exam_id=e.id)} for e in soon[:LISTED]]
        panel.setdefault("links", {})["exams"] = url_for("exam_admin.index")
    return panel


def admin(user: User, now: datetime) -> dict:
    """Failed deliveries, the reminder scan's last run, the audit chain's last check."""
    from eduapp.services import last_runs

    failed = db.session.execute(select(func.count()).select_from(Delivery).where(Delivery.status == "failed")
                                ).scalar_one()
    newest = db.session.execute(
        select(Delivery).where(Delivery.status == "failed").order_by(Delivery.updated_at.desc()).limit(5)
    ).scalars().all()
    scanned_at, source = last_runs.last_scan()
    return {
        "failed_deliveries": failed,
        "failures": [{"id": d.id, "channel": d.channel, "kind": d.reminder.kind, "error": d.last_error or "",
                      "at": d.updated_at} for d in newest],
        "last_scan": {"at": scanned_at, "source": source,
                      "hours_ago": None if scanned_at is None else round((now - scanned_at).total_seconds() / 3600, 1)},
        "audit": last_runs.last_verification(),
        "links": {"deliveries": url_for("reminders.delivery_log"),
                  "audit": url_for("admin.audit_log"), "verify": url_for("main.verify_audit")},
    }
