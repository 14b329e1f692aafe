"""Every signed-in person: my profile, my reminders (the in-app inbox of 预警提醒) and the channels they
also go out on. The inbox is personal: another person's reminder is not found (404)."""

from __future__ import annotations

import logging

from flask import abort
from flask_babel import get_locale, gettext
from flask_login import current_user
from marshmallow import Schema, fields

from eduapp.api.arguments import Blueprint
from eduapp.api.common import ID, PageArgs, StrictBoolean, page_out, page_schema
from eduapp.api.errors import responds
from eduapp.domain import reminders as reminder_rules
from eduapp.domain.roles import permissions_of
from eduapp.security import signed_in
from eduapp.services import reminder_sending

log = logging.getLogger(__name__)

blp = Blueprint("api_me", __name__, url_prefix="/api/v1", description="My profile, inbox and reminder settings")


class ProfileOrganisationOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "enterprise | government"})


class ProfileOut(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    email = fields.String(allow_none=True, required=True)
    phone = fields.String(allow_none=True, required=True)
    locale = fields.String(allow_none=True, required=True, metadata={"description": "null: the default, Chinese"})
    organisation = fields.Nested(ProfileOrganisationOut, required=True)
    roles = fields.List(fields.String(), required=True)
    permissions = fields.List(fields.String(), required=True)


class InboxArgs(PageArgs):
    unread = fields.Boolean(load_default=False, metadata={"description": "only the reminders not read yet"})


class InboxItemOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": ", ".join(reminder_rules.KINDS)})
    kind_label = fields.String(required=True)
    subject = fields.String(required=True)
    text = fields.String(required=True)
    link = fields.String(required=True, metadata={"description": "the page it concerns, a path on this site"})
    url = fields.String(required=True, metadata={"description": "the same page as an absolute URL"})
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True, required=True)
    read = fields.Boolean(required=True)


class UnreadOut(Schema):
    unread = fields.Integer(required=True)


class ReadAllOut(Schema):
    marked = fields.Integer(required=True, metadata={"description": "how many were unread"})


class PreferencesOut(Schema):
    email = fields.Boolean(required=True, metadata={"description": "reminders also by e-mail"})
    sms = fields.Boolean(required=True, metadata={"description": "reminders also by text message"})
    email_address = fields.String(allow_none=True, required=True,
                                  metadata={"description": "where e-mail goes; null: none on the account"})
    phone = fields.String(allow_none=True, required=True,
                          metadata={"description": "where SMS goes; null: none on the account"})


class PreferencesIn(Schema):
    email = StrictBoolean(required=True)
    sms = StrictBoolean(required=True)


InboxPage = page_schema("InboxPage", InboxItemOut)


def _item(reminder, locale: str) -> dict:
    label = gettext(reminder_rules.KIND_LABELS.get(reminder.kind, reminder.kind))
    try:
        subject, text = reminder_sending.render(reminder, locale)
    except (KeyError, ValueError, TypeError):
        # A reminder whose stored params no longer fit its template still shows its kind.
        log.warning("reminder %s does not render", reminder.id, exc_info=True)
        subject, text = label, ""
    return {"id": reminder.id, "kind": reminder.kind, "kind_label": label, "subject": subject, "text": text,
            "link": reminder.link, "url": reminder_sending.absolute_link(reminder), "created_at": reminder.created_at,
            "read_at": reminder.read_at, "read": reminder.read_at is not None}


def _preferences() -> dict:
    saved = reminder_sending.preference(current_user.id)
    return {"email": bool(saved.email), "sms": bool(saved.sms), "email_address": current_user.email or None,
            "phone": current_user.phone or None}


@blp.route("/me")
@signed_in
@blp.response(200, ProfileOut)
@responds(blp, 401, 403)
def profile():
    """Who I am: username, name, organisation, roles and what they permit."""
    org = current_user.organisation
    return {
        "id": current_user.id, "username": current_user.username, "full_name": current_user.full_name,
        "email": current_user.email, "phone": current_user.phone, "locale": current_user.locale,
        "organisation": {"id": org.id, "name": org.name, "kind": org.kind},
        "roles": sorted(r.value for r in current_user.roles),
        "permissions": sorted(p.value for p in permissions_of(current_user.roles)),
    }


@blp.route("/me/inbox")
@signed_in
@blp.arguments(InboxArgs, location="query")
@blp.response(200, InboxPage)
@responds(blp, 401, 403)
def inbox(args):
    """My reminders, the newest first, in my language (``unread=true``: only those not read yet)."""
    items, total = reminder_sending.inbox(current_user.id, args["page"], args["per_page"],
                                          unread_only=args["unread"])
    locale = str(get_locale())
    return page_out([_item(r, locale) for r in items], total, args)


@blp.route("/me/inbox/unread-count")
@signed_in
@blp.response(200, UnreadOut)
@responds(blp, 401, 403)
def unread_count():
    """How many of my reminders are unread (the badge)."""
    return {"unread": reminder_sending.unread_count(current_user.id)}


@blp.route(f"/me/inbox/<{ID}:reminder_id>/read", methods=["POST"])
@signed_in
@blp.response(200, InboxItemOut)
@responds(blp, 400, 401, 403, 404)
def read(reminder_id: int):
    """Mark one of my reminders read (again: no change); another person's is 404."""
    reminder = reminder_sending.mark_read(current_user.id, reminder_id)
    if reminder is None:
        abort(404)
    return _item(reminder, str(get_locale()))


@blp.route("/me/inbox/read-all", methods=["POST"])
@signed_in
@blp.response(200, ReadAllOut)
@responds(blp, 400, 401, 403)
def read_all():
    """Mark all my reminders read."""
    return {"marked": reminder_sending.mark_read(current_user.id)}


@blp.route("/me/reminder-preferences")
@signed_in
@blp.response(200, PreferencesOut)
@responds(blp, 401, 403)
def preferences():
    """Whether my reminders also go out by e-mail and SMS (the inbox always gets them), and to where."""
    return _preferences()


@blp.route("/me/reminder-preferences", methods=["PUT"])
@signed_in
@blp.arguments(PreferencesIn)
@blp.response(200, PreferencesOut)
@responds(blp, 400, 401, 403)
def save_preferences(args):
    """Switch e-mail and SMS on or off (both are required); the change is audited."""
    reminder_sending.save_preference(current_user._get_current_object(), args["email"], args["sms"])
    return _preferences()
