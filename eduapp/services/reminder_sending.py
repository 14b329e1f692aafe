"""Sending reminders by e-mail and SMS, exactly once each, and the delivery log.

``deliver(id)`` locks the delivery row (``FOR UPDATE NOWAIT`` on PostgreSQL) for the whole send and
only sends a delivery that is still pending, then marks it sent in the same transaction. So a task
that runs twice, or a copy redelivered by the broker, finds it sent and does nothing; a worker killed
in the middle of a send loses its connection, the database rolls the transaction back and releases
the lock, and the redelivered task sends it (SMTP Message-ID and the SMS gateway's idempotency key
are derived from the delivery, so a receiver can drop the one duplicate that a kill between the
send and the commit could still cause). Transient failures are retried with exponential backoff and
jitter, up to ``MAX_ATTEMPTS``; permanent ones fail at once, with the error kept. SMS in quiet hours
(22:00-08:00 China time) is deferred to the morning.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from functools import cache

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.exc import OperationalError

from eduapp import channels
from eduapp.domain import delivery as delivery_rules
from eduapp.domain import reminders as rules
from eduapp.domain.masking import mask_in_text
from eduapp.domain.problems import N_
from eduapp.extensions import db
from eduapp.models import Delivery, Reminder, ReminderPreference, User
from eduapp.services import audit
from eduapp.stores import reminders as reminder_store

log = logging.getLogger(__name__)

STEP_LABELS = {"officer": N_("case officer"), "reviewer": N_("legal review"), "approver": N_("approver")}
DECISION_LABELS = {"approve": N_("approved"), "reject": N_("rejected")}  # 同意 / 不同意
STALE_AFTER = timedelta(minutes=10)  # a pending delivery untouched this long lost its task: queue it again


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


# --- rendering ---------------------------------------------------------------------------------------


def render(reminder, locale: str | None) -> tuple[str, str]:
    """Subject and text of a reminder (anything with its kind, occasion and params) in ``locale`` (the
    recipient's; Chinese by default)."""
    languages = current_app.config["LANGUAGES"]
    locale = locale if locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]
    template = rules.template_for(reminder.kind, reminder.occasion.split(":", 1)[0], reminder.params)
    with force_locale(locale):
        params = dict(reminder.params or {})
        if "step" in params:
            params["step"] = gettext(STEP_LABELS.get(params["step"], params["step"]))
        if "decision" in params:
            params["decision"] = gettext(DECISION_LABELS.get(params["decision"], params["decision"]))
        if "comment" in params and not params["comment"]:
            params["comment"] = gettext("none given")
        return gettext(template.subject, **params), gettext(template.body, **params)


def absolute_link(reminder) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + reminder.link


# --- delivering ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | retrying | deferred | failed | skipped | busy | missing | not_yet (or the final status)
    retry_in: float | None = None  # seconds until the next try (retrying, deferred)


def _claim(delivery_id: int):
    """The delivery with its reminder and recipient, locked on PostgreSQL until the transaction ends
    (eduapp.stores.reminders.claim); None when there is no such delivery, False when another worker holds it."""
    try:
        return reminder_store.claim(delivery_id)
    except OperationalError:
        db.session.rollback()
        return False


def _still_wanted(row) -> str | None:
    """The address to send to, or None when the person has none, opted out or is no longer active."""
    if row.user_id is None or not row.active:
        return None
    return rules.address_for(row.channel, row.email, row.phone, row.wants_email, row.wants_sms)


def _send(row, address: str) -> None:
    subject, text = render(row, row.locale)
    link = absolute_link(row)
    if row.channel == rules.EMAIL:
        domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "eduapp.local"
        channels.send_email(address, subject, f"{text}\n\n{link}\n",
                            message_id=delivery_rules.message_id_for(f"reminder-delivery:{row.id}", domain))
    else:
        channels.send_sms(address, f"【{current_app.config['SMS_SIGNATURE']}】{text} {link}",
                          idempotency_key=f"reminder-delivery-{row.id}")


