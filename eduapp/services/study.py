"""Study time in the law library (学法时长): heartbeats from the pages add to a person's day, and
every whole unit (30 minutes) earns the study-time points under the earning rules.

The day's row is locked while a heartbeat is counted, so two tabs beating at once count the time
once; the units' source keys (``study_time:<user>:<day>:<n>``) make the awards idempotent too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eduapp.domain import study as rules
from eduapp.domain.points import STUDY_TIME
from eduapp.domain.practice import china_day
from eduapp.extensions import db
from eduapp.models import StudyDay, User


@dataclass(frozen=True)
class Beat:
    day: date
    seconds: int  # the day's study so far
    awarded_units: list[int]  # units completed by this beat (points awarded within the daily cap)


def _day_row(user_id: int, day: date, now: datetime) -> tuple[StudyDay, bool]:
    """The day's row, locked; created (and not yet counted) on the first beat of the day."""
    row = db.session.execute(
        select(StudyDay).where(StudyDay.user_id == user_id, StudyDay.day == day).with_for_update()
    ).scalar_one_or_none()
    if row is not None:
        return row, False
    row = StudyDay(user_id=user_id, day=day, seconds=0, last_beat_at=now)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:  # the other tab's first beat won
        db.session.rollback()
        return _day_row(user_id, day, now)
    return row, True


def heartbeat(user: User, now: datetime | None = None) -> Beat:
    """Count the time since this person's previous heartbeat today (see ``eduapp.domain.study``)."""
    from eduapp.services import awards

    now = now or datetime.now(UTC)
    day = china_day(now)
    row, new = _day_row(user.id, day, now)
    before = row.seconds
    if not new:
        row.seconds = before + rules.credit(row.last_beat_at, now)
        row.last_beat_at = max(row.last_beat_at, now)
    units = rules.units_completed(before, row.seconds)
    for unit in units:
        awards.award_for_activity(user, STUDY_TIME, f"study_time:{user.id}:{day.isoformat()}:{unit}", now,
                                  commit=False)
    db.session.commit()
    return Beat(day, row.seconds, units)


def seconds_on(user_id: int, day: date) -> int:
    return db.session.execute(
        select(StudyDay.seconds).where(StudyDay.user_id == user_id, StudyDay.day == day)
    ).scalar() or 0
