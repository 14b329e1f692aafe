"""Penalty cases and offset applications: enterprise contacts preview, apply and withdraw; bureau
reviewers decide their step. Money in fen (integers)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from marshmallow import Schema, fields, validate

from eduapp.api.arguments import Blueprint
from eduapp.api.bureau_case_deadlines import DeadlineOut, PaymentOut
from eduapp.api.bureau_case_deadlines import case_fields as deadline_fields
from eduapp.api.common import ID
from eduapp.api.errors import ApiError
from eduapp.domain.problems import InputError, Problem
from eduapp.domain.roles import Permission
from eduapp.i18n import message
from eduapp.security import require
from eduapp.services import non_penalty, offsets
from eduapp.services.offsets import OffsetError

blp = Blueprint("api_offsets", __name__, url_prefix="/api/v1", description="Penalty cases and fine offsets")


def _error(error: OffsetError):
    return ApiError(error.status, error.code, message(Problem(error.msgid, error.params)))


def _input(error: InputError):
    found = {p.field or "request": message(p) for p in error.problems}
    return ApiError(422, "invalid", "; ".join(f"{k}: {v}" for k, v in found.items()), found)


class CaseOut(Schema):
    id = fields.Integer()
    case_number = fields.String()
    status = fields.String()
    violation_code = fields.String()
    violation = fields.String()
    law = fields.String()
    article = fields.String()
    opened_on = fields.Date()
    proposed_fine = fields.Integer(metadata={"description": "fen"})
    final_fine = fields.Integer(allow_none=True)
    open_for_offset = fields.Boolean()
    application_id = fields.Integer(allow_none=True, metadata={"description": "the application under review"})
    # decision deadline (§60), service and payment (§61, §67, §72)
    deadline = fields.Nested(DeadlineOut, metadata={"description": "the §60 decision deadline"})
    served_on = fields.Date(allow_none=True, metadata={"description": "the day the decision was received"})
    late_fee_notified = fields.Boolean()
    payment = fields.Nested(PaymentOut)


class CheckOut(Schema):
    key = fields.String()
    passed = fields.Boolean()
    reason = fields.String()
    basis = fields.String()


class NoPenaltyOut(Schema):
    """行政处罚法 §33 ¶1, checked before any offset (eduapp/domain/non_penalty.py)."""

    applies = fields.Boolean(metadata={"description": "true: the case is one §33 ¶1 covers; no offset is offered"})
    mandatory = fields.Boolean(metadata={"description": "true: shall not be penalised (minor, corrected in time, "
                                                        "no harm); false with applies: may go unpunished (首违不罚)"})
    ground = fields.String(allow_none=True, metadata={"description": "minor_no_harm | first_violation | null"})
    finding = fields.String(metadata={"description": "e.g. 符合不予处罚条件（《行政处罚法》第三十三条第一款）; empty "
                                                     "when nothing applies"})
    reason = fields.String()
    basis = fields.String(metadata={"description": "the article and the list's 文号"})
    officer_review = fields.Boolean(metadata={"description": "no harm and corrected, but whether the violation is "
                                                             "minor is the case officer's judgement"})
    list = fields.String(allow_none=True, metadata={"description": "the 免罚清单 version used"})
    conditions = fields.List(fields.Nested(CheckOut))


class PreviewOut(Schema):
    case_id = fields.Integer()
    no_penalty = fields.Nested(NoPenaltyOut, metadata={"description": "checked first: where it applies, eligible "
                                                                      "is false and no amount is offered"})
    rule_set = fields.String(allow_none=True)
    eligible = fields.Boolean()
    checks = fields.List(fields.Nested(CheckOut))
    fine_before = fields.Integer()
    max_offset = fields.Integer(allow_none=True, metadata={"description": "fen; null when not eligible"})
    points = fields.Integer(allow_none=True, metadata={"description": "the points applying would reserve; null "
                                                                      "when not eligible"})
    fine_after = fields.Integer(allow_none=True, metadata={"description": "fen; null when not eligible (no "
                                                                          "reduced fine is shown)"})
    undertaking = fields.String(metadata={"description": "the undertaking (承诺) applying accepts"})


class ApplicationIn(Schema):
    case_id = fields.Integer(required=True, strict=True)
    undertaking = fields.Boolean(required=True, truthy={True}, falsy={False}, validate=validate.Equal(True),
                                 metadata={"description": "must be true: the enterprise accepts the preview's "
                                                          "undertaking (stored with the application)"})


class EvaluationOut(Schema):
    eligible = fields.Boolean()
    fine_before = fields.Integer()
    max_offset = fields.Integer()
    points = fields.Integer()
    fine_after = fields.Integer()
    today = fields.String()
    checks = fields.List(fields.Nested(CheckOut))


class ReevaluationOut(Schema):
    at = fields.String(metadata={"description": "ISO time of the change"})
    source = fields.String(metadata={"description": "case_form | import | case_status | …"})
    changes = fields.Dict(keys=fields.String(), values=fields.List(fields.Raw()))
    evaluation = fields.Nested(EvaluationOut)


class DiscussionOut(Schema):
    held_on = fields.Date()
    participants = fields.String()
    conclusion = fields.String()
    recorded_by = fields.String()
    recorded_at = fields.DateTime()


class DecisionOut(Schema):
    step = fields.String()
    decision = fields.String()
    comment = fields.String()
    decided_by = fields.String()
    decided_at = fields.DateTime()
    evaluation = fields.Nested(EvaluationOut, allow_none=True,
                               metadata={"description": "the case as it stood when the step was decided"})


class ApplicationOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    case_number = fields.String()
    status = fields.String()
    points = fields.Integer()
    offset_fen = fields.Integer()
    fine_before = fields.Integer()
    fine_after = fields.Integer()
    rule_set = fields.String()
    step_deadline = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    checks = fields.List(fields.Nested(CheckOut))
    decisions = fields.List(fields.Nested(DecisionOut))
    current = fields.Nested(EvaluationOut, metadata={"description": "the latest evaluation (a re-evaluation after a "
                                                                     "change of the case's facts, or at applying)"})
    reevaluations = fields.List(fields.Nested(ReevaluationOut))
    undertaking = fields.String(allow_none=True)
    undertaken_at = fields.DateTime(allow_none=True)
    end_reason = fields.String(allow_none=True, metadata={"description": "case_closed: why the application ended"})
    needs_collective_discussion = fields.Boolean(metadata={"description": "the rule set may go below the statutory "
                                                                          "minimum: 集体讨论 before approval"})
    collective_discussion = fields.Nested(DiscussionOut, allow_none=True)


class DecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


def case_out(case) -> dict:
    vt = case.violation_type
    application = offsets.open_application(case.id)
    return {"id": case.id, "case_number": case.case_number, "status": case.status, "violation_code": vt.code,
            "violation": vt.name, "law": vt.law, "article": vt.article, "opened_on": case.opened_on,
            "proposed_fine": case.proposed_fine, "final_fine": case.final_fine,
            "open_for_offset": case.status in offsets.rules.OPEN_STAGES,
            "application_id": application.id if application else None, **deadline_fields(case)}


def rule_label(rule_set) -> str:
    return f"{rule_set.name}（{rule_set.doc_number}）v{rule_set.version}"


def _evaluation(data: dict | None) -> dict | None:
    if not data:
        return None
    return {k: data.get(k) for k in ("eligible", "fine_before", "max_offset", "points", "fine_after", "today",
                                     "checks")}


def _discussion(application) -> dict | None:
    from eduapp.extensions import db
    from eduapp.models import User
    from eduapp.services import offset_steps

    found = offset_steps.discussion_of(application)
    if found is None:
        return None
    return {"held_on": found.held_on, "participants": found.participants, "conclusion": found.conclusion,
            "recorded_by": db.session.get(User, found.recorded_by_id).full_name, "recorded_at": found.recorded_at}


def application_out(application) -> dict:
    from eduapp.services import offset_facts, offset_steps

    people = offsets.deciders(application)
    return {
        "id": application.id, "case_id": application.case_id, "case_number": application.case.case_number,
        "status": application.status, "points": application.points, "offset_fen": application.offset_fen,
        "fine_before": application.fine_before, "fine_after": application.fine_after,
        "rule_set": rule_label(application.rule_set),
        "step_deadline": application.step_deadline, "created_at": application.created_at,
        "finished_at": application.finished_at, "checks": application.evaluation.get("checks", []),
        "decisions": [{"step": step, "decision": d.decision, "comment": d.comment, "decided_by": user.full_name,
                       "decided_at": d.decided_at, "evaluation": _evaluation(d.evaluation)}
                      for step, (user, d) in people.items()],
        "current": _evaluation(offset_facts.latest(application)),
        "reevaluations": [{**r, "evaluation": _evaluation(r.get("evaluation"))}
                          for r in application.reevaluations or ()],
        "undertaking": application.undertaking_text, "undertaken_at": application.undertaken_at,
        "end_reason": application.end_reason,
        "needs_collective_discussion": offset_steps.needs_discussion(application),
        "collective_discussion": _discussion(application),
    }


@blp.route("/enterprise/cases")
@require(Permission.ROSTER_MANAGE)
@blp.response(200, CaseOut(many=True))
def enterprise_cases():
    """My enterprise's penalty cases (enterprise contacts)."""
    return [case_out(c) for c in offsets.cases_of(current_user.organisation_id)]


