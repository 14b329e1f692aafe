"""The reminders store: writing a scan's new reminders and their deliveries, and claiming a delivery to send.

services.reminders decides what is due and services.reminder_sending what to do with a delivery; this
module writes and reads the rows. PostgreSQL writes a batch of reminders as one statement of arrays and
their deliveries as one ``INSERT … SELECT``, and locks a delivery being sent with ``FOR UPDATE NOWAIT``;
any other database (SQLite, the embedded default) uses executemany and no row lock (SQLite has one
writer at a time). Both write under the dedupe constraints with ``ON CONFLICT DO NOTHING``, so only new
rows come back. ``tests/test_store_parity.py`` runs both and compares the rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select, text

from eduapp.domain import reminders as rules
from eduapp.extensions import db
from eduapp.models import Delivery, Reminder, ReminderPreference, User
from eduapp.stores import insert_on_conflict, is_postgresql

CHUNK = 1000  # rows per executemany (the portable path)
PG_BATCH = 5000  # reminders per statement (PostgreSQL)


@dataclass
class Written:
    due: int = 0  # reminders offered (new or not)
    created: int = 0  # new reminders written
    queued: list[int] = field(default_factory=list)  # their e-mail and SMS deliveries, to send


def chunks_of(items: Iterable, size: int = CHUNK) -> Iterator[list]:
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def write(kind: str, due: Iterable, now: datetime) -> Written:
    """Write the reminders of ``due`` (services.reminder_due.Due) that are new, and their deliveries (the inbox,
    delivered by being written; e-mail and SMS, queued, where the person has an address and has not opted
    out), in the caller's transaction."""
    if is_postgresql():
        return _write_postgresql(kind, due, now)
    return _write_portable(kind, due, now)


# PostgreSQL: a batch of reminders is one statement whatever its size, its columns passed as arrays
# (nothing to render or parse per row), and its deliveries one INSERT … SELECT from the new reminders,
# their recipients' addresses and preferences. The deliveries are numbered as the portable path numbers
# them (by reminder, then inbox, e-mail, SMS), so both leave the same rows.
PG_INSERT_REMINDERS = text("""
    INSERT INTO reminders (kind, object_type, object_id, recipient_id, occasion, params, link, created_at)
    SELECT :kind, t.object_type, t.object_id, t.recipient_id, t.occasion, CAST(t.params AS json), t.link, :now
    FROM unnest(CAST(:object_types AS text[]), CAST(:object_ids AS integer[]), CAST(:recipients AS integer[]),
                CAST(:occasions AS text[]), CAST(:params AS text[]), CAST(:links AS text[]))
         AS t(object_type, object_id, recipient_id, occasion, params, link)
    ON CONFLICT (kind, object_type, object_id, recipient_id, occasion) DO NOTHING
    RETURNING id""")
PG_INSERT_DELIVERIES = text("""
    INSERT INTO reminder_deliveries (reminder_id, channel, status, attempts, created_at, updated_at, sent_at)
    SELECT r.id, c.channel, CASE WHEN c.channel = :inbox THEN :sent ELSE :queued END, 0, :now, :now,
           CASE WHEN c.channel = :inbox THEN CAST(:now AS timestamptz) END
    FROM reminders r
    JOIN users u ON u.id = r.recipient_id
    LEFT JOIN reminder_preferences p ON p.user_id = u.id
    CROSS JOIN (VALUES (1, :inbox), (2, :email), (3, :sms)) AS c(n, channel)
    WHERE r.id = ANY(CAST(:ids AS integer[]))
      AND (c.channel = :inbox
           OR (c.channel = :email AND coalesce(u.email, '') <> '' AND p.email IS NOT FALSE)
           OR (c.channel = :sms AND coalesce(u.phone, '') <> '' AND p.sms IS NOT FALSE))
    ORDER BY r.id, c.n
    ON CONFLICT (reminder_id, channel) DO NOTHING
    RETURNING id, channel""")


def _write_postgresql(kind: str, due: Iterable, now: datetime) -> Written:
    result = Written()
    channels = {"inbox": rules.INBOX, "email": rules.EMAIL, "sms": rules.SMS, "sent": rules.SENT,
                "queued": rules.QUEUED}
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for batch in chunks_of(due, PG_BATCH):
        result.due += len(batch)
        encoded: dict[int, str] = {}  # the params of one object are one dict: encode it once
        new = db.session.execute(PG_INSERT_REMINDERS, {
            "kind": kind, "now": now,
            "object_types": [d.object_type for d in batch], "object_ids": [d.object_id for d in batch],
            "recipients": [d.recipient_id for d in batch], "occasions": [d.occasion for d in batch],
            "params": [encoded.get(id(d.params)) or encoded.setdefault(id(d.params), encode(d.params))
                       for d in batch],
            "links": [d.link for d in batch],
        }).scalars().all()
        if not new:
            continue
        result.created += len(new)
        rows = db.session.execute(PG_INSERT_DELIVERIES, {"ids": new, "now": now, **channels}).all()
        result.queued += [delivery_id for delivery_id, channel in rows if channel != rules.INBOX]
    return result


