"""Enterprise contacts: their enterprise's staff roster (list, add, edit, deactivate) and who of it
passed which exam. Tenant-scoped as the roster pages are (services/tenancy.roster): a person of
another enterprise is not found (404). The rules are those of the roster page (services/accounts.py).
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from marshmallow import Schema, fields, validate

from eduapp.api.arguments import Blueprint
from eduapp.api.common import ID, PageArgs, Points, StrictBoolean, Text, page_out, page_schema
from eduapp.api.errors import problems_error, responds
from eduapp.api.routes import _points
from eduapp.domain.masking import mask_email, mask_phone
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.domain.roles import Permission, Role
from eduapp.extensions import db
from eduapp.security import client_ip, require
from eduapp.services import accounts, api_queries

blp = Blueprint("api_enterprise", __name__, url_prefix="/api/v1",
                description="Enterprise contacts: the staff roster and its study progress")

STAFF_ROLES = [Role.ENTERPRISE_STAFF.value, Role.ENTERPRISE_CONTACT.value]
RENAME = {"roles": "role"}  # the services' field names that the API spells differently


class StaffOut(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    email = fields.String(allow_none=True, required=True, metadata={
        "description": "masked (a***@example.com) in the list; in full for one person (GET, PATCH, POST)"})
    phone = fields.String(allow_none=True, required=True, metadata={
        "description": "masked (138****1234) in the list; in full for one person (GET, PATCH, POST)"})
    role = fields.String(required=True, metadata={"description": "enterprise_staff | enterprise_contact"})
    active = fields.Boolean(required=True)
    must_change_password = fields.Boolean(required=True, metadata={"description": "has not yet replaced the "
                                                                                 "initial password"})
    created_at = fields.DateTime(required=True)
    last_login_at = fields.DateTime(allow_none=True, required=True)


class StaffCreatedOut(StaffOut):
    initial_password = fields.String(allow_none=True, required=True,
                                     metadata={"description": "the generated password, shown this once (null when "
                                                              "one was given); it must be changed at first sign-in"})


class StaffArgs(PageArgs):
    q = Text(load_default="", validate=validate.Length(max=100),
             metadata={"description": "part of the username, the name or the phone number"})
    active = fields.Boolean(load_default=None, metadata={"description": "true: active only; false: deactivated only"})


class StaffIn(Schema):
    username = Text(required=True, validate=validate.Length(min=1, max=64))
    full_name = Text(required=True, validate=validate.Length(min=1, max=100))
    email = Text(load_default="", validate=validate.Length(max=254))
    phone = Text(load_default="", validate=validate.Length(max=20), metadata={"description": "mainland mobile"})
    role = fields.String(load_default=Role.ENTERPRISE_STAFF.value, validate=validate.OneOf(STAFF_ROLES))
    password = fields.String(load_default="", validate=validate.Length(max=128),
                             metadata={"description": "the initial password; empty: one is generated"})


class StaffPatch(Schema):
    full_name = Text(validate=validate.Length(min=1, max=100))
    email = Text(allow_none=True, validate=validate.Length(max=254), metadata={"description": "empty or null clears"})
    phone = Text(allow_none=True, validate=validate.Length(max=20), metadata={"description": "empty or null clears"})
    role = fields.String(validate=validate.OneOf(STAFF_ROLES))
    active = StrictBoolean(metadata={"description": "false deactivates the account and ends its sessions"})


class PassOut(Schema):
    exam_id = fields.Integer(required=True)
    exam_title = fields.String(required=True)
    best_score = Points(required=True)
    first_passed_at = fields.DateTime(allow_none=True, required=True)


class ProgressOut(Schema):
    user_id = fields.Integer(required=True)
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    active = fields.Boolean(required=True)
    passed = fields.List(fields.Nested(PassOut), required=True, metadata={"description": "the exams passed "
                                                                                        "(annulled attempts do not "
                                                                                        "count)"})


StaffPage = page_schema("StaffPage", StaffOut)
ProgressPage = page_schema("ProgressPage", ProgressOut)


def _enterprise_contact():
    """The views are for contacts of an enterprise (the role exists only there; this is a guard)."""
    if not current_user.organisation.is_enterprise:
        abort(403)


def staff_out(user, masked: bool = False) -> dict:
    """One person; ``masked``: e-mail and phone as in a list (个人信息保护法 §6, minimum necessary)."""
    email, phone = user.email, user.phone
    if masked:
        email, phone = mask_email(email) or email, mask_phone(phone) or phone
    return {
        "id": user.id, "username": user.username, "full_name": user.full_name, "email": email,
        "phone": phone,
        "role": (Role.ENTERPRISE_CONTACT if Role.ENTERPRISE_CONTACT in user.roles else Role.ENTERPRISE_STAFF).value,
        "active": user.active, "must_change_password": user.must_change_password, "created_at": user.created_at,
        "last_login_at": user.last_login_at,
    }


def _member(user_id: int):
    _enterprise_contact()
    member = api_queries.roster_member(current_user, user_id)
    if member is None:
        abort(404)
    return member


@blp.route("/enterprise/staff")
@require(Permission.ROSTER_MANAGE)
@blp.arguments(StaffArgs, location="query")
@blp.response(200, StaffPage)
@responds(blp, 401, 403)
def staff(args):
    """My enterprise's people (staff and contacts), by name; filter by ``q`` and ``active``."""
    _enterprise_contact()
    people, total = api_queries.roster_page(current_user, args["q"], args["active"], args["page"], args["per_page"])
    return page_out([staff_out(u, masked=True) for u in people], total, args)


