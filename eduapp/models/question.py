"""The question bank: questions with immutable versions, categories, tags."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.models.base import Base, utcnow


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(String(300), unique=True)  # 生态环境法律/大气污染防治法
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)

    parent: Mapped[Category | None] = relationship(remote_side=[id])


class Question(Base):
    """A question's identity and status; what it says lives in its versions.

    Editing makes a new version and moves ``current_version_id``; versions never change, so an
    attempt that showed version 3 keeps showing version 3.
    """

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(64), unique=True)  # stable id, e.g. air-0001
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True, default="draft")
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_versions.id", use_alter=True, name="fk_questions_current_version_id"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # An amendment changed or removed the cited article (changed | removed): out of new papers until an
    # editor reviews it (services.law_amendments.review).
    review_reason: Mapped[str | None] = mapped_column(String(16), index=True)
    review_amendment_id: Mapped[int | None] = mapped_column(ForeignKey("law_amendments.id"))

    category: Mapped[Category | None] = relationship(lazy="joined")
    current: Mapped[QuestionVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True, lazy="joined"
    )
    versions: Mapped[list[QuestionVersion]] = relationship(
        foreign_keys="QuestionVersion.question_id", back_populates="question", order_by="QuestionVersion.number"
    )


class QuestionVersion(Base):
    __tablename__ = "question_versions"
    __table_args__ = (
        UniqueConstraint("question_id", "number"),
        Index("ix_question_versions_law_article", "law", "article"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    number: Mapped[int]
    qtype: Mapped[str] = mapped_column(String(16), index=True)
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON)
    answer: Mapped[object] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text, default="")
    law: Mapped[str | None] = mapped_column(String(100))
    article: Mapped[str | None] = mapped_column(String(32))
    difficulty: Mapped[int] = mapped_column(index=True)
    tags: Mapped[list] = mapped_column(JSON)
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    # Stem, options, explanation, citation and tags in one lower-cased string: substring search
    # works for Chinese, where word-splitting full-text engines do not.
    search_text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Why the version was made when no editor wrote it: {"moved_from": "第二十条", "amendment": 3}
    note: Mapped[dict | None] = mapped_column(JSON)

    question: Mapped[Question] = relationship(foreign_keys=[question_id], back_populates="versions")


class VersionTag(Base):
    """Tags of a version as rows, for filtering the list by tag."""

    __tablename__ = "version_tags"

    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(50), primary_key=True, index=True)
