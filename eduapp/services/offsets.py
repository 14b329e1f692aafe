"""The offset workflow (依学法情况从轻处罚; "offset" in the code, never a payment): preview, apply
(points RESERVED), case officer → legal reviewer → approver, then POSTED (only what the case as it
stands needs) and the case's proposed fine reduced; rejected, withdrawn or the case closed without
it: VOIDED. A step past its deadline stays open and escalates (reminder kind offset_overdue). Every
step evaluates the case as it stands (eduapp.services.offset_facts) and stores that evaluation with
its decision.

Four eyes: nobody decides a step of an application they filed or of which they already decided a
step. A step is claimed by inserting its decision row (unique per application and step), so two
people approving the same step at once post once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from eduapp.domain import offsets as rules
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.domain.roles import Permission
from eduapp.extensions import db
from eduapp.models import (
    OffsetApplication,
    OffsetDecision,
    PenaltyCase,
    User,
    utcnow,
)
from eduapp.services import audit, non_penalty, offset_escalation, offset_facts, offset_outcome, offset_steps, rule_sets
from eduapp.services.offset_common import (  # noqa: F401 (re-exported: the pages and the API use them)
    LOCAL,
    OPEN,
    STATUS_STEP,
    STEP_PERMISSION,
    OffsetError,
    open_application,
    settle,
    today_local,
)
from eduapp.services.offset_inputs import case_facts, history, pool_points, study

UNDERTAKING = ("本企业承诺：申请所依据的学法记录、考试成绩和案件改正情况真实；知悉学法积分不是罚款的缴纳方式，"
               "申请期间所需积分予以冻结，经批准后按实际从轻金额扣减、未用部分退回；"
               "从轻处罚以行政机关依法作出的决定为准。")

@dataclass(frozen=True)
class Preview:
    case: PenaltyCase
    rule_set_id: int | None
    evaluation: rules.Evaluation | None  # None: no rule set applies to this violation today


def preview(case: PenaltyCase, now: datetime | None = None) -> Preview:
    today = today_local(now)
    row = rule_sets.active_for(case.violation_type.code, today)
    if row is None:
        return Preview(case, None, None)
    rule = rule_sets.to_domain(row)
    result = rules.evaluate(rule, case_facts(case), history(case),
                            study(case.enterprise, rule.conditions.study_within_days, today),
                            pool_points(case.enterprise, now), today)
    return Preview(case, row.id, result)


# --- queries -----------------------------------------------------------------------------------------


def cases_of(enterprise_id: int, only_open: bool = False) -> list[PenaltyCase]:
    query = select(PenaltyCase).where(PenaltyCase.enterprise_id == enterprise_id)
    if only_open:
        query = query.where(PenaltyCase.status.in_(rules.OPEN_STAGES))
    return list(db.session.execute(query.order_by(PenaltyCase.opened_on.desc())).unique().scalars())


def case_for(user: User, case_id: int) -> PenaltyCase | None:
    """A case of the user's own enterprise (others: None, i.e. 404)."""
    return db.session.execute(
        select(PenaltyCase).where(PenaltyCase.id == case_id, PenaltyCase.enterprise_id == user.organisation_id)
    ).unique().scalar_one_or_none()


def application_for(user: User, application_id: int) -> OffsetApplication | None:
    """The enterprise's own application, or any for bureau staff who review offsets."""
    application = db.session.get(OffsetApplication, application_id)
    if application is None:
        return None
    if application.enterprise_id == user.organisation_id or any(user.can(p) for p in STEP_PERMISSION.values()):
        return application
    return None


def applications_of(enterprise_id: int) -> list[OffsetApplication]:
    return list(db.session.execute(
        select(OffsetApplication).where(OffsetApplication.enterprise_id == enterprise_id)
        .order_by(OffsetApplication.created_at.desc())
    ).unique().scalars())