@blp.route(f"/cases/<{ID}:case_id>/offset-preview")
@require(Permission.ROSTER_MANAGE)
@blp.response(200, PreviewOut)
def offset_preview(case_id: int):
    """What an offset would be now: every check with its reason and legal basis, the amounts."""
    case = offsets.case_for(current_user, case_id)
    if case is None:
        abort(404)
    result = offsets.preview(case)
    no_penalty = non_penalty.assess(case).answer
    ev = result.evaluation
    if ev is None or no_penalty.applies:  # §33 ¶1 first: a case it covers is offered no offset
        return {"case_id": case.id, "no_penalty": no_penalty.as_dict(),
                "rule_set": f"{ev.rule_code} v{ev.rule_version}" if ev else None, "eligible": False,
                "checks": [], "fine_before": case.proposed_fine, "max_offset": None, "points": None,
                "fine_after": None, "undertaking": offsets.UNDERTAKING}
    shown = ev.eligible  # an ineligible preview shows no offset and no reduced fine
    return {"case_id": case.id, "no_penalty": no_penalty.as_dict(), "rule_set": f"{ev.rule_code} v{ev.rule_version}",
            "eligible": ev.eligible, "checks": [vars(c) for c in ev.checks], "fine_before": ev.fine_before,
            "max_offset": ev.max_offset if shown else None, "points": ev.points if shown else None,
            "fine_after": ev.fine_after if shown else None, "undertaking": offsets.UNDERTAKING}