def _addresses(user_ids: list[int]) -> dict[int, tuple[str | None, str | None]]:
    """User id -> (e-mail, phone) for the channels the person has an address for and has not opted out of
    (domain.reminders.address_for; PG_INSERT_DELIVERIES' WHERE states it in SQL)."""
    out = {}
    for chunk in chunks_of(sorted(set(user_ids))):
        for user_id, email, phone, wants_email, wants_sms in db.session.execute(
            select(User.id, User.email, User.phone, ReminderPreference.email, ReminderPreference.sms)
            .outerjoin(ReminderPreference, ReminderPreference.user_id == User.id)
            .where(User.id.in_(chunk))
        ):
            out[user_id] = (rules.address_for(rules.EMAIL, email, phone, wants_email, wants_sms),
                            rules.address_for(rules.SMS, email, phone, wants_email, wants_sms))
    return out


def _write_portable(kind: str, due: Iterable, now: datetime) -> Written:
    """Any other database (SQLite, the embedded default): executemany, compiled once."""
    result = Written()
    reminders, deliveries_table = Reminder.__table__, Delivery.__table__
    insert_reminders = (insert_on_conflict(reminders)
                        .on_conflict_do_nothing(index_elements=["kind", "object_type", "object_id", "recipient_id",
                                                                "occasion"])
                        .returning(reminders.c.id, reminders.c.recipient_id))
    insert_deliveries = (insert_on_conflict(deliveries_table)
                         .on_conflict_do_nothing(index_elements=["reminder_id", "channel"])
                         .returning(deliveries_table.c.id, deliveries_table.c.channel))
    connection = db.session.connection()
    for batch in chunks_of(due):
        result.due += len(batch)
        rows = [{"kind": kind, "object_type": d.object_type, "object_id": d.object_id, "recipient_id": d.recipient_id,
                 "occasion": d.occasion, "params": d.params, "link": d.link, "created_at": now} for d in batch]
        new = connection.execute(insert_reminders, rows).all()
        if not new:
            continue
        result.created += len(new)
        addresses = _addresses([r for _, r in new])
        deliveries = []
        for reminder_id, recipient_id in new:
            email, phone = addresses.get(recipient_id, (None, None))
            deliveries.append({"reminder_id": reminder_id, "channel": rules.INBOX, "status": rules.SENT,
                               "attempts": 0, "created_at": now, "updated_at": now, "sent_at": now})
            for channel, address in ((rules.EMAIL, email), (rules.SMS, phone)):
                if address:
                    deliveries.append({"reminder_id": reminder_id, "channel": channel, "status": rules.QUEUED,
                                       "attempts": 0, "created_at": now, "updated_at": now, "sent_at": None})
        ids = connection.execute(insert_deliveries, deliveries).all()
        result.queued += [delivery_id for delivery_id, channel in ids if channel != rules.INBOX]
    return result


# --- claiming a delivery to send -----------------------------------------------------------------------


@cache
def _claim_query(locked: bool):
    """The delivery, its reminder, and its recipient's addresses and preferences: one row, one round trip.
    Built once: a worker runs it for every message."""
    d, r = Delivery.__table__, Reminder.__table__
    u, p = User.__table__, ReminderPreference.__table__
    query = (
        select(d.c.id, d.c.channel, d.c.status, d.c.attempts, d.c.not_before, d.c.last_error, d.c.sent_at,
               r.c.kind, r.c.occasion, r.c.params, r.c.link,
               u.c.id.label("user_id"), u.c.active, u.c.email, u.c.phone, u.c.locale,
               p.c.email.label("wants_email"), p.c.sms.label("wants_sms"))
        .select_from(d.join(r, r.c.id == d.c.reminder_id)
                     .outerjoin(u, u.c.id == r.c.recipient_id)
                     .outerjoin(p, p.c.user_id == u.c.id))
        .where(d.c.id == bindparam("delivery_id"))
    )
    if locked:
        query = query.with_for_update(nowait=True, of=d)
    return query


def claim(delivery_id: int):
    """The delivery with its reminder and recipient (``_claim_query``'s row), None when there is none; on
    PostgreSQL locked (``FOR UPDATE NOWAIT``) until the transaction ends, raising OperationalError when
    another worker holds it. SQLite has one writer at a time: the row is read unlocked."""
    return db.session.execute(_claim_query(is_postgresql()), {"delivery_id": delivery_id}).first()