@cache
def _settle_statement():
    table = Delivery.__table__
    return update(table).where(table.c.id == bindparam("delivery_id")).values(
        {column: bindparam(f"new_{column}") for column in ("status", "attempts", "last_error", "not_before", "sent_at",
                                                  "updated_at")})


def _settle(row, now: datetime, status: str, *, attempts: int | None = None, last_error: str | None = None,
            not_before: datetime | None = None, sent_at: datetime | None = None) -> None:
    """Record the outcome and end the transaction (which releases the lock). Every column is written, the
    ones not given keep the row's values, so that the statement is always the same one."""
    db.session.execute(_settle_statement(), {
        "delivery_id": row.id, "new_status": status, "new_updated_at": now, "new_not_before": not_before,
        "new_sent_at": row.sent_at if sent_at is None else sent_at,
        "new_attempts": row.attempts if attempts is None else attempts,
        "new_last_error": row.last_error if last_error is None else last_error,
    })
    db.session.commit()


def deliver(delivery_id: int, now: datetime | None = None) -> Outcome:
    """Send one e-mail or SMS delivery if it is still pending: three statements (the locking read, the
    update, the commit) around the send."""
    now = _now(now)
    row = _claim(delivery_id)
    if row is False:
        return Outcome("busy")
    if row is None:
        db.session.rollback()
        return Outcome("missing")
    if row.status not in rules.PENDING or row.channel == rules.INBOX:
        db.session.rollback()
        return Outcome(row.status)
    if row.not_before is not None and row.not_before > now:
        db.session.rollback()
        return Outcome("not_yet", (row.not_before - now).total_seconds())
    address = _still_wanted(row)
    if address is None:
        _settle(row, now, rules.SKIPPED, last_error="opted out, no address, or account inactive",
                not_before=row.not_before)
        return Outcome(rules.SKIPPED)
    if row.channel == rules.SMS:
        quiet = delivery_rules.quiet_until(now, *current_app.config["SMS_QUIET_HOURS"])
        if quiet is not None:
            _settle(row, now, rules.DEFERRED, not_before=quiet)
            return Outcome(rules.DEFERRED, (quiet - now).total_seconds())
    attempts = row.attempts + 1
    try:
        _send(row, address)
    except delivery_rules.DeliveryError as error:
        last_error = mask_in_text(str(error))[:2000]  # SMTP and gateway errors may quote the address
        if error.transient and attempts < rules.MAX_ATTEMPTS:
            config = current_app.config
            wait = max(delivery_rules.backoff_seconds(attempts, config["REMINDER_RETRY_BASE_SECONDS"],
                                                      config["REMINDER_RETRY_CAP_SECONDS"]), error.retry_after or 0)
            _settle(row, now, rules.RETRYING, attempts=attempts, last_error=last_error,
                    not_before=now + timedelta(seconds=wait))
            return Outcome(rules.RETRYING, wait)
        _settle(row, now, rules.FAILED, attempts=attempts, last_error=last_error, not_before=row.not_before)
        log.warning("reminder delivery %s failed: %s", delivery_id, last_error)
        return Outcome(rules.FAILED)
    _settle(row, now, rules.SENT, attempts=attempts, sent_at=now)
    return Outcome(rules.SENT)


def channel_of(delivery_ids: list[int]) -> dict[int, str]:
    if not delivery_ids:
        return {}
    return dict(db.session.execute(select(Delivery.id, Delivery.channel).where(Delivery.id.in_(delivery_ids))).all())


def due_pending(now: datetime | None = None, stale_only: bool = True, limit: int = 10_000) -> list[int]:
    """Pending deliveries whose time has come; with ``stale_only``, those no task has touched lately
    (their task was lost, or they wait for the morning): the periodic sweep queues them again."""
    now = _now(now)
    query = select(Delivery.id).where(
        Delivery.status.in_(rules.PENDING), Delivery.channel != rules.INBOX,
        (Delivery.not_before.is_(None)) | (Delivery.not_before <= now))
    if stale_only:
        query = query.where(Delivery.updated_at <= now - STALE_AFTER)
    return list(db.session.execute(query.order_by(Delivery.id).limit(limit)).scalars())


