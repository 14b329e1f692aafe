"""Offsets for bureau reviewers: the offset applications (the caller's queue, or all with filters) and
the versioned offset rule sets (the published discretion benchmark). Deciding a step is
POST /api/v1/offset-applications/{application_id}/decisions (eduapp/api/offsets.py)."""

from __future__ import annotations

from dataclasses import asdict
from dataclasses import fields as dataclass_fields

from flask import abort
from flask_login import current_user
from marshmallow import Schema, fields, validate

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
)
from eduapp.api.offsets import ApplicationOut, application_out
from eduapp.domain import offsets as rules
from eduapp.domain import rule_limits
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Permission
from eduapp.extensions import db
from eduapp.models import RuleSet, User
from eduapp.security import require
from eduapp.services import bureau_queries, offsets, rule_sets
from eduapp.services.bureau_queries import paginate

blp = BureauBlueprint("api_offset_review", __name__, url_prefix="/api/v1",
                      description="Offset review and rule sets (bureau reviewers)")

REVIEWERS = (Permission.CASES_HANDLE, Permission.OFFSETS_REVIEW, Permission.OFFSETS_APPROVE)
RULE_EDITORS = (Permission.OFFSETS_REVIEW, Permission.OFFSETS_APPROVE)
APPLICATION_STATUSES = (*offsets.OPEN, "approved", "rejected", "withdrawn", "case_closed", "expired")
RULE_STATUSES = ("draft", "active", "retired")
KEY_ROLES = ("legal_representative", "env_manager")


# --- offset applications -----------------------------------------------------------------------------


class ApplicationListArgs(PageArgs):
    queue = Flag(load_default=False, metadata={"description": "true: only those waiting for a step the "
                                                                       "caller may decide (four eyes applied), the "
                                                                       "earliest deadline first"})
    status = fields.String(validate=validate.OneOf(APPLICATION_STATUSES))
    enterprise_id = Id(strict=False)
    case_id = Id(strict=False)


class ReviewApplicationOut(ApplicationOut):
    enterprise_id = fields.Integer()
    enterprise_name = fields.String()
    step = fields.String(allow_none=True, metadata={"description": "the step waiting: officer | reviewer | approver"})
    may_decide = fields.Boolean(metadata={"description": "whether the caller may decide that step now"})


ReviewApplicationPageOut = page_schema("ReviewApplicationPageOut", ReviewApplicationOut)


def review_out(application) -> dict:
    step = offsets.STATUS_STEP.get(application.status)
    may_decide = step is not None and current_user.can(offsets.STEP_PERMISSION[step]) and rules.four_eyes_conflict(
        current_user.id, application.applicant_id, [d.decided_by_id for d in application.decisions]) is None
    enterprise = application.case.enterprise
    return {**application_out(application), "enterprise_id": enterprise.id, "enterprise_name": enterprise.name,
            "step": step, "may_decide": may_decide}


@blp.route("/offset-applications")
@require(*REVIEWERS)
@errors(blp)
@blp.arguments(ApplicationListArgs, location="query")
@blp.response(200, ReviewApplicationPageOut)
def list_applications(args):
    """Offset applications for case officers, legal reviewers and approvers: ``queue=true`` for those
    waiting for the caller, otherwise all of them, the newest first; filtered by status, enterprise and
    case (``per_page`` at most 100)."""
    if args["queue"]:
        found = [a for a in offsets.queue_for(current_user)
                 if (not args.get("status") or a.status == args["status"])
                 and (not args.get("enterprise_id") or a.enterprise_id == args["enterprise_id"])
                 and (not args.get("case_id") or a.case_id == args["case_id"])]
        start = (args["page"] - 1) * args["per_page"]
        items, total = found[start:start + args["per_page"]], len(found)
    else:
        query = bureau_queries.applications(statuses=(args["status"],) if args.get("status") else (),
                                            enterprise_id=args.get("enterprise_id"), case_id=args.get("case_id"))
        items, total = paginate(query, args["page"], args["per_page"])
    return page_out([review_out(a) for a in items], total, args)


# --- rule sets ---------------------------------------------------------------------------------------


class ConditionsSchema(Schema):
    """Omitted fields take their defaults."""

    lookback_months = Whole(validate=validate.Range(0, 120),
                                     metadata={"description": "no earlier violation within so many months (24)"})
    first_violation_any_type = Bool(metadata={"description": "earlier cases of any type count (false)"})
    max_harm = fields.String(validate=validate.OneOf(rules.HARM_ORDER), metadata={"description": "minor"})
    require_corrected = Bool(metadata={"description": "true"})
    exclude_fraud = Bool(metadata={"description": "true"})
    cooling_days = Whole(validate=validate.Range(0, 3650),
                                  metadata={"description": "no offset granted within so many days (365)"})
    key_roles = fields.List(fields.String(validate=validate.OneOf(KEY_ROLES)), validate=validate.Length(max=2),
                            metadata={"description": "who must have passed an exam"})
    study_topics = fields.List(Text(validate=validate.Length(min=1, max=100)), validate=validate.Length(max=50),
                               metadata={"description": "laws or tags the exam covers; empty: any exam"})
    study_pass_percent = Whole(validate=validate.Range(0, 100))
    study_within_days = Whole(validate=validate.Range(1, 3650))
    min_staff_share_percent = Whole(validate=validate.Range(0, 100))


