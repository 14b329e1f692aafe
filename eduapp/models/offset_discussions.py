"""The 集体讨论 (行政处罚法 §57 ¶2) recorded for an offset application that may go below the statutory
minimum (减轻)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from eduapp.models.base import Base, utcnow


class OffsetDiscussion(Base):
    __tablename__ = "offset_discussions"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("offset_applications.id"), unique=True)
    held_on: Mapped[date]
    participants: Mapped[str] = mapped_column(Text)
    conclusion: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
