"""The study points ledger (学法积分).

``PointsEntry`` rows are the ledger: append-only, never updated or deleted (a mistake is fixed by a
reversing entry). ``PointsLot`` (what is left of each award, with its expiry), the balances on
``PointsAccount`` and ``PointsReservation`` are projections kept in the same transaction as the
entries, under a lock on the account row, so a balance is one indexed read.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from eduapp.models.base import Base, utcnow

PERSON, ENTERPRISE_POOL = "person", "enterprise"


class PointsAccount(Base):
    """A person's points, or an enterprise's pool."""

    __tablename__ = "points_accounts"
    __table_args__ = (UniqueConstraint("owner_kind", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(12))  # person | enterprise
    owner_id: Mapped[int]  # users.id or organisations.id
    available: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PointsEntry(Base):
    """One line of the ledger. ``amount`` is signed from the account's point of view."""

    __tablename__ = "points_entries"
    __table_args__ = (Index("ix_points_entries_account_created", "account_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("points_accounts.id"))
    # award | reserve | post | void | expire | reverse | adjust | transfer_in | transfer_out
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int]
    source_key: Mapped[str | None] = mapped_column(String(120), unique=True)  # e.g. exam_attempt:123
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("points_lots.id", use_alter=True,
                                                          name="fk_points_entries_lot_id_points_lots"), index=True)
    reservation_id: Mapped[int | None] = mapped_column(ForeignKey("points_reservations.id"), index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("points_entries.id"))
    expires_at: Mapped[datetime | None]  # an award's expiry
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PointsLot(Base):
    """What is left of one award; spent soonest-expiring first."""

    __tablename__ = "points_lots"
    __table_args__ = (Index("ix_points_lots_account_expires", "account_id", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("points_accounts.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("points_entries.id"))
    amount: Mapped[int]
    remaining: Mapped[int]
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PointsReservation(Base):
    """Points held for an offset application: RESERVED, then POSTED (approved) or VOIDED."""

    __tablename__ = "points_reservations"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("points_accounts.id"), index=True)
    amount: Mapped[int]
    state: Mapped[str] = mapped_column(String(12), default="reserved")  # reserved | posted | voided
    allocations: Mapped[list] = mapped_column(JSON)  # [[lot_id, points], …] taken from each lot
    purpose: Mapped[str] = mapped_column(String(120), default="")  # e.g. offset_application:7
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    settled_at: Mapped[datetime | None]


class EarningRule(Base):
    """How many points an activity earns, configured by administrators.

    kind: exam_pass | practice | study_time | training | competition_1 | competition_2 |
    competition_3 | pool_person_cap (the most one person adds to the enterprise pool per period)."""

    __tablename__ = "earning_rules"

    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    points: Mapped[int] = mapped_column(default=0)
    daily_cap: Mapped[int | None]
    period_days: Mapped[int | None]  # for pool_person_cap: the period the cap applies to
    valid_months: Mapped[int] = mapped_column(default=12)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Training(Base):
    """An offline training session (集中学法、培训); learners register, bureau staff record who attended.

    kind: collective_study | lecture | head_lecture | other (eduapp.domain.trainings.KINDS)."""

    __tablename__ = "trainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    held_at: Mapped[datetime]  # when it starts
    points: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(24), default="other", server_default="other")
    place: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[int | None]  # the most who may register (None: no limit)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrainingAttendance(Base):
    __tablename__ = "training_attendance"

    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class StudyDay(Base):
    """Time a person spent reading the law library on one day in China (学法时长), counted from the
    page's heartbeats; each whole 30 minutes earns the study-time points (up to the daily cap)."""

    __tablename__ = "study_days"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    seconds: Mapped[int] = mapped_column(default=0)
    last_beat_at: Mapped[datetime]