def resend(delivery_id: int, actor: User, ip: str | None = None, now: datetime | None = None) -> Delivery | None:
    """An administrator sends a failed (or skipped) delivery again."""
    now = _now(now)
    delivery = db.session.get(Delivery, delivery_id)
    if delivery is None or delivery.channel == rules.INBOX:
        return None
    db.session.execute(update(Delivery).where(Delivery.id == delivery_id).values(
        status=rules.QUEUED, not_before=None, attempts=0, updated_at=now))
    audit.record("reminder.resend", actor=actor, obj_type="reminder_delivery", obj_id=delivery_id, ip=ip,
                 summary={"previous_status": delivery.status, "last_error": delivery.last_error})
    db.session.commit()
    db.session.refresh(delivery)
    return delivery


# --- the log -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogRow:
    kind: str
    channel: str
    status: str
    count: int


def counts(since: datetime, until: datetime) -> list[LogRow]:
    rows = db.session.execute(
        select(Reminder.kind, Delivery.channel, Delivery.status, func.count())
        .join(Reminder, Reminder.id == Delivery.reminder_id)
        .where(Delivery.created_at >= since, Delivery.created_at < until)
        .group_by(Reminder.kind, Delivery.channel, Delivery.status)
    ).all()
    return sorted((LogRow(*r) for r in rows), key=lambda r: (rules.KINDS.index(r.kind), r.channel, r.status))


def problems(since: datetime, until: datetime, limit: int = 100) -> list[tuple[Delivery, User | None]]:
    """Failed, retrying and deferred deliveries of the period, the latest first."""
    rows = db.session.execute(
        select(Delivery, User).join(Reminder, Reminder.id == Delivery.reminder_id)
        .outerjoin(User, User.id == Reminder.recipient_id)
        .where(Delivery.status.in_((rules.FAILED, rules.RETRYING, rules.DEFERRED, rules.SKIPPED)),
               Delivery.created_at >= since, Delivery.created_at < until)
        .order_by(Delivery.updated_at.desc()).limit(limit)
    ).all()
    return [(d, u) for d, u in rows]


# --- the inbox -----------------------------------------------------------------------------------------


def inbox(user_id: int, page: int = 1, per_page: int = 20, unread_only: bool = False) -> tuple[list[Reminder], int]:
    query = select(Reminder).where(Reminder.recipient_id == user_id)
    if unread_only:
        query = query.where(Reminder.read_at.is_(None))
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    items = list(db.session.execute(
        query.order_by(Reminder.created_at.desc(), Reminder.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).scalars())
    return items, total


def unread_count(user_id: int) -> int:
    return db.session.execute(
        select(func.count()).select_from(Reminder).where(Reminder.recipient_id == user_id, Reminder.read_at.is_(None))
    ).scalar_one()


def mark_read(user_id: int, reminder_id: int | None = None, now: datetime | None = None) -> Reminder | None | int:
    """Mark one of the person's reminders read (returns it; None if it is not theirs), or all of them
    (returns how many)."""
    now = _now(now)
    if reminder_id is None:
        done = db.session.execute(update(Reminder).where(Reminder.recipient_id == user_id,
                                                         Reminder.read_at.is_(None)).values(read_at=now)).rowcount
        db.session.commit()
        return done
    reminder = db.session.get(Reminder, reminder_id)
    if reminder is None or reminder.recipient_id != user_id:
        return None
    if reminder.read_at is None:
        reminder.read_at = now
        db.session.commit()
    return reminder


def preference(user_id: int) -> ReminderPreference:
    return db.session.get(ReminderPreference, user_id) or ReminderPreference(user_id=user_id, email=True, sms=True)


def save_preference(user: User, email: bool, sms: bool, now: datetime | None = None) -> ReminderPreference:
    row = db.session.get(ReminderPreference, user.id)
    if row is None:
        row = ReminderPreference(user_id=user.id)
        db.session.add(row)
    row.email, row.sms, row.updated_at = bool(email), bool(sms), _now(now)
    audit.record("reminder.preferences", actor=user, obj_type="user", obj_id=user.id,
                 summary={"email": row.email, "sms": row.sms})
    db.session.commit()
    return row
