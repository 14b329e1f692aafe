"""Training sessions (学法培训): their kinds, as the bureau's annual report counts them, and the rules of
registering for one.

The annual report on governing by law counts the year's sessions by kind ("累计开展集中学法4次 … 组织各类
法律培训讲座5次 … 开展'一把手讲法'普法讲堂活动"), so every training has one of four kinds. A learner
registers for a training before it starts, and may cancel until then; an optional capacity caps the
registrations.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from eduapp.domain.points import training_problems
from eduapp.domain.practice import CHINA
from eduapp.domain.problems import N_, Problem

COLLECTIVE_STUDY, LECTURE, HEAD_LECTURE, OTHER = "collective_study", "lecture", "head_lecture", "other"
KINDS = (COLLECTIVE_STUDY, LECTURE, HEAD_LECTURE, OTHER)  # the order of the report, and of every list
KIND_LABELS = {
    COLLECTIVE_STUDY: N_("Collective law study"),  # 集中学法
    LECTURE: N_("Legal training lecture"),  # 法律培训讲座
    HEAD_LECTURE: N_("Head of unit teaches law"),  # 一把手讲法
    OTHER: N_("Other training"),  # 其他
}
# What a title says about its kind, first match wins: migration 0018 gives the trainings that existed
# before kinds the kind their title names (its SQL mirrors this table), the rest are OTHER.
TITLE_HINTS = (("集中学法", COLLECTIVE_STUDY), ("讲法", HEAD_LECTURE), ("讲座", LECTURE))

MAX_CAPACITY = 10000
MAX_PLACE = 200

# Why a registration is refused (stable codes of the API), and what people are told.
STARTED, FULL = "started", "full"
REFUSALS = {
    STARTED: N_("“%(title)s” has already begun or is over: registrations for it can no longer change."),
    FULL: N_("“%(title)s” is full: all %(capacity)s places are taken."),
}


def kind_from_title(title: str) -> str:
    """The kind a title names (集中学法 > 讲法 > 讲座), else OTHER."""
    return next((kind for hint, kind in TITLE_HINTS if hint in (title or "")), OTHER)


def starts_at(held_on: date, at: time | None) -> datetime:
    """When a training starts, in UTC: ``at`` o'clock in China on ``held_on`` (midnight without a time)."""
    return datetime.combine(held_on, at or time(0), CHINA).astimezone(UTC)


def problems(title: str | None, held_on: object, points: object, kind: object, place: str | None,
             capacity: object) -> list[Problem]:
    """What is wrong with a training as entered: its title, day and points as before, and its kind,
    place (optional, at most 200 characters) and capacity (optional, 1 to 10,000 people)."""
    found = training_problems(title, held_on, points)
    if kind not in KINDS:
        found.append(Problem(N_("Choose the kind of training."), {}, "kind"))
    if place is not None and len(place.strip()) > MAX_PLACE:
        found.append(Problem(N_("The place is at most %(max)s characters."), {"max": MAX_PLACE}, "place"))
    if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)
                                 or not 1 <= capacity <= MAX_CAPACITY):
        found.append(Problem(N_("The capacity is a whole number from 1 to %(max)s, or empty for no limit."),
                             {"max": MAX_CAPACITY}, "capacity"))
    return found


def refusal(held_at: datetime, now: datetime, registered: int, capacity: int | None) -> str | None:
    """Why a new registration is refused: STARTED once the training has begun, FULL when ``registered``
    people already fill its capacity; None when it is accepted."""
    if held_at <= now:
        return STARTED
    if capacity is not None and registered >= capacity:
        return FULL
    return None


def places_left(capacity: int | None, registered: int) -> int | None:
    """The places still free (None: no limit)."""
    return None if capacity is None else max(capacity - registered, 0)
