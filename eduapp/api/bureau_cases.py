"""Penalty cases for case officers and the bureau's case system: list and filter, read, create, update,
move through the stages, and the violation catalogue (the case register import is
bureau_case_import.py). Money is integer fen; dates are the bureau's calendar days (YYYY-MM-DD)."""

from __future__ import annotations

from datetime import date

from flask import abort
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select

from eduapp.api.bureau_case_deadlines import DeadlineOut, PaymentOut
from eduapp.api.bureau_case_deadlines import case_fields as deadline_fields
from eduapp.api.bureau_common import (
    ID,
    Bool,
    BureauBlueprint,
    Flag,
    Id,
    PageArgs,
    Text,
    Whole,
    errors,
    input_error,
    page_out,
    page_schema,
    problem_text,
)
from eduapp.domain import case_register as register_rules
from eduapp.domain import cases as rules
from eduapp.domain import fines
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.domain.roles import Permission
from eduapp.extensions import db
from eduapp.models import ENTERPRISE, PenaltyCase, User
from eduapp.security import client_ip, require
from eduapp.services import cases, offsets
from eduapp.services import fines as fine_service
from eduapp.services import orgs as org_service
from eduapp.services.bureau_queries import paginate

blp = BureauBlueprint("api_cases", __name__, url_prefix="/api/v1", description="Penalty cases (case officers)")

# Bureau staff who read cases (the case page shows them every case); only case officers write.
READERS = (Permission.CASES_HANDLE, Permission.OFFSETS_REVIEW, Permission.OFFSETS_APPROVE)
FIRST_DAY, LAST_DAY = date(1990, 1, 1), date(2999, 12, 31)


def Day(**kwargs) -> fields.Date:  # noqa: N802 (reads as a field class)
    """A day from 1990 to 2999 (date arithmetic on a case, such as look-back windows, stays in range)."""
    metadata = {"pattern": r"^(199\d|2\d{3})-\d{2}-\d{2}$", **kwargs.pop("metadata", {})}
    return fields.Date(validate=validate.Range(min=FIRST_DAY, max=LAST_DAY), metadata=metadata, **kwargs)


def Fen(**kwargs) -> fields.Integer:  # noqa: N802
    return Whole(validate=validate.Range(min=0, max=rules.MAX_FEN),
                          metadata={"description": "fen (1 yuan = 100 fen)"}, **kwargs)


# --- schemas -----------------------------------------------------------------------------------------


class CaseListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(rules.STATUSES))
    enterprise_id = Id(strict=False)
    violation_code = Text(validate=validate.Length(min=1, max=32))
    opened_from = Day(metadata={"description": "opened on or after this day"})
    opened_to = Day(metadata={"description": "opened on or before this day"})
    q = Text(validate=validate.Length(min=1, max=200),
             metadata={"description": "text in the case number, the enterprise's name or credit code"})

    @validates_schema
    def _period(self, data, **kwargs):
        if data.get("opened_from") and data.get("opened_to") and data["opened_to"] < data["opened_from"]:
            raise ValidationError("Must not be before opened_from.", "opened_to")


class EnterpriseRefOut(Schema):
    id = fields.Integer()
    name = fields.String()
    uscc = fields.String(allow_none=True, metadata={"description": "unified social credit code"})


class ViolationTypeOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    law = fields.String()
    article = fields.String()
    clause = fields.String(allow_none=True)
    fine_min = fields.Integer(allow_none=True, metadata={"description": "fen; null: the statute sets none"})
    fine_max = fields.Integer(allow_none=True, metadata={"description": "fen; null: not a fixed range"})
    fine_note = fields.String()
    active = fields.Boolean()
    fine_method = fields.String(metadata={"description": " | ".join(fines.FINE_METHODS)
                                          + ": a fixed range, a multiple of the basis, per occurrence"})
    basis = fields.String(allow_none=True, metadata={"description": "multiple: the amount it multiplies"})
    basis_floor = fields.Integer(allow_none=True, metadata={"description": "fen: the basis counts as at least this"})
    multiple_min_percent = fields.Integer(allow_none=True, metadata={"description": "multiple: 100 = 1×"})
    multiple_max_percent = fields.Integer(allow_none=True, metadata={"description": "multiple: 100 = 1×"})
    same_act_group = fields.String(allow_none=True,
                                   metadata={"description": "codes that can describe one act (行政处罚法 §29)"})
    min_harm = fields.String(allow_none=True, metadata={"description": "applies only from this harm level"})


