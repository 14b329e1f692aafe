"""Learners registering for upcoming trainings (registered learners get the "training tomorrow" reminder
from the reminders scan, and staff see them when recording attendance).

A learner only changes registrations of trainings still to come: once a training has started,
registering and cancelling are both refused (RegistrationRefused, code ``started``); the attendance
record, not the registration, says who came. A training with a capacity refuses registrations once
it is full (code ``full``). Registering takes a lock on the training row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite serialises writers), so two learners racing for the last place do not both get it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from eduapp.domain import trainings as rules
from eduapp.extensions import db
from eduapp.models import Training, TrainingRegistration, User, utcnow
from eduapp.services import audit


class RegistrationRefused(Exception):
    """The training has started (``code`` started) or is full (``code`` full)."""

    def __init__(self, code: str, training: Training):
        super().__init__(f"training {training.id}: {code}")
        self.code, self.training = code, training


@dataclass(frozen=True)
class Upcoming:
    """A training still to come, as a learner sees it."""

    training: Training
    registered: bool  # this learner is registered
    taken: int  # registrations so far

    @property
    def places_left(self) -> int | None:
        return rules.places_left(self.training.capacity, self.taken)

    @property
    def full(self) -> bool:
        return self.places_left == 0


def _taken(training_ids: list[int]) -> dict[int, int]:
    if not training_ids:
        return {}
    return dict(db.session.execute(
        select(TrainingRegistration.training_id, func.count()).where(TrainingRegistration.training_id.in_(training_ids))
        .group_by(TrainingRegistration.training_id)).all())


def _mine(user: User, training_ids: list[int]) -> set[int]:
    if not training_ids:
        return set()
    return set(db.session.execute(select(TrainingRegistration.training_id).where(
        TrainingRegistration.user_id == user.id, TrainingRegistration.training_id.in_(training_ids))).scalars())


def upcoming(user: User, now: datetime | None = None, limit: int = 200) -> list[Upcoming]:
    """Trainings still to come, the soonest first, each with whether ``user`` is registered and how
    many are."""
    now = now or utcnow()
    found = list(db.session.execute(
        select(Training).where(Training.held_at > now).order_by(Training.held_at, Training.id).limit(limit)
    ).scalars())
    ids = [t.id for t in found]
    taken, mine = _taken(ids), _mine(user, ids)
    return [Upcoming(t, t.id in mine, taken.get(t.id, 0)) for t in found]


def upcoming_registrations(user: User, now: datetime | None = None, limit: int = 50) -> list[Training]:
    """The trainings still to come that ``user`` registered for, the soonest first (the 工作台's
    "trainings registered")."""
    now = now or utcnow()
    return list(db.session.execute(
        select(Training).join(TrainingRegistration, TrainingRegistration.training_id == Training.id)
        .where(TrainingRegistration.user_id == user.id, Training.held_at > now)
        .order_by(Training.held_at, Training.id).limit(limit)
    ).scalars())


def _training(training_id: int, lock: bool = False) -> Training | None:
    return db.session.get(Training, training_id, with_for_update=lock or None, populate_existing=lock)


def register(user: User, training_id: int, now: datetime | None = None,
             ip: str | None = None) -> tuple[Training, bool] | None:
    """Register ``user`` for an upcoming training; returns it and whether anything changed (a second
    registration changes nothing), or None when there is no such training. Raises
    RegistrationRefused when it has started or is full."""
    now = now or utcnow()
    training = _training(training_id, lock=True)
    if training is None:
        db.session.rollback()
        return None
    already = db.session.get(TrainingRegistration, (training.id, user.id)) is not None
    refused = rules.refusal(training.held_at, now, _taken([training.id]).get(training.id, 0), training.capacity)
    if refused == rules.STARTED or (refused and not already):
        db.session.rollback()
        raise RegistrationRefused(refused, training)
    if already:
        db.session.rollback()
        return training, False
    db.session.add(TrainingRegistration(training_id=training.id, user_id=user.id, registered_at=now))
    audit.record("training.register", actor=user, obj_type="training", obj_id=training.id, ip=ip,
                 summary={"title": training.title})
    try:
        db.session.commit()
    except IntegrityError:  # the same person's second click, committed first
        db.session.rollback()
        return db.session.get(Training, training_id), False
    return training, True


def unregister(user: User, training_id: int, now: datetime | None = None,
               ip: str | None = None) -> tuple[Training, bool] | None:
    """Cancel ``user``'s registration for an upcoming training; as ``register`` (only ``started`` is
    refused)."""
    now = now or utcnow()
    training = _training(training_id)
    if training is None:
        return None
    if training.held_at <= now:
        raise RegistrationRefused(rules.STARTED, training)
    removed = db.session.execute(delete(TrainingRegistration).where(
        TrainingRegistration.training_id == training.id, TrainingRegistration.user_id == user.id)).rowcount
    if not removed:
        db.session.rollback()
        return training, False
    audit.record("training.unregister", actor=user, obj_type="training", obj_id=training.id, ip=ip,
                 summary={"title": training.title})
    db.session.commit()
    return training, True
