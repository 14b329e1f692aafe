"""Exams and competitions, their audiences and overrides, attempts with their frozen papers,
practice answers, and API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.models.base import Base, utcnow


class Exam(Base):
    """An exam (or, with ``is_competition``, a knowledge competition with a leaderboard).

    ``sections`` is the blueprint: a list of {title, qtype, count, points, difficulty_min,
    difficulty_max, categories, laws, tags}. Scores are kept in centipoints (1/100 point); the pass
    score and the sections' points are whole points."""

    __tablename__ = "exams"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    is_competition: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)  # draft | published
    open_at: Mapped[datetime]
    close_at: Mapped[datetime] = mapped_column(index=True)
    duration_minutes: Mapped[int]
    attempts_allowed: Mapped[int] = mapped_column(default=1)
    grading_method: Mapped[str] = mapped_column(String(8), default="highest")  # highest | last
    pass_score: Mapped[int]
    shuffle_questions: Mapped[bool] = mapped_column(default=True)
    shuffle_options: Mapped[bool] = mapped_column(default=True)
    navigation: Mapped[str] = mapped_column(String(12), default="free")  # free | sequential
    review_policy: Mapped[str] = mapped_column(String(16), default="after_submit")
    mc_rule: Mapped[str] = mapped_column(String(16), default="partial_half")
    points_on_pass: Mapped[int] = mapped_column(default=0)
    certificate: Mapped[bool] = mapped_column(default=False)
    sections: Mapped[list] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Loaded when used (services.exams.visible_exams loads them for every exam of a list at once): an
    # attempt loads its exam with every request, and rarely needs who may take it.
    audience: Mapped[list[ExamAudience]] = relationship(cascade="all, delete-orphan")
    overrides: Mapped[list[ExamOverride]] = relationship(cascade="all, delete-orphan")


class ExamAudience(Base):
    """Who may take an exam: a role, an organisation (with its sub-units) or a named user."""

    __tablename__ = "exam_audience"

    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # role | org | user
    value: Mapped[str] = mapped_column(String(64), primary_key=True)


class ExamOverride(Base):
    """Extra time or attempts for one candidate."""

    __tablename__ = "exam_overrides"

    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    extra_minutes: Mapped[int] = mapped_column(default=0)
    extra_attempts: Mapped[int] = mapped_column(default=0)


class Attempt(Base):
    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("exam_id", "user_id", "number"),
        Index("ix_attempts_state_deadline", "state", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    number: Mapped[int]
    state: Mapped[str] = mapped_column(String(12), default="in_progress")  # in_progress | finished
    started_at: Mapped[datetime]
    deadline: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    finished_by: Mapped[str | None] = mapped_column(String(12))  # candidate | deadline
    score: Mapped[int | None]  # centipoints
    max_score: Mapped[int]  # centipoints
    passed: Mapped[bool | None]
    points_awarded: Mapped[int] = mapped_column(default=0)
    # Annulled for misconduct in study (作弊): the attempt no longer counts anywhere, its points are
    # reversed, and the enterprise's offset applications fail the "no earlier fraud" check.
    annulled_at: Mapped[datetime | None]
    annulled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    annul_reason: Mapped[str | None] = mapped_column(Text)

    exam: Mapped[Exam] = relationship(lazy="joined")
    items: Mapped[list[AttemptItem]] = relationship(
        order_by="AttemptItem.position", cascade="all, delete-orphan", back_populates="attempt"
    )


class AttemptItem(Base):
    """One question of a frozen paper: the version shown, its place, its option order, the answer."""

    __tablename__ = "attempt_items"
    # Room on each page for an item's answer (PostgreSQL): an autosave then updates its row in place
    # (a HOT update), without touching the table's four indexes.
    __table_args__ = (UniqueConstraint("attempt_id", "position"), {"postgresql_with": {"fillfactor": 70}})

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]  # the order this candidate sees (1-based)
    slot: Mapped[int]  # the place in the blueprint, the same for every candidate (statistics)
    section: Mapped[int]
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"), index=True)
    option_order: Mapped[list] = mapped_column(JSON)
    points: Mapped[int]
    response: Mapped[object | None] = mapped_column(JSON)
    seq: Mapped[int] = mapped_column(default=0)
    saved_at: Mapped[datetime | None]
    flagged: Mapped[bool] = mapped_column(default=False)
    mark: Mapped[int | None]  # centipoints, set when the attempt is finished

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    version = relationship("QuestionVersion", lazy="joined")


class PreparedPaper(Base):
    """A paper drawn for a candidate before the exam opens (services.papers), so that at the opening,
    when thousands start within a minute, a start only copies it into the new attempt. Taken (deleted)
    by the start that uses it; an exam's are dropped when it is saved. ``items`` is a list of
    [slot, section, question_version_id, points, option_order], in the order the candidate sees them."""

    __tablename__ = "prepared_papers"

    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    items: Mapped[list] = mapped_column(JSON)
    prepared_at: Mapped[datetime] = mapped_column(default=utcnow)


class PracticeAnswer(Base):
    """An answer given in practice (or in a finished exam): the wrong-answer book and progress read these."""

    __tablename__ = "practice_answers"
    __table_args__ = (Index("ix_practice_answers_user_question", "user_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"))
    correct: Mapped[bool]
    source: Mapped[str] = mapped_column(String(12), default="practice")  # practice | daily | exam
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """A bearer token of the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
