"""Certificates of passed exams (issue 16, item 2): a number, a random verification code, annulment."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eduapp.models.base import Base, utcnow


class Certificate(Base):
    """The certificate of one passing attempt of an exam with ``certificate`` set, issued when the attempt
    finishes. ``number`` (ZS-2026-000123, eduapp.domain.certificates) is set in the transaction that
    inserts the row (it is made of the row's id); ``code`` is the random part of the public verification
    address. An annulled certificate stays, marked with when, by whom and why."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), unique=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    annulled_at: Mapped[datetime | None]
    annulled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    annul_reason: Mapped[str | None] = mapped_column(Text)