class MathsSchema(Schema):
    """Omitted fields take their defaults. Money in fen."""

    fen_per_point = Whole(validate=validate.Range(1, 1_000_000),
                                   metadata={"description": "the value of one point (100)"})
    cap_percent = Whole(validate=validate.Range(0, rule_limits.CAP_PERCENT_MAX),
                        metadata={"description": f"of the proposed fine (20); at most {rule_limits.CAP_PERCENT_MAX}"})
    cap_per_case_fen = Whole(allow_none=True, validate=validate.Range(0, 2_147_483_647))
    cap_per_enterprise_year_fen = Whole(allow_none=True,
                                                 validate=validate.Range(0, 2_147_483_647))
    min_points = Whole(validate=validate.Range(0, 10_000_000))
    round_down_to_yuan = Bool()
    allow_below_minimum = Bool(metadata={"description": "减轻 below the statutory minimum (false); only with "
                                                        "below_minimum_basis and below_minimum_level"})
    below_minimum_basis = Text(validate=validate.Length(max=500),
                               metadata={"description": "the provision of a 法律、法规 or 规章 that allows 减轻, e.g. "
                                                        "《某某条例》第十条 (行政处罚法 §32(五))"})
    below_minimum_level = fields.String(validate=validate.OneOf(["", *rule_limits.LEVELS]),
                                        metadata={"description": "its level: " + ", ".join(
                                            f"{k} ({v})" for k, v in rule_limits.LEVELS.items())})


class ProcedureSchema(Schema):
    """Days each step has to decide (5, 5, 3)."""

    officer = Whole(validate=validate.Range(1, 60))
    reviewer = Whole(validate=validate.Range(1, 60))
    approver = Whole(validate=validate.Range(1, 60))


class RuleSetIn(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    doc_number = Text(required=True, validate=validate.Length(min=1, max=100), metadata={"description": "文号"})
    authority = Text(required=True, validate=validate.Length(min=1, max=200))
    effective_from = fields.Date(required=True)
    effective_to = fields.Date(load_default=None, allow_none=True, metadata={"description": "null: no end"})
    status = fields.String(load_default="draft", validate=validate.OneOf(RULE_STATUSES),
                           metadata={"description": "active: in force (retires the code's earlier active version)"})
    legal_basis = fields.List(Text(validate=validate.Length(min=1, max=500)), load_default=list,
                              validate=validate.Length(max=50))
    eligible_codes = fields.List(Text(validate=validate.Length(min=1, max=32)), required=True,
                                 validate=validate.Length(min=1, max=500), metadata={"description": "violation codes"})
    excluded_codes = fields.List(Text(validate=validate.Length(min=1, max=32)), load_default=list,
                                 validate=validate.Length(max=500))
    conditions = fields.Nested(ConditionsSchema, load_default=dict)
    maths = fields.Nested(MathsSchema, load_default=dict)
    procedure = fields.Nested(ProcedureSchema, load_default=dict)


class RuleSetOut(Schema):
    id = fields.Integer()
    code = fields.String(metadata={"description": "the versions of one rule set share it"})
    version = fields.Integer()
    name = fields.String()
    doc_number = fields.String()
    authority = fields.String()
    effective_from = fields.Date()
    effective_to = fields.Date(allow_none=True)
    status = fields.String(metadata={"description": "draft | active | retired"})
    legal_basis = fields.List(fields.String())
    eligible_codes = fields.List(fields.String())
    excluded_codes = fields.List(fields.String())
    conditions = fields.Nested(ConditionsSchema)
    maths = fields.Nested(MathsSchema)
    procedure = fields.Nested(ProcedureSchema)
    created_at = fields.DateTime()
    created_by = fields.String(allow_none=True)


class RuleSetListArgs(PageArgs):
    code = Text(validate=validate.Length(min=1, max=32))
    status = fields.String(validate=validate.OneOf(RULE_STATUSES))


RuleSetPageOut = page_schema("RuleSetPageOut", RuleSetOut)
# The service names the conditions' and maths' fields bare; the request nests them.
_NESTED = {f.name: f"conditions.{f.name}" for f in dataclass_fields(rules.Conditions)} | {
    f.name: f"maths.{f.name}" for f in dataclass_fields(rules.Maths)}


def rule_set_out(row: RuleSet) -> dict:
    domain = rule_sets.to_domain(row)
    author = db.session.get(User, row.created_by_id) if row.created_by_id else None
    return {
        "id": row.id, "code": row.code, "version": row.version, "name": row.name, "doc_number": row.doc_number,
        "authority": row.authority, "effective_from": row.effective_from, "effective_to": row.effective_to,
        "status": row.status, "legal_basis": list(row.legal_basis or ()),
        "eligible_codes": list(row.eligible_codes or ()), "excluded_codes": list(row.excluded_codes or ()),
        "conditions": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(domain.conditions).items()},
        "maths": asdict(domain.maths), "procedure": rules.step_deadlines(row.procedure or {}),
        "created_at": row.created_at, "created_by": author.full_name if author else None,
    }