def queue_for(user: User) -> list[OffsetApplication]:
    """Applications waiting for a step this user may decide (four eyes applied)."""
    statuses = [rules.STEP_STATUS[step] for step, perm in STEP_PERMISSION.items() if user.can(perm)]
    if not statuses:
        return []
    rows = db.session.execute(
        select(OffsetApplication).where(OffsetApplication.status.in_(statuses))
        .order_by(OffsetApplication.step_deadline)
    ).unique().scalars()
    return [a for a in rows if rules.four_eyes_conflict(user.id, a.applicant_id,
                                                        [d.decided_by_id for d in a.decisions]) is None]


# --- the workflow ------------------------------------------------------------------------------------


def _deadline(application: OffsetApplication, step: str, now: datetime) -> datetime:
    """The step's days from now, but never past the end of the case's §60 decision deadline."""
    from eduapp.services.case_deadlines import cap_step_deadline

    days = rules.step_deadlines(application.rule_set.procedure or {})[step]
    return cap_step_deadline(application.case, now + timedelta(days=days))


def apply(user: User, case: PenaltyCase, now: datetime | None = None, *,
          undertaking: bool = True) -> OffsetApplication:
    """File an application for the enterprise's open case; its points are reserved at once. The
    enterprise accepts UNDERTAKING (stored with its time); the pages and the API ask for it
    explicitly (``undertaking`` False: refused, naming the field)."""
    from eduapp.services import points, reservations

    now = now or utcnow()
    if not undertaking:
        raise InputError([Problem(N_("Accept the undertaking to apply."), {}, "undertaking")])
    if case.enterprise_id != user.organisation_id or not user.can(Permission.ROSTER_MANAGE):
        raise OffsetError("not_found", N_("There is no such case."), 404)
    # Lock the case: one open application per case, also when two people apply at once.
    db.session.execute(select(PenaltyCase.id).where(PenaltyCase.id == case.id).with_for_update())
    if open_application(case.id) is not None:
        raise OffsetError("already_applied", N_("This case already has an application under review."))
    not_penalised = non_penalty.refusal(case, now)  # §33 ¶1 first: a case it covers is not penalised at all
    if not_penalised is not None:
        db.session.rollback()  # release the case's lock
        raise InputError([not_penalised])
    result = preview(case, now)
    if result.evaluation is None:
        raise InputError([Problem(N_("No offset rule set applies to this violation today."), {}, "case_id")])
    if not result.evaluation.eligible:
        raise InputError([Problem(N_("Not eligible: %(reasons)s"),
                                  {"reasons": result.evaluation.failed_reasons()}, "case_id")])
    evaluation = result.evaluation
    application = OffsetApplication(
        case_id=case.id, enterprise_id=case.enterprise_id, rule_set_id=result.rule_set_id, applicant_id=user.id,
        status="pending_officer", evaluation=evaluation.as_dict(), points=evaluation.points,
        offset_fen=evaluation.max_offset, fine_before=evaluation.fine_before, fine_after=evaluation.fine_after,
        created_at=now, undertaking_text=UNDERTAKING, undertaken_at=now,
    )
    db.session.add(application)
    db.session.flush()
    application.step_deadline = _deadline(application, "officer", now)
    try:
        reservation = reservations.reserve(points.pool_account(case.enterprise), evaluation.points,
                                     f"offset_application:{application.id}", now=now, commit=False)
    except ValueError:
        db.session.rollback()
        raise OffsetError("points_short", N_("The enterprise's pool no longer has enough points."))
    application.reservation_id = reservation.id
    audit.record("offset.apply", actor=user, obj_type="offset_application", obj_id=application.id,
                 summary={"case": case.case_number, "points": evaluation.points, "offset_fen": evaluation.max_offset,
                          "rule": f"{evaluation.rule_code} v{evaluation.rule_version}"})
    db.session.commit()
    return application


