"""Early-warning reminders (预警提醒): what is due for whom, and how each channel delivered it.

A ``Reminder`` is written once per (kind, object, recipient, occasion) under a unique constraint, so
a scan run twice, or by two beats at once, writes nothing the second time. It is also the in-app
inbox message. Each channel it goes out on has one ``Delivery`` row: its status, attempts and last
error are the delivery log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.models.base import Base, utcnow


class Reminder(Base):
    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("kind", "object_type", "object_id", "recipient_id", "occasion", name="uq_reminders_dedupe"),
        Index("ix_reminders_recipient_created", "recipient_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int]
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    occasion: Mapped[str] = mapped_column(String(40))  # e.g. "7d", "30d:2026-12-31", "overdue"
    params: Mapped[dict] = mapped_column(JSON)  # what the message says (title, date, amounts…)
    link: Mapped[str] = mapped_column(String(300))  # the object's page, a path
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]


class Delivery(Base):
    __tablename__ = "reminder_deliveries"
    __table_args__ = (
        UniqueConstraint("reminder_id", "channel", name="uq_reminder_deliveries_channel"),
        Index("ix_reminder_deliveries_status_not_before", "status", "not_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminders.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(8))  # inbox | email | sms
    # queued -> sent | retrying -> … | deferred (quiet hours) -> … | failed | skipped (opted out, no address)
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    not_before: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]

    reminder: Mapped[Reminder] = relationship(lazy="joined")


class ReminderPreference(Base):
    """A person's channels besides the inbox (which always gets every reminder)."""

    __tablename__ = "reminder_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[bool] = mapped_column(default=True)
    sms: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrainingRegistration(Base):
    """A learner registered for an upcoming training (they get the reminder the day before)."""

    __tablename__ = "training_registrations"

    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)