@blp.route("/enterprise/staff", methods=["POST"])
@require(Permission.ROSTER_MANAGE)
@blp.arguments(StaffIn)
@blp.response(201, StaffCreatedOut)
@responds(blp, 400, 401, 403)
def create_staff(args):
    """Add a person to my enterprise, as the roster page does: the same checks (username free and
    well-formed, e-mail, mainland mobile, password policy); without a password one is generated and
    returned once. Either way it must be changed at first sign-in."""
    _enterprise_contact()
    username = args["username"].strip()
    password = args["password"] or accounts.generate_password()
    try:
        user = accounts.create_user(
            current_user, username=username, full_name=args["full_name"], organisation=current_user.organisation,
            roles=[Role(args["role"])], password=password, email=args["email"].strip(),
            phone=args["phone"].strip(), must_change_password=True, ip=client_ip(),
        )
    except InputError as error:
        db.session.rollback()
        raise problems_error(error, RENAME)
    return {**staff_out(user), "initial_password": None if args["password"] else password}


@blp.route(f"/enterprise/staff/<{ID}:user_id>")
@require(Permission.ROSTER_MANAGE)
@blp.response(200, StaffOut)
@responds(blp, 401, 403, 404)
def get_staff(user_id: int):
    """One person of my enterprise; anyone else is 404."""
    return staff_out(_member(user_id))


@blp.route(f"/enterprise/staff/<{ID}:user_id>", methods=["PATCH"])
@require(Permission.ROSTER_MANAGE)
@blp.arguments(StaffPatch)
@blp.response(200, StaffOut)
@responds(blp, 400, 401, 403, 404)
def update_staff(args, user_id: int):
    """Change a person's name, e-mail, phone or role, or deactivate (``active``: false; their sessions
    and tokens end) or reactivate them. Only the fields sent change; a problem with any of them
    changes nothing. A contact cannot deactivate their own account."""
    member = _member(user_id)
    if args.get("active") is False and member.id == current_user.id:
        raise problems_error(InputError([Problem(N_("You cannot deactivate your own account."), {}, "active")]))
    details = {"full_name", "email", "phone", "role"} & set(args)
    if details:
        try:
            accounts.update_user(
                current_user, member,
                full_name=args.get("full_name", member.full_name),
                email=(args["email"] or "").strip() if "email" in args else member.email or "",
                phone=(args["phone"] or "").strip() if "phone" in args else member.phone or "",
                roles=[Role(args["role"])] if "role" in args else None,
                ip=client_ip(),
            )
        except InputError as error:
            db.session.rollback()
            raise problems_error(error, RENAME)
    if "active" in args:
        accounts.set_active(current_user, member, args["active"], client_ip())
    return staff_out(member)


@blp.route("/enterprise/progress")
@require(Permission.ROSTER_MANAGE)
@blp.arguments(StaffArgs, location="query")
@blp.response(200, ProgressPage)
@responds(blp, 401, 403)
def progress(args):
    """Who of my enterprise passed which exam, person by person (filters as GET /enterprise/staff)."""
    _enterprise_contact()
    people, total = api_queries.roster_page(current_user, args["q"], args["active"], args["page"], args["per_page"])
    passes = api_queries.passes_of([u.id for u in people])
    items = [{"user_id": u.id, "username": u.username, "full_name": u.full_name, "active": u.active,
              "passed": [{"exam_id": p.exam_id, "exam_title": p.exam_title, "best_score": _points(p.best_score),
                          "first_passed_at": p.first_passed_at} for p in passes.get(u.id, [])]}
             for u in people]
    return page_out(items, total, args)
