"""Penalty cases, the violation catalogue, versioned offset rule sets, offset applications and
their decisions. Money is integer fen."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduapp.models.base import Base, PublishedVersion, utcnow


class ViolationType(Base):
    """A kind of violation: the statute article that forbids and punishes it, and its fine range."""

    __tablename__ = "violation_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)  # e.g. AIR-99-1
    name: Mapped[str] = mapped_column(String(300))
    law: Mapped[str] = mapped_column(String(100))  # the statute's full title
    article: Mapped[str] = mapped_column(String(32))  # 第九十九条
    clause: Mapped[str | None] = mapped_column(String(32))  # 第（一）项
    fine_min: Mapped[int | None]  # fen; None when the statute sets no minimum
    fine_max: Mapped[int | None]  # fen; None when the fine is not a fixed range (e.g. a multiple)
    fine_note: Mapped[str] = mapped_column(Text, default="")  # how the statute states the fine
    active: Mapped[bool] = mapped_column(default=True)
    # fines set as multiples or per occurrence, one act under several codes (issue 14 items 3, 8)
    fine_method: Mapped[str] = mapped_column(String(16), default="range", server_default="range")
    basis: Mapped[str | None] = mapped_column(String(50))  # the amount a multiple applies to, e.g. 货值金额
    basis_floor: Mapped[int | None] = mapped_column(BigInteger)  # fen: the basis counts as at least this
    multiple_min_percent: Mapped[int | None]  # 100 = 1×
    multiple_max_percent: Mapped[int | None]
    same_act_group: Mapped[str | None] = mapped_column(String(32), index=True)  # 行政处罚法 §29 group
    min_harm: Mapped[str | None] = mapped_column(String(12))  # applies only from this harm level


class PenaltyCase(Base):
    """A case (案件) against an enterprise, from filing (立案) to closing (结案)."""

    __tablename__ = "penalty_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(64), unique=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    violation_type_id: Mapped[int] = mapped_column(ForeignKey("violation_types.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # filed 立案 | investigating 调查 | notified 告知 | decided 决定 | paid 缴纳 | closed 结案 |
    # not_penalised 不予处罚 | transferred 移送
    status: Mapped[str] = mapped_column(String(16), default="filed", index=True)
    harm_level: Mapped[str] = mapped_column(String(12), default="minor")  # none | minor | general | serious
    corrected: Mapped[bool] = mapped_column(default=False)
    discovered_on: Mapped[date | None]
    opened_on: Mapped[date]
    notified_on: Mapped[date | None]
    decided_on: Mapped[date | None]
    paid_on: Mapped[date | None]
    correction_due_on: Mapped[date | None]  # 责令改正期限: the deadline of the order to correct
    closed_on: Mapped[date | None]
    proposed_fine: Mapped[int]  # fen
    final_fine: Mapped[int | None]  # fen, from the decision
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # fines set as multiples or per occurrence (issue 14 item 3)
    fine_basis_fen: Mapped[int | None] = mapped_column(BigInteger)  # the amount the multiple applies to
    occurrences: Mapped[int | None]  # the number of occurrences, for a fine per occurrence
    # service and payment (行政处罚法 §61, §67; 行政强制法 §45)
    served_on: Mapped[date | None]  # 送达日期: the day the party received the decision
    late_fee_notified: Mapped[bool] = mapped_column(default=False, server_default=false())
    # 承办机构: the bureau's unit that handles the case; its role holders review the case's offset
    # application (services.handling_units). None: not known (cases from before 0017 without an officer).
    handling_unit_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)

    violation_type: Mapped[ViolationType] = relationship(lazy="joined")
    enterprise = relationship("Organisation", lazy="joined", foreign_keys=[enterprise_id])
    handling_unit = relationship("Organisation", foreign_keys=[handling_unit_id])


class RuleSet(PublishedVersion, Base):
    """One version of an offset rule set (the published discretion benchmark, 行政处罚法 §34).

    Versions of one rule set share ``code``; an active version never changes: editing it makes a
    new version. ``conditions`` and ``maths`` hold the fields DOMAIN.md lists (see
    eduapp/domain/offsets.py for their meaning)."""

    __tablename__ = "rule_sets"
    __table_args__ = (UniqueConstraint("code", "version"),)

    eligible_codes: Mapped[list] = mapped_column(JSON)
    excluded_codes: Mapped[list] = mapped_column(JSON)
    conditions: Mapped[dict] = mapped_column(JSON)
    maths: Mapped[dict] = mapped_column(JSON)
    procedure: Mapped[dict] = mapped_column(JSON)  # step deadlines in days
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OffsetApplication(Base):
    """An enterprise's application to offset part of a case's fine with its pool's points."""

    __tablename__ = "offset_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("penalty_cases.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("rule_sets.id"))
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # pending_officer | pending_reviewer | pending_approver | approved | rejected | withdrawn | case_closed
    # (expired: only applications that lapsed before a late step stopped voiding them)
    status: Mapped[str] = mapped_column(String(20), index=True)
    evaluation: Mapped[dict] = mapped_column(JSON)  # the eligibility result it was judged by
    points: Mapped[int]
    offset_fen: Mapped[int]
    fine_before: Mapped[int]
    fine_after: Mapped[int]
    reservation_id: Mapped[int | None] = mapped_column(ForeignKey("points_reservations.id"))
    step_deadline: Mapped[datetime | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # offset legality: re-evaluations while pending, the undertaking accepted, why it ended without a decision
    reevaluations: Mapped[list | None] = mapped_column(JSON)  # [{at, source, changes, evaluation}], oldest first
    undertaking_text: Mapped[str | None] = mapped_column(Text)  # the 承诺 the enterprise accepted when applying
    undertaken_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(Text)  # case_closed: the case left the open stages

    case: Mapped[PenaltyCase] = relationship(lazy="joined")
    rule_set: Mapped[RuleSet] = relationship(lazy="joined")
    decisions: Mapped[list[OffsetDecision]] = relationship(order_by="OffsetDecision.decided_at", lazy="selectin")


class OffsetDecision(Base):
    """One step's decision: case officer (承办人), legal reviewer (法制审核), approver (负责人)."""

    __tablename__ = "offset_decisions"
    __table_args__ = (UniqueConstraint("application_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("offset_applications.id"), index=True)
    step: Mapped[str] = mapped_column(String(12))  # officer | reviewer | approver
    decision: Mapped[str] = mapped_column(String(8))  # approve | reject
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)
    # offset legality: the evaluation of the case as it stood when the step was decided
    evaluation: Mapped[dict | None] = mapped_column(JSON)
