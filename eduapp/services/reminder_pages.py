"""What the reminder pages need besides reminder_sending: learners registering for upcoming trainings
(registered learners get the "training tomorrow" reminder from the scan).

A learner only reaches trainings that are still to come: a training whose start has passed is closed
to registration and to cancelling alike (the attendance record, not the registration, says who came).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from eduapp.extensions import db
from eduapp.models import Training, TrainingRegistration, User, utcnow
from eduapp.services import audit


class RegistrationClosed(Exception):
    """The training has started (or is over): registrations can no longer change."""

    def __init__(self, training: Training):
        super().__init__(f"training {training.id} is closed to registration")
        self.training = training


def upcoming(user: User, now: datetime | None = None, limit: int = 200) -> list[tuple[Training, bool]]:
    """Trainings still to come, the soonest first, each with whether ``user`` is registered."""
    now = now or utcnow()
    trainings = list(db.session.execute(
        select(Training).where(Training.held_at > now).order_by(Training.held_at, Training.id).limit(limit)
    ).scalars())
    registered = set(db.session.execute(
        select(TrainingRegistration.training_id).where(
            TrainingRegistration.user_id == user.id,
            TrainingRegistration.training_id.in_([t.id for t in trainings]))
    ).scalars()) if trainings else set()
    return [(t, t.id in registered) for t in trainings]


def _open_training(training_id: int, now: datetime) -> Training | None:
    training = db.session.get(Training, training_id)
    if training is not None and training.held_at <= now:
        raise RegistrationClosed(training)
    return training


def _registration(training_id: int, user_id: int) -> TrainingRegistration | None:
    return db.session.get(TrainingRegistration, (training_id, user_id))


def register(user: User, training_id: int, now: datetime | None = None,
             ip: str | None = None) -> tuple[Training, bool] | None:
    """Register ``user`` for an upcoming training; returns it and whether anything changed (a second
    registration changes nothing), or None when there is no such training. Raises RegistrationClosed."""
    now = now or utcnow()
    training = _open_training(training_id, now)
    if training is None:
        return None
    if _registration(training.id, user.id) is not None:
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
    """Cancel ``user``'s registration for an upcoming training; as ``register``."""
    now = now or utcnow()
    training = _open_training(training_id, now)
    if training is None:
        return None
    removed = db.session.execute(delete(TrainingRegistration).where(
        TrainingRegistration.training_id == training.id, TrainingRegistration.user_id == user.id)).rowcount
    if not removed:
        db.session.rollback()
        return training, False
    audit.record("training.unregister", actor=user, obj_type="training", obj_id=training.id, ip=ip,
                 summary={"title": training.title})
    db.session.commit()
    return training, True
