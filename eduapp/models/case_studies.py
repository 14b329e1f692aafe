"""Typical cases (以案释法): case studies made from decided penalty cases (eduapp.domain.case_studies)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.models.base import Base, utcnow


class CaseStudy(Base):
    __tablename__ = "case_studies"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(40), unique=True)  # stable id for import/export, e.g. cs-0001
    title: Mapped[str] = mapped_column(String(200))
    source_case_id: Mapped[int | None] = mapped_column(ForeignKey("penalty_cases.id"), index=True)
    enterprise: Mapped[str] = mapped_column(String(200), default="")  # as the published decision names it (§48)
    facts: Mapped[str] = mapped_column(Text, default="")
    # [{"law": 中华人民共和国…法, "article": 第…条, "role": violated | penalty}], resolved to the law library on show
    articles: Mapped[list] = mapped_column(JSON, default=list)
    decision: Mapped[str] = mapped_column(Text, default="")
    lesson: Mapped[str] = mapped_column(Text, default="")
    question_uids: Mapped[list] = mapped_column(JSON, default=list)  # attached questions, by Question.uid
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)  # draft|in_review|published|retired
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    source_case = relationship("PenaltyCase")
    author = relationship("User", foreign_keys=[author_id])
    reviewer = relationship("User", foreign_keys=[reviewer_id])