def decide(user: User, application: OffsetApplication, decision: str, comment: str = "",
           now: datetime | None = None) -> OffsetApplication:
    now = now or utcnow()
    if decision not in ("approve", "reject"):
        raise InputError([Problem(N_("The decision is approve or reject."), {}, "decision")])
    if decision == "reject" and not comment.strip():
        raise InputError([Problem(N_("Give the reason for rejecting."), {}, "comment")])
    step = STATUS_STEP.get(application.status)
    if step is None:
        raise OffsetError("finished", N_("This application has been decided already."))
    if not user.can(STEP_PERMISSION[step]):
        raise OffsetError("forbidden", N_("Your role does not decide this step."), 403)
    conflict = rules.four_eyes_conflict(user.id, application.applicant_id,
                                        [d.decided_by_id for d in application.decisions])
    if conflict == "applicant":
        raise OffsetError("four_eyes", N_("Four eyes: nobody decides an application they filed."), 403)
    if conflict == "decided":
        raise OffsetError("four_eyes", N_("Four eyes: nobody decides two steps of one application."), 403)
    if decision == "approve" and step == "approver" and application.case.status not in rules.OPEN_STAGES:
        raise OffsetError("case_decided", N_("The case is no longer open: an offset can only be granted before the "
                                             "penalty decision."))
    current = offset_facts.current_evaluation(application, now, lock=True)  # the case as it stands now
    if decision == "approve":
        offset_steps.check_approval(application, step, current)
        not_penalised = non_penalty.refusal(application.case, now)  # §33 ¶1 now covers the case as it stands
        if not_penalised is not None:
            db.session.rollback()
            raise OffsetError("not_penalised", not_penalised.msgid, **not_penalised.params)
    # Claim the step with a conditional UPDATE: of two people deciding it at once, one moves it, the
    # other finds it moved (PostgreSQL makes the second wait for the first and re-check).
    moved = db.session.execute(
        update(OffsetApplication).where(OffsetApplication.id == application.id,
                                        OffsetApplication.status == rules.STEP_STATUS[step])
        .values(status=f"deciding_{step}")
    ).rowcount
    if not moved:
        db.session.rollback()
        raise OffsetError("finished", N_("This step has just been decided by someone else."))
    db.session.add(OffsetDecision(application_id=application.id, step=step, decision=decision,
                                  comment=comment.strip(), decided_by_id=user.id, decided_at=now,
                                  evaluation=current.as_dict()))
    db.session.refresh(application)
    if decision == "reject":
        settle(application, "rejected", now)
    elif rules.next_step(step) is None:
        offset_facts.show(application, current)  # never above the case's current proposed fine (§45)
        settle(application, "approved", now)
        case = application.case
        case.proposed_fine = application.fine_after
        case.updated_at = now
    else:
        following = rules.next_step(step)
        application.status = rules.STEP_STATUS[following]
        application.step_deadline = _deadline(application, following, now)
    audit.record(f"offset.{decision}", actor=user, obj_type="offset_application", obj_id=application.id,
                 summary={"step": step, "comment": comment.strip(), "status": application.status})
    offset_outcome.notify(application, step, decision, comment, now)  # the applicant hears it (inbox, e-mail, SMS)
    db.session.commit()
    return application


def withdraw(user: User, application: OffsetApplication, now: datetime | None = None) -> OffsetApplication:
    now = now or utcnow()
    if application.enterprise_id != user.organisation_id or not user.can(Permission.ROSTER_MANAGE):
        raise OffsetError("not_found", N_("There is no such application."), 404)
    claimed = db.session.execute(
        update(OffsetApplication).where(OffsetApplication.id == application.id,
                                        OffsetApplication.status.in_(OPEN)).values(status="withdrawing")
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise OffsetError("finished", N_("This application has been decided already."))
    db.session.refresh(application)
    settle(application, "withdrawn", now)
    audit.record("offset.withdraw", actor=user, obj_type="offset_application", obj_id=application.id, summary={})
    db.session.commit()
    return application


def expire_overdue(now: datetime | None = None) -> int:
    """The bureau's delay does not void the enterprise's application: a step past its deadline stays
    open and escalates (reminder kind offset_overdue, to the step's holders and the approvers).
    Returns how many applications are overdue. (The name is kept for the beat schedule's task.)"""
    return offset_escalation.escalate_overdue(now)


def deciders(application: OffsetApplication) -> dict[str, tuple[User, OffsetDecision]]:
    out = {}
    for decision in application.decisions:
        out[decision.step] = (db.session.get(User, decision.decided_by_id), decision)
    return out
