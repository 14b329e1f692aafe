"""不予行政处罚 (行政处罚法 §33) in the API: the versioned 免罚清单 (kept by legal reviewers and approvers,
read by everyone signed in as published), and the case officer's decision not to penalise a case
(its own record; the case moves to not_penalised through the status path)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from eduapp.api.bureau_cases import Day
from eduapp.api.bureau_common import (
    ID,
    Bool,
    BureauBlueprint,
    PageArgs,
    Text,
    Whole,
    api_error,
    errors,
    input_error,
    page_out,
    page_schema,
)
from eduapp.api.offsets import NoPenaltyOut
from eduapp.domain import cases as case_rules
from eduapp.domain import non_penalty as rules
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Permission
from eduapp.extensions import db
from eduapp.models import NonPenaltyList, User
from eduapp.security import client_ip, require, signed_in
from eduapp.services import cases, non_penalty
from eduapp.services import non_penalty_lists as lists
from eduapp.services.bureau_queries import paginate

blp = BureauBlueprint("api_non_penalty", __name__, url_prefix="/api/v1",
                      description="Not penalised (行政处罚法 §33): the published list and the officer's decisions")

EDITORS = (Permission.OFFSETS_REVIEW, Permission.OFFSETS_APPROVE)
READERS = (Permission.CASES_HANDLE, Permission.OFFSETS_REVIEW, Permission.OFFSETS_APPROVE)


# --- the list ----------------------------------------------------------------------------------------


class EntrySchema(Schema):
    violation_code = Text(required=True, validate=validate.Length(min=1, max=32))
    kind = fields.String(required=True, validate=validate.OneOf(rules.ENTRY_KINDS),
                         metadata={"description": "minor (轻微违法不予处罚) | first (首违不罚)"})
    lookback_months = Whole(load_default=24, validate=validate.Range(1, 120),
                            metadata={"description": "first: no earlier violation within so many months (24)"})
    any_type = Bool(load_default=False, metadata={"description": "first: earlier cases of any type count (false)"})
    conditions = Text(load_default="", validate=validate.Length(max=500),
                      metadata={"description": "the list's own wording"})


class NonPenaltyListIn(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    doc_number = Text(required=True, validate=validate.Length(min=1, max=100), metadata={"description": "文号"})
    authority = Text(required=True, validate=validate.Length(min=1, max=200))
    effective_from = Day(required=True)
    effective_to = Day(load_default=None, allow_none=True, metadata={"description": "null: no end"})
    status = fields.String(load_default="draft", validate=validate.OneOf(lists.STATUSES),
                           metadata={"description": "active: published (retires the code's earlier active version)"})
    legal_basis = fields.List(Text(validate=validate.Length(min=1, max=500)), load_default=list,
                              validate=validate.Length(max=50))
    entries = fields.List(fields.Nested(EntrySchema), required=True, validate=validate.Length(min=1, max=500))


class NonPenaltyListOut(Schema):
    id = fields.Integer()
    code = fields.String(metadata={"description": "the versions of one list share it"})
    version = fields.Integer()
    name = fields.String()
    doc_number = fields.String()
    authority = fields.String()
    effective_from = fields.Date()
    effective_to = fields.Date(allow_none=True)
    status = fields.String(metadata={"description": "draft | active | retired"})
    legal_basis = fields.List(fields.String())
    entries = fields.List(fields.Nested(EntrySchema))
    created_at = fields.DateTime()


class NonPenaltyListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(lists.STATUSES))


NonPenaltyListPageOut = page_schema("NonPenaltyListPageOut", NonPenaltyListOut)


def list_out(row: NonPenaltyList) -> dict:
    return {"id": row.id, "code": row.code, "version": row.version, "name": row.name, "doc_number": row.doc_number,
            "authority": row.authority, "effective_from": row.effective_from, "effective_to": row.effective_to,
            "status": row.status, "legal_basis": list(row.legal_basis or ()),
            "entries": [vars(lists.entry_of(e)) for e in row.entries or ()], "created_at": row.created_at}


def _save(existing: NonPenaltyList | None, args: dict) -> NonPenaltyList:
    values = {**{k: args[k] for k in lists.IDENTITY},
              "name": args["name"].strip(), "doc_number": args["doc_number"].strip(),
              "authority": args["authority"].strip(),
              "legal_basis": [t.strip() for t in args["legal_basis"] if t.strip()],
              "entries": [lists.entry_of(e) for e in args["entries"]]}
    try:
        return lists.save(current_user, existing, values)
    except InputError as error:
        db.session.rollback()
        raise input_error(error)


@blp.route("/non-penalty-lists")
@require(*EDITORS)
@errors(blp)
@blp.arguments(NonPenaltyListArgs, location="query")
@blp.response(200, NonPenaltyListPageOut)
def list_lists(args):
    """Every version of every 免罚清单, by code and the newest version first."""
    query = select(NonPenaltyList)
    if args.get("status"):
        query = query.where(NonPenaltyList.status == args["status"])
    items, total = paginate(query.order_by(NonPenaltyList.code, NonPenaltyList.version.desc()), args["page"],
                            args["per_page"])
    return page_out([list_out(r) for r in items], total, args)


@blp.route("/non-penalty-lists/published")
@signed_in
@errors(blp)
@blp.response(200, NonPenaltyListOut(many=True))
def published_lists():
    """The lists in force today (the published 免罚清单), for enterprises and everyone signed in."""
    return [list_out(r) for r in lists.in_force(cases.local_today())]


@blp.route(f"/non-penalty-lists/<{ID}:list_id>")
@require(*EDITORS)
@errors(blp, 404)
@blp.response(200, NonPenaltyListOut)
def get_list(list_id: int):
    row = lists.get(list_id)
    if row is None:
        abort(404)
    return list_out(row)


@blp.route("/non-penalty-lists", methods=["POST"])
@require(*EDITORS)
@errors(blp, 400)
@blp.arguments(NonPenaltyListIn)
@blp.response(201, NonPenaltyListOut)
def create_list(args):
    """A new list (version 1 of a new code)."""
    return list_out(_save(None, args))


@blp.route(f"/non-penalty-lists/<{ID}:list_id>", methods=["PUT"])
@require(*EDITORS)
@errors(blp, 400, 404)
@blp.arguments(NonPenaltyListIn)
@blp.response(200, NonPenaltyListOut)
def replace_list(args, list_id: int):
    """Save the list: a draft changes in place; an active or retired version never changes, so the answer
    is a new version (a new ``id``, the same ``code``, ``version`` + 1)."""
    row = lists.get(list_id)
    if row is None:
        abort(404)
    return list_out(_save(row, args))


# --- the decision ------------------------------------------------------------------------------------


class NotPenalisedIn(Schema):
    ground = fields.String(required=True, validate=validate.OneOf(rules.GROUNDS),
                           metadata={"description": "minor_no_harm (§33 ¶1, mandatory) | first_violation (§33 ¶1, "
                                                    "首违不罚, listed codes) | no_fault (§33 ¶2)"})
    reason = Text(required=True, validate=validate.Length(min=1, max=2000))
    legal_basis = Text(load_default="", validate=validate.Length(max=500),
                       metadata={"description": "empty: the ground's article"})
    education = Text(required=True, validate=validate.Length(min=1, max=2000),
                     metadata={"description": "the education given to the party (§33 ¶3)"})
    decided_on = Day(required=True, metadata={"description": "not in the future"})


class NotPenalisedOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    case_number = fields.String()
    case_status = fields.String()
    ground = fields.String()
    reason = fields.String()
    legal_basis = fields.String()
    education = fields.String()
    list = fields.String(allow_none=True, metadata={"description": "the 免罚清单 version in force when deciding"})
    assessment = fields.Nested(NoPenaltyOut, metadata={"description": "the §33 answer shown when deciding"})
    decided_on = fields.Date()
    decided_by = fields.String(allow_none=True)
    created_at = fields.DateTime()


def decision_out(decision) -> dict:
    officer = db.session.get(User, decision.decided_by_id) if decision.decided_by_id else None
    lst = decision.list_version
    return {"id": decision.id, "case_id": decision.case_id, "case_number": decision.case.case_number,
            "case_status": decision.case.status, "ground": decision.ground, "reason": decision.reason,
            "legal_basis": decision.legal_basis, "education": decision.education,
            "list": rules.list_label(lists.to_domain(lst)) if lst is not None else None,
            "assessment": decision.assessment, "decided_on": decision.decided_on,
            "decided_by": officer.full_name if officer else None, "created_at": decision.created_at}


def _case_or_404(case_id: int):
    case = cases.get_case(current_user, case_id)
    if case is None:
        abort(404)
    return case


@blp.route(f"/cases/<{ID}:case_id>/not-penalised", methods=["POST"])
@require(Permission.CASES_HANDLE)
@errors(blp, 400, 404, 409)
@blp.arguments(NotPenalisedIn)
@blp.response(201, NotPenalisedOut)
def decide(args, case_id: int):
    """Close the case as 不予处罚: the decision record (ground, reason, legal basis, education) and the move
    to ``not_penalised``. A case past its decision, or already decided so, answers 409 ``not_open``."""
    case = _case_or_404(case_id)
    if case_rules.NOT_PENALISED not in case_rules.allowed_transitions(case.status) or non_penalty.decision_for(
            case.id) is not None:
        raise api_error(409, "not_open", "case_id: only a case before its penalty decision, not yet decided not "
                                         "to be penalised, can be closed as not penalised.", {"case_id": "not_open"})
    values = non_penalty.DecisionValues(ground=args["ground"], reason=args["reason"],
                                        legal_basis=args["legal_basis"], education=args["education"],
                                        decided_on=args["decided_on"])
    try:
        return decision_out(non_penalty.decide(current_user, case, values, ip=client_ip()))
    except InputError as error:
        raise input_error(error)


@blp.route(f"/cases/<{ID}:case_id>/not-penalised")
@require(*READERS)
@errors(blp, 404)
@blp.response(200, NotPenalisedOut)
def get_decision(case_id: int):
    """The case's decision not to penalise (404 when there is none)."""
    case = _case_or_404(case_id)
    decision = non_penalty.decision_for(case.id)
    if decision is None:
        abort(404)
    return decision_out(decision)
