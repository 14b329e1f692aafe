"""What every reminder scan shares: the ``Due`` it yields, the roles of the offset review steps, the
local time a reminder shows, and ``write``, which turns a scan's ``Due`` into reminders.

The scans live beside what they scan (services.case_deadlines, services.exam_reach,
services.offset_steps, services.reminders) and services.reminders runs them all; this module sits
below every one of them, so none needs to import services.reminders back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from eduapp.domain.practice import CHINA
from eduapp.domain.roles import Role
from eduapp.stores import reminders as reminder_store

STEP_ROLES = {"officer": Role.CASE_OFFICER.value, "reviewer": Role.LEGAL_REVIEWER.value,
              "approver": Role.APPROVER.value}


@dataclass(frozen=True)
class Due:
    """One reminder a scan found due (it is written unless it exists already)."""

    object_type: str
    object_id: int
    recipient_id: int
    occasion: str
    params: dict
    link: str


@dataclass
class ScanResult:
    kind: str
    due: int = 0  # found due now (new or not)
    created: int = 0  # new reminders written
    queued: list[int] = field(default_factory=list)  # e-mail and SMS deliveries to send


def local(moment: datetime) -> str:
    """A moment as the reminder shows it: China's local time, to the minute."""
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def write(kind: str, due: Iterable[Due], now: datetime) -> ScanResult:
    """Write the reminders that are new and their deliveries, in the caller's transaction
    (eduapp.stores.reminders: PostgreSQL's statements and the portable ones)."""
    written = reminder_store.write(kind, due, now)
    return ScanResult(kind, written.due, written.created, written.queued)
