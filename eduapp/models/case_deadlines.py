"""Extensions of a case's decision deadline (行政处罚法 §60): who approved, who recorded, when, why,
and the new date. Rows are only ever added; the deadline in force is the latest new date."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column

from eduapp.models.base import Base, utcnow


class CaseDeadlineExtension(Base):
    __tablename__ = "case_deadline_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("penalty_cases.id", ondelete="CASCADE"), index=True)
    previous_due_on: Mapped[date]  # the deadline it extended
    new_due_on: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # the head (负责人, approver role)
    approved_on: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