class OfficerOut(Schema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()


class UnitRefOut(Schema):
    id = fields.Integer()
    name = fields.String()


class StatutoryFineOut(Schema):
    fine_min = fields.Integer(allow_none=True, metadata={"description": "fen, computed for this case"})
    fine_max = fields.Integer(allow_none=True, metadata={"description": "fen, computed for this case"})
    computable = fields.Boolean(metadata={"description": "false: the fine basis or occurrences are missing"})
    reason = fields.String(metadata={"description": "how it was computed, or what is missing (Chinese)"})
    offset_floor = fields.Integer(allow_none=True, metadata={
        "description": "fen: the lowest fine an offset may lead to (the §29 group's highest minimum)"})
    same_act_codes = fields.List(fields.String(), metadata={"description": "the codes of its §29 group"})


class WarningOut(Schema):
    field = fields.String(allow_none=True)
    message = fields.String()


class PenaltyCaseOut(Schema):
    id = fields.Integer()
    case_number = fields.String()
    status = fields.String(metadata={"description": " | ".join(rules.STATUSES)})
    next_statuses = fields.List(fields.String(), metadata={"description": "the moves the case may make now"})
    enterprise = fields.Nested(EnterpriseRefOut)
    violation = fields.Nested(ViolationTypeOut)
    description = fields.String()
    harm_level = fields.String(metadata={"description": " | ".join(rules.HARM_LEVELS)})
    corrected = fields.Boolean()
    correction_due_on = fields.Date(allow_none=True)
    correction_overdue = fields.Boolean()
    discovered_on = fields.Date(allow_none=True)
    opened_on = fields.Date()
    notified_on = fields.Date(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    paid_on = fields.Date(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    proposed_fine = fields.Integer(metadata={"description": "fen"})
    final_fine = fields.Integer(allow_none=True, metadata={"description": "fen, from the decision"})
    officer = fields.Nested(OfficerOut, allow_none=True)
    handling_unit = fields.Nested(UnitRefOut, allow_none=True, metadata={
        "description": "承办机构: the unit whose reviewers and approvers get the offset-review reminders; null: "
                       "not known (an older case), the reminders go bureau-wide"})
    fine_basis_fen = fields.Integer(allow_none=True, metadata={"description": "fen: the amount a multiple applies to"})
    occurrences = fields.Integer(allow_none=True, metadata={"description": "for a fine per occurrence"})
    statutory_fine = fields.Nested(StatutoryFineOut)
    open_for_offset = fields.Boolean()
    application_id = fields.Integer(allow_none=True, metadata={"description": "the offset application under review"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    # decision deadline (§60), service and payment (§61, §67, §72): see bureau_case_deadlines.py
    deadline = fields.Nested(DeadlineOut, metadata={"description": "the §60 decision deadline"})
    served_on = fields.Date(allow_none=True, metadata={"description": "the day the party received the decision"})
    late_fee_notified = fields.Boolean(metadata={"description": "the decision told the party of the late fee"})
    payment = fields.Nested(PaymentOut)


class SavedCaseOut(PenaltyCaseOut):
    changed = fields.Boolean()
    warnings = fields.List(fields.Nested(WarningOut),
                           metadata={"description": "saved all the same, e.g. a fine below the statutory minimum"})


PenaltyCasePageOut = page_schema("PenaltyCasePageOut", PenaltyCaseOut)


class _CaseFields(Schema):
    """The fields a case officer edits; one of each pair names the enterprise, the violation type and
    the officer."""

    case_number = Text(validate=validate.Length(min=1, max=register_rules.MAX_CASE_NUMBER))
    enterprise_id = Id()
    enterprise = Text(validate=validate.Length(min=1, max=200),
                      metadata={"description": "instead of enterprise_id: the name or the credit code"})
    violation_type_id = Id()
    violation_code = Text(validate=validate.Length(min=1, max=32),
                          metadata={"description": "instead of violation_type_id: e.g. AIR-99-1"})
    officer_id = Id(allow_none=True)
    officer = Text(allow_none=True, validate=validate.Length(min=1, max=64),
                   metadata={"description": "instead of officer_id: the case officer's username"})
    handling_unit_id = Id(allow_none=True, metadata={
        "description": "承办机构: the id of the bureau's unit that handles the case; left out on a new case, or "
                       "null: the case officer's unit"})
    description = Text(allow_none=True, validate=validate.Length(max=register_rules.MAX_DESCRIPTION))
    harm_level = fields.String(validate=validate.OneOf(rules.HARM_LEVELS))
    corrected = Bool()
    correction_due_on = Day(allow_none=True, metadata={"description": "the deadline of the order to correct"})
    discovered_on = Day(allow_none=True)
    opened_on = Day()
    proposed_fine = Fen()
    fine_basis_fen = Whole(allow_none=True, validate=validate.Range(min=0, max=fines.MAX_BASIS_FEN), metadata={
        "description": "fen: the amount a multiple applies to (货值金额, 所需处置费用, 建设项目总投资额)"})
    occurrences = Whole(allow_none=True, validate=validate.Range(min=1, max=fines.MAX_OCCURRENCES),
                        metadata={"description": "the number of occurrences, for a fine per occurrence (每次)"})
    served_on = Day(allow_none=True, metadata={"description": "the day the party received the decision (送达); "
                                                             "only once decided, not before decided_on"})
    late_fee_notified = Bool(metadata={"description": "the decision told the party of the late fee (§72)"})

    @validates_schema
    def _one_of_each(self, data, **kwargs):
        found = {}
        for by_id, by_name in (("enterprise_id", "enterprise"), ("violation_type_id", "violation_code"),
                               ("officer_id", "officer")):
            if by_id in data and by_name in data:
                found[by_name] = [f"Give {by_id} or {by_name}, not both."]
        if found:
            raise ValidationError(found)


class CaseIn(_CaseFields):
    """A new case, at any stage (as a case register row may be)."""

    case_number = Text(required=True, validate=validate.Length(min=1, max=register_rules.MAX_CASE_NUMBER))
    opened_on = Day(required=True)
    proposed_fine = Fen(required=True)
    status = fields.String(load_default=rules.FILED, validate=validate.OneOf(rules.STATUSES))
    notified_on = Day(allow_none=True)
    decided_on = Day(allow_none=True)
    paid_on = Day(allow_none=True)
    closed_on = Day(allow_none=True)
    final_fine = Fen(allow_none=True)

    @validates_schema
    def _required_pairs(self, data, **kwargs):
        missing = {}
        for by_id, by_name in (("enterprise_id", "enterprise"), ("violation_type_id", "violation_code")):
            if by_id not in data and by_name not in data:
                missing[by_name] = [f"Give {by_name} or {by_id}."]
        if missing:
            raise ValidationError(missing)


class CaseUpdateIn(_CaseFields):
    """Any of the case form's fields; the status, its dates and the final fine change through
    POST /cases/{case_id}/status."""


class StatusIn(Schema):
    status = fields.String(required=True, validate=validate.OneOf(rules.STATUSES),
                           metadata={"description": "one of the case's next_statuses"})
    date = Day(required=True, metadata={"description": "the day of the move (not in the future)"})
    final_fine = Fen(allow_none=True, load_default=None)
    comment = Text(load_default="", validate=validate.Length(max=2000))
    served_on = Day(allow_none=True, load_default=None,
                    metadata={"description": "with a decision: the day the party received it (may come later)"})
    late_fee_notified = Bool(load_default=None, allow_none=True,
                             metadata={"description": "with a decision: it told the party of the late fee"})


class ViolationTypeArgs(Schema):
    active = Flag(metadata={"description": "only active (true) or retired (false) types"})


# --- helpers -----------------------------------------------------------------------------------------


def case_out(case: PenaltyCase) -> dict:
    vt, enterprise = case.violation_type, case.enterprise
    officer = db.session.get(User, case.officer_id) if case.officer_id else None
    application = offsets.open_application(case.id)
    return {
        "id": case.id, "case_number": case.case_number, "status": case.status,
        "next_statuses": list(rules.allowed_transitions(case.status)),
        "enterprise": {"id": enterprise.id, "name": enterprise.name, "uscc": enterprise.uscc},
        "violation": violation_out(vt),
        "description": case.description, "harm_level": case.harm_level, "corrected": case.corrected,
        "correction_due_on": case.correction_due_on,
        "correction_overdue": rules.correction_overdue(case.correction_due_on, case.corrected, cases.local_today()),
        **{name: getattr(case, name) for name in rules.DATE_FIELDS},
        "proposed_fine": case.proposed_fine, "final_fine": case.final_fine,
        "officer": {"id": officer.id, "username": officer.username, "full_name": officer.full_name}
        if officer else None,
        "handling_unit": {"id": case.handling_unit.id, "name": case.handling_unit.name} if case.handling_unit else None,
        "fine_basis_fen": case.fine_basis_fen, "occurrences": case.occurrences,
        "statutory_fine": statutory_out(case),
        "open_for_offset": rules.is_open_for_offset(case.status),
        "application_id": application.id if application else None,
        "created_at": case.created_at, "updated_at": case.updated_at,
        **deadline_fields(case),
    }


def violation_out(vt) -> dict:
    return {"id": vt.id, "code": vt.code, "name": vt.name, "law": vt.law, "article": vt.article, "clause": vt.clause,
            "fine_min": vt.fine_min, "fine_max": vt.fine_max, "fine_note": vt.fine_note, "active": vt.active,
            **{k: getattr(vt, k) for k in ("fine_method", "basis", "basis_floor", "multiple_min_percent",
                                           "multiple_max_percent", "same_act_group", "min_harm")}}


def statutory_out(case: PenaltyCase) -> dict:
    vt = case.violation_type
    found = fine_service.statutory_range(vt, case.fine_basis_fen, case.occurrences)
    return {"fine_min": found.fine_min, "fine_max": found.fine_max, "computable": found.computable,
            "reason": found.reason, "offset_floor": fine_service.case_floor(case).amount,
            "same_act_codes": sorted(r.code for r in fine_service.same_act_rules(vt))}


def _warnings(problems: list[Problem], rename: dict | None = None) -> list[dict]:
    return [{"field": (rename or {}).get(p.field, p.field), "message": problem_text(p)} for p in problems]


def _case_or_404(case_id: int) -> PenaltyCase:
    case = cases.get_case(current_user, case_id)
    if case is None:
        abort(404)
    return case


def _resolve(args: dict) -> tuple[dict, dict]:
    """The fields for services.cases.save_case, with names and codes looked up; and how to name the
    service's fields back to the request's."""
    values = {k: v for k, v in args.items() if k in cases.CASE_FIELDS}
    rename: dict[str, str] = {}
    problems: list[Problem] = []
    if "description" in values and values["description"] is None:
        values["description"] = ""
    if "enterprise" in args:
        org = org_service.find(args["enterprise"])
        if org is None or org.kind != ENTERPRISE:
            problems.append(Problem(N_("No enterprise is named or coded “%(value)s”."), {"value": args["enterprise"]},
                                    "enterprise"))
        else:
            values["enterprise_id"] = org.id
        rename["enterprise_id"] = "enterprise"
    if "violation_code" in args:
        vt = cases.violation_by_code(args["violation_code"])
        if vt is None:
            problems.append(Problem(N_("No violation type has the code “%(value)s” (see the catalogue)."),
                                    {"value": args["violation_code"]}, "violation_code"))
        else:
            values["violation_type_id"] = vt.id
        rename["violation_type_id"] = "violation_code"
    if "officer" in args:
        officer = None
        if args["officer"] is not None:
            officer = db.session.execute(select(User).where(User.username == args["officer"])).scalar_one_or_none()
            if officer is None or not officer.can(Permission.CASES_HANDLE):
                problems.append(Problem(N_("No case officer has the username “%(value)s”."),
                                        {"value": args["officer"]}, "officer"))
        values["officer_id"] = officer.id if officer is not None else None
        rename["officer_id"] = "officer"
    if problems:
        raise input_error(InputError(problems))
    return values, rename


def _saved(result: cases.SaveResult, rename: dict) -> dict:
    return {**case_out(result.case), "changed": result.changed, "warnings": _warnings(result.warnings, rename)}


# --- views -------------------------------------------------------------------------------------------


@blp.route("/cases")
@require(Permission.CASES_HANDLE)
@errors(blp)
@blp.arguments(CaseListArgs, location="query")
@blp.response(200, PenaltyCasePageOut)
def list_cases(args):
    """Every case, the latest opened first, filtered by status, enterprise, violation code, the day it
    was opened (from, to: both included) and text (``per_page`` at most 100)."""
    violation_type_id = None
    if args.get("violation_code"):
        vt = cases.violation_by_code(args["violation_code"].strip())
        violation_type_id = vt.id if vt else -1  # an unknown code matches no case
    query = cases.list_cases(current_user, status=args.get("status"), enterprise_id=args.get("enterprise_id"),
                             violation_type_id=violation_type_id, q=args.get("q") or "")
    if args.get("opened_from"):
        query = query.where(PenaltyCase.opened_on >= args["opened_from"])
    if args.get("opened_to"):
        query = query.where(PenaltyCase.opened_on <= args["opened_to"])
    items, total = paginate(query, args["page"], args["per_page"])
    return page_out([case_out(c) for c in items], total, args)


@blp.route("/cases", methods=["POST"])
@require(Permission.CASES_HANDLE)
@errors(blp, 400)
@blp.arguments(CaseIn)
@blp.response(201, SavedCaseOut)
def create_case(args):
    """Register a case (as the case system pushes it). The enterprise, violation type and officer are
    given by id or by name/code; problems name their field; ``warnings`` did not stop the save."""
    values, rename = _resolve(args)
    try:
        result = cases.save_case(current_user, values, None, ip=client_ip(), source="api")
    except InputError as error:
        raise input_error(error, rename)
    return _saved(result, rename)


@blp.route(f"/cases/<{ID}:case_id>")
@require(*READERS)
@errors(blp, 404)
@blp.response(200, PenaltyCaseOut)
def get_case(case_id: int):
    """A case: its stage and dates, amounts, officer, and the offset application under review."""
    return case_out(_case_or_404(case_id))


@blp.route(f"/cases/<{ID}:case_id>", methods=["PATCH"])
@require(Permission.CASES_HANDLE)
@errors(blp, 400, 404)
@blp.arguments(CaseUpdateIn, required=False)
@blp.response(200, SavedCaseOut)
def update_case(args, case_id: int):
    """Change any of the given fields (the others keep their values; null clears an optional one)."""
    case = _case_or_404(case_id)
    values, rename = _resolve(args)
    try:
        result = cases.save_case(current_user, values, case, ip=client_ip(), source="api")
    except InputError as error:
        db.session.rollback()
        raise input_error(error, rename)
    return _saved(result, rename)


@blp.route(f"/cases/<{ID}:case_id>/status", methods=["POST"])
@require(Permission.CASES_HANDLE)
@errors(blp, 400, 404, 409)
@blp.arguments(StatusIn)
@blp.response(200, SavedCaseOut)
def change_status(args, case_id: int):
    """Move the case to one of its ``next_statuses`` on ``date``; a decision (``decided``) needs the
    ``final_fine``. Another status answers 409 ``invalid_transition``."""
    case = _case_or_404(case_id)
    rename = {"to": "status", "on": "date"}
    if args["status"] == rules.NOT_PENALISED:  # its own record: POST /api/v1/cases/{id}/not-penalised
        conflict = input_error(InputError([Problem(N_("Close a case as not penalised with its decision record "
                                                      "(reason, legal basis, education)."), {}, "to")]), rename)
        conflict.status, conflict.code = 409, "invalid_transition"
        raise conflict
    try:
        check = cases.change_status(current_user, case, args["status"], args["date"], final_fine=args["final_fine"],
                                    comment=args["comment"], ip=client_ip(), served_on=args["served_on"],
                                    late_fee_notified=args["late_fee_notified"])
    except InputError as error:
        if any(p.field == "to" for p in error.problems):  # not a move from the current status: a conflict
            conflict = input_error(error, rename)
            conflict.status, conflict.code = 409, "invalid_transition"
            raise conflict
        raise input_error(error, rename)
    case = _case_or_404(case_id)
    return {**case_out(case), "changed": True, "warnings": _warnings(check.warnings, rename)}


@blp.route("/violation-types")
@require(*READERS)
@errors(blp)
@blp.arguments(ViolationTypeArgs, location="query")
@blp.response(200, ViolationTypeOut(many=True))
def violation_types(args):
    """The violation catalogue: each type's code, statute article and fine range (fen)."""
    found = cases.violation_types()
    if "active" in args:
        found = [vt for vt in found if vt.active == args["active"]]
    return [violation_out(vt) for vt in found]
