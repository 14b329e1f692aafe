"""When the periodic jobs last ran, for the administrator's 工作台, without a schema change.

- The reminder scan (the beat's half-hourly ``eduapp.reminders.scan``): each run stores its time in
  Redis under ``LAST_SCAN_KEY`` (Redis is where the beat and its lock live). Without Redis, or before
  a run has stored it, the newest reminder row stands in: it says when a scan last wrote something.
- The audit chain's check (the nightly ``eduapp.audit.verify_chain``, or the button on the 工作台): each
  check is written to the audit trail itself as an ``audit.verified`` record (checked, broken record),
  so the page reads the newest one (an indexed query) instead of checking the chain on every load.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import func, select

from eduapp.extensions import db
from eduapp.models import AuditRecord, Reminder, User, utcnow
from eduapp.services import audit

log = logging.getLogger(__name__)

LAST_SCAN_KEY = "eduapp:last-run:reminders.scan"
VERIFIED = "audit.verified"
TIMEOUT_SECONDS = 0.5


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS)


def record_scan(now: datetime | None = None) -> bool:
    """Store the time of a reminder scan; False when Redis is not there (never an error)."""
    try:
        client = _redis()
        if client is None:
            return False
        client.set(LAST_SCAN_KEY, (now or utcnow()).astimezone(UTC).isoformat())
        return True
    except Exception:
        log.warning("could not store the time of the reminder scan", exc_info=True)
        return False


def forget_scan() -> None:
    """Drop the stored time (a new deployment, or a test starting clean)."""
    client = _redis()
    if client is not None:
        client.delete(LAST_SCAN_KEY)


def last_scan() -> tuple[datetime | None, str]:
    """(when, source): source "scan" (stored by the scan), "reminder" (the newest reminder row) or "none"."""
    try:
        client = _redis()
        stored = client.get(LAST_SCAN_KEY) if client is not None else None
    except Exception:
        log.warning("could not read the time of the last reminder scan", exc_info=True)
        stored = None
    if stored:
        try:
            return datetime.fromisoformat(stored.decode()), "scan"
        except ValueError:
            log.warning("the stored time of the last reminder scan is not a time: %r", stored)
    newest = db.session.execute(select(func.max(Reminder.created_at))).scalar()
    return (newest, "reminder") if newest is not None else (None, "none")


def verify_and_record(actor: User | None, ip: str | None = None) -> dict:
    """Check the whole audit chain now and write the result to the trail (committed)."""
    try:
        checked, broken = audit.verify()
    except audit.AnchorFileError as error:  # the anchors cannot be read: not intact, and say why
        summary = {"checked": 0, "broken_record": None, "reason": str(error)}
    else:
        summary = {"checked": checked, "broken_record": broken.record_id if broken else None,
                   "reason": broken.reason if broken else None}
    audit.record(VERIFIED, actor=actor, obj_type="audit_chain", summary=summary, ip=ip)
    db.session.commit()
    return summary


def last_verification() -> dict | None:
    """The newest recorded check: {at, by, checked, ok, broken_record, reason}; None before the first."""
    row = db.session.execute(
        select(AuditRecord).where(AuditRecord.action == VERIFIED).order_by(AuditRecord.id.desc()).limit(1)
    ).scalar()
    if row is None:
        return None
    summary = json.loads(row.summary or "{}")
    return {"at": row.at, "by": row.actor, "checked": summary.get("checked", 0),
            "ok": summary.get("broken_record") is None and summary.get("reason") is None,
            "broken_record": summary.get("broken_record"), "reason": summary.get("reason")}
