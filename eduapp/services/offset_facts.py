"""A pending offset application follows its case (行政处罚法 §45, §57).

While an application is pending, the case's offset-relevant facts can still change (the officer
lowers the proposed fine after 陈述、申辩, the register import corrects the harm level…). The choice
made here is to RE-EVALUATE, not to refuse the change: refusing would block the officer from
recording the facts as they are (and a lower fine after 申辩 is exactly what §45 protects), while a
re-evaluation keeps the application honest. Each change to one of OFFSET_FIELDS re-runs the
eligibility on the case as it stands, appends the result to ``application.reevaluations`` (history
kept, audited ``offset.reevaluate``) and updates the amounts the application shows. A case that
leaves the open stages (decided, not penalised, transferred, closed) ends its pending application
as ``case_closed`` and releases its points, with the reason.

The points of a re-evaluation are those reserved when the enterprise applied, never more: the
evaluation sees the reservation as the pool it may draw on.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from eduapp.domain import offsets as rules
from eduapp.domain import rule_limits
from eduapp.extensions import db
from eduapp.models import OffsetApplication, PenaltyCase, User, utcnow
from eduapp.services import audit, offset_inputs, reservations
from eduapp.services.offset_common import OPEN, open_application, settle, today_local

# The case's facts an offset depends on. fine_basis_fen and occurrences (the basis of a fine set as a
# multiple or per occurrence) exist once the catalogue's fine bases are added; getattr keeps this
# working without them.
OFFSET_FIELDS = ("proposed_fine", "harm_level", "corrected", "violation_type_id", "fine_basis_fen", "occurrences")
CLOSED_REASONS = {
    "decided": "案件已作出行政处罚决定，未经批准的学法从轻申请随之终结。",
    "paid": "案件已缴纳罚款，未经批准的学法从轻申请随之终结。",
    "closed": "案件已结案，未经批准的学法从轻申请随之终结。",
    "not_penalised": "案件决定不予处罚，学法从轻申请随之终结。",
    "transferred": "案件已移送司法机关，学法从轻申请随之终结。",
}


def snapshot(case: PenaltyCase) -> dict:
    return {name: getattr(case, name, None) for name in OFFSET_FIELDS}


def reserved_points(application: OffsetApplication) -> int:
    reservation = reservations.get(application.reservation_id) if application.reservation_id else None
    return reservation.amount if reservation is not None else application.points


def current_evaluation(application: OffsetApplication, now: datetime | None = None, *,
                       lock: bool = False) -> rules.Evaluation:
    """The eligibility of the application's case as it stands now, under the rule set version it was
    filed under (a later version does not apply to it retroactively), drawing on the points reserved.
    ``lock``: lock the case row first and read it afresh (a step deciding), so that a concurrent case
    change or stage move waits for the step, or the step sees it."""
    from sqlalchemy import select

    from eduapp.services import rule_sets

    now = now or utcnow()
    today = today_local(now)
    if lock:
        db.session.execute(select(PenaltyCase).where(PenaltyCase.id == application.case_id)
                           .with_for_update(of=PenaltyCase).execution_options(populate_existing=True)).unique().scalar_one()
        db.session.refresh(application)  # read after the lock: a step decided meanwhile shows
    case = application.case
    rule = rule_sets.to_domain(application.rule_set)
    if rule.status == "retired" and rule.effective_from <= today_local(application.created_at):
        rule = replace(rule, status="active", effective_to=None)  # in force when the enterprise applied
    pool = rules.Points(lots=((reserved_points(application), today),))
    return rules.evaluate(rule, offset_inputs.case_facts(case), offset_inputs.history(case),
                          offset_inputs.study(case.enterprise, rule.conditions.study_within_days, today), pool, today)


def _bounded(application: OffsetApplication, evaluation: rules.Evaluation) -> tuple[int, int]:
    """(offset, points) of the evaluation, within the reservation."""
    maths = rule_sets_maths(application)
    return rule_limits.within_reservation(evaluation.max_offset, evaluation.points, reserved_points(application),
                                          maths.fen_per_point, maths.round_down_to_yuan)


def rule_sets_maths(application: OffsetApplication) -> rules.Maths:
    from eduapp.services import rule_sets

    return rule_sets.to_domain(application.rule_set).maths


def show(application: OffsetApplication, evaluation: rules.Evaluation) -> None:
    """The amounts the application shows follow the latest evaluation (the first stays in
    ``application.evaluation``). Ineligible: no offset is shown."""
    offset, points = _bounded(application, evaluation) if evaluation.eligible else (0, 0)
    fine = application.case.proposed_fine
    application.fine_before = fine
    application.offset_fen = offset
    application.points = points
    application.fine_after = rule_limits.approved_fine(fine, offset)


def latest(application: OffsetApplication) -> dict:
    """The latest evaluation stored on the application (a re-evaluation, or the one at applying)."""
    return (application.reevaluations or [{}])[-1].get("evaluation") or application.evaluation


def pending_application(case_id: int) -> OffsetApplication | None:
    return open_application(case_id)


def after_case_change(case: PenaltyCase, before: dict, before_status: str | None, actor: User | None,
                      source: str, now: datetime | None = None) -> OffsetApplication | None:
    """Call after a case's change is flushed, in the same transaction (the caller commits): the
    case's pending application is ended (the case left the open stages) or re-evaluated (an
    offset-relevant fact changed). Returns the application touched, if any."""
    if case.id is None:
        return None
    application = pending_application(case.id)
    if application is None:
        return None
    now = now or utcnow()
    if case.status not in rules.OPEN_STAGES and before_status in rules.OPEN_STAGES:
        return end_for_case(application, case, actor, now)
    after = snapshot(case)
    changes = {k: [before.get(k), after[k]] for k in OFFSET_FIELDS if before.get(k) != after[k]}
    if not changes:
        return None
    evaluation = current_evaluation(application, now)
    application.reevaluations = [*(application.reevaluations or []), {
        "at": now.isoformat(), "source": source, "changes": changes, "evaluation": evaluation.as_dict()}]
    show(application, evaluation)
    audit.record("offset.reevaluate", actor=actor, obj_type="offset_application", obj_id=application.id,
                 summary={"case": case.case_number, "source": source, "changes": changes,
                          "eligible": evaluation.eligible, "fine_after": application.fine_after})
    return application


def end_for_case(application: OffsetApplication, case: PenaltyCase, actor: User | None,
                 now: datetime) -> OffsetApplication | None:
    """The case left the open stages without a decision on the application: it ends as
    ``case_closed`` and its points are released."""
    from sqlalchemy import update

    claimed = db.session.execute(
        update(OffsetApplication).where(OffsetApplication.id == application.id,
                                        OffsetApplication.status.in_(OPEN)).values(status="closing")
    ).rowcount
    if not claimed:
        return None
    db.session.refresh(application)
    reason = CLOSED_REASONS.get(case.status, "案件已离开立案、调查、告知阶段，学法从轻申请随之终结。")
    settle(application, "case_closed", now)
    application.end_reason = reason
    audit.record("offset.case_closed", actor=actor, obj_type="offset_application", obj_id=application.id,
                 summary={"case": case.case_number, "case_status": case.status, "reason": reason,
                          "points_released": reserved_points(application)})
    return application
