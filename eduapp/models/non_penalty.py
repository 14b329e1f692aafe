"""不予行政处罚 (行政处罚法 §33): the bureau's published 免罚清单 (versioned like the offset rule sets)
and the case officer's decisions not to penalise a case."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.models.base import Base, PublishedVersion, utcnow
from eduapp.models.cases import PenaltyCase


class NonPenaltyList(PublishedVersion, Base):
    """One version of a 免罚清单 (轻微违法行为不予处罚 and 首违不罚 entries). Versions of one list share
    ``code``; an active version never changes: editing it makes a new version. ``entries`` is a list of
    {violation_code, kind (minor | first), lookback_months, any_type, conditions} (eduapp/domain/non_penalty.py)."""

    __tablename__ = "non_penalty_lists"
    __table_args__ = (UniqueConstraint("code", "version"),)

    entries: Mapped[list] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NonPenaltyDecision(Base):
    """The case officer's decision not to penalise a case (不予行政处罚决定), one per case."""

    __tablename__ = "non_penalty_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("penalty_cases.id"), unique=True)
    ground: Mapped[str] = mapped_column(String(20))  # minor_no_harm | first_violation | no_fault
    reason: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    education: Mapped[str] = mapped_column(Text)  # the education given to the party (§33 ¶3)
    list_id: Mapped[int | None] = mapped_column(ForeignKey("non_penalty_lists.id"))
    assessment: Mapped[dict] = mapped_column(JSON)  # the §33 answer the product showed when deciding
    decided_on: Mapped[date] = mapped_column(index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[PenaltyCase] = relationship(lazy="joined")
    list_version: Mapped[NonPenaltyList | None] = relationship(lazy="joined")
