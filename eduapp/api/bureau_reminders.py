"""The reminder delivery log for system administrators: counts by kind, channel and status over a
period, the deliveries (e.g. the failed ones) with their last error, and sending one again."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from flask import abort
from flask_babel import gettext
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from eduapp.api.bureau_common import ID, BureauBlueprint, PageArgs, api_error, errors, page_out, page_schema
from eduapp.domain import reminders as rules
from eduapp.domain.practice import CHINA, china_day
from eduapp.domain.roles import Permission
from eduapp.extensions import db
from eduapp.models import Delivery, User, utcnow
from eduapp.security import client_ip, require
from eduapp.services import bureau_queries, reminder_sending

blp = BureauBlueprint("api_reminders", __name__, url_prefix="/api/v1",
                      description="The reminder delivery log (system administrators)")

ADMIN = Permission.USERS_MANAGE
PERIOD_DAYS = 30
RESENDABLE = (rules.FAILED, rules.SKIPPED, rules.RETRYING, rules.DEFERRED)  # the log's problems, as on the page
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)


def _day(name: str, description: str) -> fields.Date:
    # The query names are from and to, which Python keeps for itself.
    return fields.Date(data_key=name, validate=validate.Range(min=FIRST_DAY, max=LAST_DAY),
                       metadata={"description": description, "pattern": r"^2\d{3}-\d{2}-\d{2}$"})


class PeriodArgs(Schema):
    start = _day("from", "a China day, included")
    end = _day("to", "a China day, included")

    @validates_schema
    def _order(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError("Must not be before from.", "to")


class CountOut(Schema):
    kind = fields.String()
    channel = fields.String(metadata={"description": "inbox | email | sms"})
    status = fields.String(metadata={"description": " | ".join(rules.STATUSES)})
    count = fields.Integer()


class LogOut(Schema):
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")
    total = fields.Integer()
    by_kind = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_channel = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    rows = fields.List(fields.Nested(CountOut), metadata={"description": "one per kind, channel and status"})


class DeliveryListArgs(PageArgs, PeriodArgs):
    status = fields.String(validate=validate.OneOf(rules.STATUSES))
    channel = fields.String(validate=validate.OneOf(rules.CHANNELS))
    kind = fields.String(validate=validate.OneOf(rules.KINDS))


class RecipientOut(Schema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()


class DeliveryOut(Schema):
    id = fields.Integer()
    reminder_id = fields.Integer()
    kind = fields.String()
    channel = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    recipient = fields.Nested(RecipientOut, allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    not_before = fields.DateTime(allow_none=True, metadata={"description": "not sent before (retry, quiet hours)"})


DeliveryPageOut = page_schema("DeliveryPageOut", DeliveryOut)


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time(), CHINA), datetime.combine(end + timedelta(days=1), time(), CHINA)


def delivery_out(delivery: Delivery, user: User | None) -> dict:
    return {
        "id": delivery.id, "reminder_id": delivery.reminder_id, "kind": delivery.reminder.kind,
        "channel": delivery.channel, "status": delivery.status, "attempts": delivery.attempts,
        "last_error": delivery.last_error,
        "recipient": {"id": user.id, "username": user.username, "full_name": user.full_name} if user else None,
        "created_at": delivery.created_at, "updated_at": delivery.updated_at, "sent_at": delivery.sent_at,
        "not_before": delivery.not_before,
    }


@blp.route("/reminders/log")
@require(ADMIN)
@errors(blp)
@blp.arguments(PeriodArgs, location="query")
@blp.response(200, LogOut)
def delivery_log(args):
    """Deliveries created in the period (China days, both included; by default the last 30 days),
    counted by kind, channel and status."""
    today = china_day(utcnow())
    start, end = args.get("start"), args.get("end")
    if end is None:
        end = today if start is None else max(today, start)
    if start is None:
        start = end - timedelta(days=PERIOD_DAYS - 1)
    rows = reminder_sending.counts(*_bounds(start, end))
    by_kind, by_channel, by_status = Counter(), Counter(), Counter()
    for row in rows:
        by_kind[row.kind] += row.count
        by_channel[row.channel] += row.count
        by_status[row.status] += row.count
    return {"start": start, "end": end, "total": sum(by_status.values()), "by_kind": dict(by_kind),
            "by_channel": dict(by_channel), "by_status": dict(by_status), "rows": [vars(r) for r in rows]}


@blp.route("/reminders/deliveries")
@require(ADMIN)
@errors(blp)
@blp.arguments(DeliveryListArgs, location="query")
@blp.response(200, DeliveryPageOut)
def deliveries(args):
    """Deliveries, the latest change first, filtered by status (e.g. ``failed``), channel, kind and the
    period they were created in (``per_page`` at most 100)."""
    since = datetime.combine(args["start"], time(), CHINA) if args.get("start") else datetime(1970, 1, 1, tzinfo=CHINA)
    until = (datetime.combine(args["end"] + timedelta(days=1), time(), CHINA) if args.get("end")
             else datetime(3000, 1, 1, tzinfo=CHINA))
    query = bureau_queries.deliveries(since=since, until=until,
                                      statuses=(args["status"],) if args.get("status") else (),
                                      channel=args.get("channel"), kind=args.get("kind"))
    rows, total = bureau_queries.paginate(query, args["page"], args["per_page"])
    return page_out([delivery_out(d, u) for d, u in rows], total, args)


@blp.route(f"/reminders/deliveries/<{ID}:delivery_id>/resend", methods=["POST"])
@require(ADMIN)
@errors(blp, 400, 404, 409)
@blp.response(200, DeliveryOut)
def resend(delivery_id: int):
    """Send a failed, skipped, retrying or deferred e-mail or SMS delivery again, now (409 for one
    that is sent or queued already)."""
    from eduapp.tasks import reminders as reminder_tasks

    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None or delivery.channel == rules.INBOX:
        abort(404)
    if delivery.status not in RESENDABLE:
        raise api_error(409, "not_resendable", gettext("This delivery is sent or queued already."))
    delivery = reminder_sending.resend(delivery_id, current_user._get_current_object(), client_ip())
    if delivery is None:
        abort(404)
    reminder_tasks.queue([delivery.id])  # after resend's commit, so the send task finds it queued
    db.session.expire_all()
    delivery = db.session.get(Delivery, delivery_id)
    return delivery_out(delivery, db.session.get(User, delivery.reminder.recipient_id))