@blp.route("/offset-applications", methods=["POST"])
@require(Permission.ROSTER_MANAGE)
@blp.arguments(ApplicationIn)
@blp.response(201, ApplicationOut)
def create_application(args):
    """Apply to offset part of a case's fine; the points are reserved at once. ``undertaking`` must be
    true (the enterprise accepts the undertaking the preview gives)."""
    case = offsets.case_for(current_user, args["case_id"])
    if case is None:
        abort(404)
    try:
        return application_out(offsets.apply(current_user, case, undertaking=args["undertaking"]))
    except OffsetError as error:
        raise _error(error)
    except InputError as error:
        raise _input(error)


@blp.route(f"/offset-applications/<{ID}:application_id>")
@require(Permission.ROSTER_MANAGE, Permission.CASES_HANDLE, Permission.OFFSETS_REVIEW, Permission.OFFSETS_APPROVE)
@blp.response(200, ApplicationOut)
def get_application(application_id: int):
    application = offsets.application_for(current_user, application_id)
    if application is None:
        abort(404)
    return application_out(application)


@blp.route(f"/offset-applications/<{ID}:application_id>/withdraw", methods=["POST"])
@require(Permission.ROSTER_MANAGE)
@blp.response(200, ApplicationOut)
def withdraw(application_id: int):
    """Withdraw an application under review; its points are released."""
    application = offsets.application_for(current_user, application_id)
    if application is None:
        abort(404)
    try:
        return application_out(offsets.withdraw(current_user, application))
    except OffsetError as error:
        raise _error(error)


@blp.route(f"/offset-applications/<{ID}:application_id>/decisions", methods=["POST"])
@require(Permission.CASES_HANDLE, Permission.OFFSETS_REVIEW, Permission.OFFSETS_APPROVE)
@blp.arguments(DecisionIn)
@blp.response(200, ApplicationOut)
def decide(args, application_id: int):
    """Decide the application's current step (case officer, legal reviewer, approver; four eyes)."""
    application = offsets.application_for(current_user, application_id)
    if application is None:
        abort(404)
    try:
        return application_out(offsets.decide(current_user, application, args["decision"], args["comment"]))
    except OffsetError as error:
        raise _error(error)
    except InputError as error:
        raise _input(error)
