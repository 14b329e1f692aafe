"""Trainings (学法培训): bureau staff create them (with their kind, time, place and capacity) and record
who attended, which awards the training's points through the ledger (services/awards.py). Learners'
registrations are in services/training_registrations.py; the kinds and their rules in
eduapp.domain.trainings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import select

from eduapp.domain import points as rules
from eduapp.domain import trainings as kinds
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.domain.roles import Permission
from eduapp.extensions import db
from eduapp.models import Training, TrainingAttendance, TrainingRegistration, User, utcnow
from eduapp.services import audit
from eduapp.services.awards import award_for_activity
from eduapp.stores import insert_on_conflict


def trainings(limit: int = 100) -> list[Training]:
    return list(db.session.execute(select(Training).order_by(Training.held_at.desc(), Training.id.desc())
                                   .limit(limit)).scalars())


def get_training(training_id: int) -> Training | None:
    return db.session.get(Training, training_id)


def create_training(actor: User, title: str, held_on: date | None, points: int | None,
                    ip: str | None = None, *, kind: str = kinds.OTHER, at: time | None = None,
                    place: str | None = None, capacity: int | None = None) -> Training:
    """Save a training held on ``held_on`` (at ``at`` o'clock in China, midnight without one)."""
    place = (place or "").strip() or None
    problems = kinds.problems(title, held_on, points, kind, place, capacity)
    if problems:
        raise InputError(problems)
    training = Training(title=title.strip(), held_at=kinds.starts_at(held_on, at), points=points, kind=kind,
                        place=place, capacity=capacity, created_by_id=actor.id, created_at=utcnow())
    db.session.add(training)
    db.session.flush()
    audit.record("points.training", actor=actor, obj_type="training", obj_id=training.id, ip=ip,
                 summary={"title": training.title, "held_on": held_on.isoformat(), "points": points, "kind": kind,
                          "at": at.strftime("%H:%M") if at else None, "place": place, "capacity": capacity})
    db.session.commit()
    return training


def attendees(training: Training) -> list[tuple[User, TrainingAttendance]]:
    return list(db.session.execute(
        select(User, TrainingAttendance).join(TrainingAttendance, TrainingAttendance.user_id == User.id)
        .where(TrainingAttendance.training_id == training.id).order_by(User.username)
    ).all())


def registrants(training: Training) -> list[tuple[User, TrainingRegistration, bool]]:
    """Who registered, in the order they did, each with whether their attendance is recorded (what
    staff see when recording attendance)."""
    attended = set(db.session.execute(
        select(TrainingAttendance.user_id).where(TrainingAttendance.training_id == training.id)).scalars())
    return [(user, row, user.id in attended) for user, row in db.session.execute(
        select(User, TrainingRegistration).join(TrainingRegistration, TrainingRegistration.user_id == User.id)
        .where(TrainingRegistration.training_id == training.id)
        .order_by(TrainingRegistration.registered_at, User.username)
    ).all()]


@dataclass(frozen=True)
class Attendance:
    added: list[str]
    already: list[str]


def record_attendance(actor: User, training: Training, usernames: list[str], now: datetime | None = None,
                      ip: str | None = None) -> Attendance:
    """Record who attended and award the training's points, once per training and person. An
    unknown or non-learner account refuses the whole list (nothing is recorded)."""
    now = now or utcnow()
    names = list(dict.fromkeys(n.strip() for n in usernames if n.strip()))
    if not names:
        raise InputError([Problem(N_("Give at least one username."), {}, "usernames")])
    found = {u.username: u for u in db.session.execute(select(User).where(User.username.in_(names))).scalars()}
    problems = [Problem(N_("There is no account %(username)s."), {"username": n}, "usernames")
                for n in names if n not in found]
    problems += [Problem(N_("%(username)s is not a learner account."), {"username": n}, "usernames")
                 for n in names if n in found and not (found[n].active and found[n].can(Permission.STUDY))]
    if problems:
        raise InputError(problems)
    present = set(db.session.execute(
        select(TrainingAttendance.user_id).where(TrainingAttendance.training_id == training.id)
    ).scalars())
    added, already = [], []
    for name in names:
        user = found[name]
        if user.id in present:
            already.append(name)
        else:
            db.session.execute(insert_on_conflict(TrainingAttendance).values(
                training_id=training.id, user_id=user.id, recorded_by_id=actor.id, recorded_at=now,
            ).on_conflict_do_nothing())
            added.append(name)
        if training.points > 0:
            award_for_activity(user, rules.TRAINING, f"training:{training.id}:{user.id}", now,
                               points=training.points, commit=False)
    if added:
        audit.record("points.attendance", actor=actor, obj_type="training", obj_id=training.id, ip=ip,
                     summary={"added": added, "points": training.points})
    db.session.commit()
    return Attendance(added, already)
