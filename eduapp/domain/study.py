"""Study time (学法时长) from page heartbeats, as pure functions.

A law-library page that is open and visible sends a heartbeat every ``BEAT_SECONDS``. The time
between two heartbeats counts as study, but never more than ``MAX_CREDIT_SECONDS`` for one beat (a
page left open in a background tab, a laptop asleep, or a client sending beats faster than the page
does earns no more than a page read in the open), and a beat after a gap longer than
``MAX_GAP_SECONDS`` only starts a new stretch. Every whole ``UNIT_MINUTES`` of a day's study earns
the study-time points once (the earning rule's daily cap applies on top).
"""

from __future__ import annotations

from datetime import datetime

BEAT_SECONDS = 60
MAX_CREDIT_SECONDS = 75
MAX_GAP_SECONDS = 150
UNIT_MINUTES = 30


def credit(last_beat_at: datetime | None, now: datetime) -> int:
    """Seconds of study that a heartbeat at ``now`` adds after the previous one at ``last_beat_at``."""
    if last_beat_at is None:
        return 0
    gap = (now - last_beat_at).total_seconds()
    if gap <= 0 or gap > MAX_GAP_SECONDS:
        return 0
    return int(min(gap, MAX_CREDIT_SECONDS))


def units_completed(before_seconds: int, after_seconds: int, unit_minutes: int = UNIT_MINUTES) -> list[int]:
    """The numbers (1-based) of the whole units of study completed between two totals of a day."""
    unit = unit_minutes * 60
    return list(range(before_seconds // unit + 1, after_seconds // unit + 1))
