"""A case's decision deadline (行政处罚法 §60) and its extensions, and its service and payment dates
(§61, §67, §72): the schemas the case endpoints answer with (bureau_cases.py, the enterprise's
/enterprise/cases) and the extension endpoints. Dates are the bureau's calendar days (YYYY-MM-DD)."""

from __future__ import annotations

from dataclasses import asdict

from flask import abort
from flask_login import current_user
from marshmallow import Schema, fields, validate

from eduapp.api.bureau_common import ID, BureauBlueprint, Id, Text, errors, input_error
from eduapp.domain import case_deadlines as rules
from eduapp.domain.problems import InputError
from eduapp.models import PenaltyCase
from eduapp.security import client_ip, require
from eduapp.services import case_deadlines, cases

blp = BureauBlueprint("api_case_deadlines", __name__, url_prefix="/api/v1",
                      description="Case decision deadlines (行政处罚法 §60) and their extensions")

READERS = cases.BUREAU_PERMISSIONS


# --- schemas -----------------------------------------------------------------------------------------


class DeadlineOut(Schema):
    due_on = fields.Date(required=True, metadata={"description": "the last day to decide, that day included: 90 "
                                                                 "days after opened_on, or the latest extension"})
    days_left = fields.Integer(required=True, allow_none=True,
                               metadata={"description": "0 on the day itself, negative when overdue; null once "
                                                        "the case is decided, not penalised or transferred"})
    running = fields.Boolean(required=True, metadata={"description": "false once decided, not penalised or "
                                                                     "transferred"})
    overdue = fields.Boolean(required=True)
    extended = fields.Boolean(required=True)


class PaymentOut(Schema):
    served_on = fields.Date(required=True, allow_none=True,
                            metadata={"description": "the day the party received the decision (送达)"})
    due_on = fields.Date(required=True, allow_none=True,
                         metadata={"description": "15 days after served_on, that day included (§67 ¶3); null "
                                                  "without a service date or a fine"})
    service_missing = fields.Boolean(required=True, metadata={"description": "a fine was decided but its service "
                                                                             "date is not recorded"})
    late_fee_notified = fields.Boolean(required=True, metadata={"description": "the decision told the party of "
                                                                               "the §72 late fee (行政强制法 §45)"})
    late_fee_text = fields.String(required=True, metadata={"description": "the §72 wording (可以…), empty unless "
                                                                          "late_fee_notified and a fine"})


class ExtensionOut(Schema):
    id = fields.Integer(required=True)
    case_id = fields.Integer(required=True)
    previous_due_on = fields.Date(required=True)
    new_due_on = fields.Date(required=True)
    reason = fields.String(required=True)
    approved_by = fields.String(required=True, allow_none=True, metadata={"description": "the head's username"})
    approved_on = fields.Date(required=True)
    recorded_by = fields.String(required=True, allow_none=True)
    recorded_at = fields.DateTime(required=True)


class ExtensionsOut(Schema):
    deadline = fields.Nested(DeadlineOut, required=True)
    extensions = fields.List(fields.Nested(ExtensionOut), required=True)


class ExtensionIn(Schema):
    new_due_on = fields.Date(required=True, metadata={"description": "later than the current deadline"})
    reason = Text(required=True, validate=validate.Length(min=1, max=rules.MAX_REASON))
    approved_by_id = Id(required=True, metadata={"description": "the head who approved: an account with the "
                                                                "approver role (an approver may give their own)"})
    approved_on = fields.Date(required=True, metadata={"description": "not in the future, not after the current "
                                                                      "deadline"})


# --- what the case endpoints add ----------------------------------------------------------------------


def case_fields(case: PenaltyCase) -> dict:
    """The keys every case answer carries: deadline, served_on, late_fee_notified, payment."""
    payment = case_deadlines.payment_of(case)
    return {"deadline": deadline_out(case_deadlines.deadline_on(case, cases.local_today())),
            "served_on": case.served_on, "late_fee_notified": bool(case.late_fee_notified),
            "payment": asdict(payment)}


def deadline_out(deadline: case_deadlines.Deadline) -> dict:
    return {"due_on": deadline.due_on, "days_left": deadline.days_left if deadline.running else None,
            "running": deadline.running, "overdue": deadline.overdue, "extended": deadline.extended}


def _extensions(case: PenaltyCase) -> dict:
    found = case_deadlines.extensions_of(case)
    people = case_deadlines.people_of(found)

    def name(user_id):
        return people[user_id].username if user_id in people else None

    return {"deadline": deadline_out(case_deadlines.deadline_on(case, cases.local_today())),
            "extensions": [{"id": e.id, "case_id": e.case_id, "previous_due_on": e.previous_due_on,
                            "new_due_on": e.new_due_on, "reason": e.reason, "approved_by": name(e.approved_by_id),
                            "approved_on": e.approved_on, "recorded_by": name(e.recorded_by_id),
                            "recorded_at": e.recorded_at} for e in found]}


def _case_or_404(case_id: int) -> PenaltyCase:
    case = cases.get_case(current_user, case_id)
    if case is None:
        abort(404)
    return case


# --- views -------------------------------------------------------------------------------------------


@blp.route(f"/cases/<{ID}:case_id>/deadline-extensions")
@require(*READERS)
@errors(blp, 404)
@blp.response(200, ExtensionsOut)
def list_extensions(case_id: int):
    """The case's decision deadline in force and every extension, oldest first."""
    return _extensions(_case_or_404(case_id))


@blp.route(f"/cases/<{ID}:case_id>/deadline-extensions", methods=["POST"])
@require(*case_deadlines.EXTEND_PERMISSIONS)
@errors(blp, 400, 404)
@blp.arguments(ExtensionIn)
@blp.response(201, ExtensionsOut)
def extend(args, case_id: int):
    """Record an extension of the decision deadline approved by a head (case officers and approvers).
    422 names the field: ``new_due_on`` not later than the current deadline, ``approved_by_id`` not an
    approver, ``approved_on`` in the future or after the deadline, ``status`` a case no longer running."""
    case = _case_or_404(case_id)
    try:
        case_deadlines.extend(current_user, case, new_due_on=args["new_due_on"], reason=args["reason"],
                              approved_by_id=args["approved_by_id"], approved_on=args["approved_on"],
                              today=cases.local_today(), ip=client_ip())
    except InputError as error:
        raise input_error(error, {"approved_by": "approved_by_id"})
    return _extensions(_case_or_404(case_id))