def _values(args: dict) -> dict:
    conditions = {k: tuple(v) if isinstance(v, list) else v for k, v in args["conditions"].items()}
    return {
        **{k: args[k] for k in rule_sets.IDENTITY},
        "name": args["name"].strip(), "doc_number": args["doc_number"].strip(), "authority": args["authority"].strip(),
        "legal_basis": [t.strip() for t in args["legal_basis"] if t.strip()],
        "eligible_codes": list(dict.fromkeys(c.strip() for c in args["eligible_codes"] if c.strip())),
        "excluded_codes": list(dict.fromkeys(c.strip() for c in args["excluded_codes"] if c.strip())),
        "conditions": rules.Conditions(**conditions),
        "maths": rules.Maths(**args["maths"]),
        "procedure": args["procedure"],
    }


def _save(existing: RuleSet | None, args: dict) -> RuleSet:
    try:
        return rule_sets.save(current_user, existing, _values(args))
    except InputError as error:
        db.session.rollback()
        raise input_error(error, _NESTED)


@blp.route("/rule-sets")
@require(*RULE_EDITORS)
@errors(blp)
@blp.arguments(RuleSetListArgs, location="query")
@blp.response(200, RuleSetPageOut)
def list_rule_sets(args):
    """Every version of every rule set, by code and the newest version first."""
    items, total = paginate(bureau_queries.rule_sets(code=args.get("code"), status=args.get("status")),
                            args["page"], args["per_page"])
    return page_out([rule_set_out(r) for r in items], total, args)


@blp.route(f"/rule-sets/<{ID}:rule_set_id>")
@require(*RULE_EDITORS)
@errors(blp, 404)
@blp.response(200, RuleSetOut)
def get_rule_set(rule_set_id: int):
    row = rule_sets.get(rule_set_id)
    if row is None:
        abort(404)
    return rule_set_out(row)


@blp.route("/rule-sets", methods=["POST"])
@require(*RULE_EDITORS)
@errors(blp, 400)
@blp.arguments(RuleSetIn)
@blp.response(201, RuleSetOut)
def create_rule_set(args):
    """A new rule set (version 1 of a new code)."""
    return rule_set_out(_save(None, args))


@blp.route(f"/rule-sets/<{ID}:rule_set_id>", methods=["PUT"])
@require(*RULE_EDITORS)
@errors(blp, 400, 404)
@blp.arguments(RuleSetIn)
@blp.response(200, RuleSetOut)
def replace_rule_set(args, rule_set_id: int):
    """Save the rule set: a draft changes in place; an active or retired version never changes, so the
    answer is a new version (a new ``id``, the same ``code``, ``version`` + 1)."""
    row = rule_sets.get(rule_set_id)
    if row is None:
        abort(404)
    return rule_set_out(_save(row, args))


# --- the collective discussion (集体讨论, 行政处罚法 §57 ¶2) -----------------------------------------------


class DiscussionIn(Schema):
    held_on = fields.Date(required=True, metadata={"description": "the day the heads discussed it (China)"})
    participants = Text(required=True, validate=validate.Length(min=1, max=4000))
    conclusion = Text(required=True, validate=validate.Length(min=1, max=4000))


@blp.route(f"/offset-applications/<{ID}:application_id>/collective-discussion", methods=["POST"])
@require(*REVIEWERS)
@errors(blp, 404, 409)
@blp.arguments(DiscussionIn)
@blp.response(201, ReviewApplicationOut)
def record_discussion(args, application_id: int):
    """Record the 集体讨论 of the bureau's heads on a pending application (needed before approval when
    its rule set may go below the statutory minimum); once per application."""
    from eduapp.services import offset_steps
    from eduapp.services.offsets import OffsetError

    application = offsets.application_for(current_user, application_id)
    if application is None:
        abort(404)
    try:
        offset_steps.record_discussion(current_user, application, args["held_on"], args["participants"],
                                       args["conclusion"])
    except InputError as error:
        db.session.rollback()
        raise input_error(error)
    except OffsetError as error:
        db.session.rollback()
        from eduapp.api.bureau_common import api_error, problem_text
        from eduapp.domain.problems import Problem

        raise api_error(error.status, error.code, problem_text(Problem(error.msgid, error.params)))
    return review_out(application)
