"""A review step past its deadline escalates: the offset_overdue reminders (services.offset_steps
finds the overdue steps and their recipients; services.reminders runs that scan). Nothing is voided:
the bureau's delay never voids the enterprise's application, which stays open."""

from __future__ import annotations

from datetime import datetime

from eduapp.models import utcnow
from eduapp.services import reminders
from eduapp.services.offset_steps import OFFSET_OVERDUE, overdue


def escalate(now: datetime | None = None) -> tuple[int, list[int]]:
    """Write the offset_overdue reminders (committed); returns (overdue applications, e-mail and SMS
    deliveries to queue). Nothing is voided: the application stays open."""
    now = now or utcnow()
    result = reminders.scan(OFFSET_OVERDUE, now)
    return len(overdue(now)), result.queued


def escalate_overdue(now: datetime | None = None) -> int:
    return escalate(now)[0]
