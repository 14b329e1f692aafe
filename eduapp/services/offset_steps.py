"""What a review step needs besides the four eyes: the case's CURRENT eligibility, the 集体讨论 of
行政处罚法 §57 ¶2 for an application that may go below the statutory minimum, and the steps past their
deadline with the recipients of their offset_overdue reminders (services.offset_escalation writes them:
the bureau's delay never voids the enterprise's application)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from sqlalchemy import select

from eduapp.domain import offsets as rules
from eduapp.domain import rule_limits
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.extensions import db
from eduapp.models import OffsetApplication, OffsetDiscussion, User, UserRole, utcnow
from eduapp.services import audit
from eduapp.services.offset_common import OPEN, STEP_PERMISSION, OffsetError, today_local

OFFSET_OVERDUE = "offset_overdue"  # the reminder kind (eduapp.domain.reminders)
MAX_TEXT = 4000


def discussion_of(application: OffsetApplication) -> OffsetDiscussion | None:
    return db.session.execute(
        select(OffsetDiscussion).where(OffsetDiscussion.application_id == application.id)).scalar_one_or_none()


def needs_discussion(application: OffsetApplication) -> bool:
    from eduapp.services import rule_sets

    return rule_limits.needs_collective_discussion(rule_sets.to_domain(application.rule_set).maths)


def check_approval(application: OffsetApplication, step: str, current: rules.Evaluation) -> None:
    """Raise OffsetError when the step may not approve: the case as it stands is not eligible, or (the
    approver) a required 集体讨论 is not recorded. Rejecting stays possible."""
    from eduapp.services import rule_sets

    if application.status != rules.STEP_STATUS[step]:
        raise OffsetError("finished", N_("This step has just been decided by someone else."))
    if not current.eligible:
        raise OffsetError("ineligible", N_("Not eligible as the case stands now: %(reasons)s"),
                          reasons=current.failed_reasons())
    if step == "approver":
        maths = rule_sets.to_domain(application.rule_set).maths
        passed, reason, _ = rule_limits.collective_discussion_check(maths, discussion_of(application) is not None)
        if not passed:
            raise OffsetError("collective_discussion_required",
                              N_("A recorded collective discussion is needed first: %(reason)s"), reason=reason)


def record_discussion(user: User, application: OffsetApplication, held_on: date | None, participants: str,
                      conclusion: str, now: datetime | None = None) -> OffsetDiscussion:
    """Record the 集体讨论 of the bureau's heads on a pending application (bureau reviewers only)."""
    now = now or utcnow()
    if not any(user.can(p) for p in STEP_PERMISSION.values()):
        raise OffsetError("forbidden", N_("Your role does not decide this step."), 403)
    if application.status not in OPEN:
        raise OffsetError("finished", N_("This application has been decided already."))
    if discussion_of(application) is not None:
        raise OffsetError("discussion_recorded", N_("The collective discussion is recorded already."))
    participants, conclusion = (participants or "").strip(), (conclusion or "").strip()
    problems = []
    if held_on is None:
        problems.append(Problem(N_("This field is required."), {}, "held_on"))
    elif not today_local(application.created_at) <= held_on <= today_local(now):
        problems.append(Problem(N_("A date from the application's filing to today."), {}, "held_on"))
    for name, value in (("participants", participants), ("conclusion", conclusion)):
        if not value:
            problems.append(Problem(N_("This field is required."), {}, name))
        elif len(value) > MAX_TEXT:
            problems.append(Problem(N_("At most %(max)s characters."), {"max": MAX_TEXT}, name))
    if problems:
        raise InputError(problems)
    row = OffsetDiscussion(application_id=application.id, held_on=held_on, participants=participants,
                           conclusion=conclusion, recorded_by_id=user.id, recorded_at=now)
    db.session.add(row)
    db.session.flush()
    audit.record("offset.collective_discussion", actor=user, obj_type="offset_application", obj_id=application.id,
                 summary={"held_on": held_on.isoformat(), "participants": participants, "conclusion": conclusion})
    db.session.commit()
    return row


# --- overdue steps ----------------------------------------------------------------------------------


def overdue(now: datetime) -> list[OffsetApplication]:
    return list(db.session.execute(
        select(OffsetApplication).where(OffsetApplication.status.in_(OPEN), OffsetApplication.step_deadline < now)
        .order_by(OffsetApplication.id)).unique().scalars())


def scan_offset_overdue(now: datetime, leads: tuple[int, ...]) -> Iterator:
    """The reminders of a step past its deadline: to the holders of the step's role and to the
    approvers (four eyes: not the applicant, not who decided a step already). One per application,
    step, deadline and recipient (the dedupe key's occasion is ``<step>:<deadline day>``)."""
    from eduapp.services.reminder_due import STEP_ROLES, Due
    from eduapp.services.reminder_due import local as _local

    found = overdue(now)
    if not found:
        return
    holders = {step: list(db.session.execute(
        select(User.id).where(User.active.is_(True), User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
        .order_by(User.id)).scalars()) for step, role in STEP_ROLES.items()}
    status_step = {status: step for step, status in rules.STEP_STATUS.items()}
    for application in found:
        step = status_step[application.status]
        barred = {application.applicant_id} | {d.decided_by_id for d in application.decisions}
        people = dict.fromkeys(u for u in (*holders[step], *holders["approver"]) if u not in barred)
        params = {"case": application.case.case_number, "enterprise": application.case.enterprise.name,
                  "step": step, "deadline": _local(application.step_deadline)}
        occasion = f"{step}:{application.step_deadline.date().isoformat()}"
        for user_id in people:
            yield Due("offset_application", application.id, user_id, occasion, params,
                      f"/offsets/applications/{application.id}")
