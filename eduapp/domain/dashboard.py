"""The figures of the bureau's dashboard (services/dashboard.py computes them; docs/dashboard.md says
exactly what each counts). Money in fen, points as whole numbers, percentages with one decimal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from eduapp.domain import periods
from eduapp.domain.trainings import KINDS

ENTERPRISE, GOVERNMENT = "enterprise", "government"  # Organisation.kind


def ratio(part: int, whole: int) -> float | None:
    """A percentage with one decimal, None when there is nothing to divide by."""
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class Scope:
    """Everything (org_id None), or an organisation with the ids it covers (a unit's subtree)."""

    org_id: int | None = None
    name: str = ""
    kind: str | None = None  # government | enterprise
    org_ids: tuple[int, ...] | None = None

    @property
    def is_all(self) -> bool:
        return self.org_id is None

    @property
    def is_enterprise(self) -> bool:
        return self.kind == ENTERPRISE

    @property
    def is_unit(self) -> bool:
        return self.kind == GOVERNMENT


@dataclass
class OrgRow:
    """One organisation (a unit with the units below it): learners and how they took part."""

    org_id: int | None
    name: str
    kind: str
    depth: int = 0
    parent_name: str = ""
    learners: int = 0
    participants: int = 0
    takers: int = 0  # exam results: a candidate's result in one exam
    passed: int = 0

    def add(self, other: OrgRow) -> None:
        self.learners += other.learners
        self.participants += other.participants
        self.takers += other.takers
        self.passed += other.passed

    @property
    def participation(self) -> float | None:
        return ratio(self.participants, self.learners)

    @property
    def pass_rate(self) -> float | None:
        return ratio(self.passed, self.takers)

    @property
    def empty(self) -> bool:
        return not (self.learners or self.participants or self.takers)


@dataclass
class Learners:
    learners: int = 0
    civil_servants: int = 0
    enterprise_staff: int = 0  # staff and contacts
    participants: int = 0
    enterprises_taking_part: int = 0

    @property
    def participation(self) -> float | None:
        return ratio(self.participants, self.learners)


@dataclass(frozen=True)
class ExamRow:
    exam_id: int
    title: str
    is_competition: bool
    takers: int
    passed: int

    @property
    def pass_rate(self) -> float | None:
        return ratio(self.passed, self.takers)


@dataclass
class Exams:
    exams: int = 0  # exams with at least one result in the period
    attempts: int = 0  # finished attempts
    takers: int = 0
    passed: int = 0
    rows: list[ExamRow] = field(default_factory=list)

    @property
    def pass_rate(self) -> float | None:
        return ratio(self.passed, self.takers)


@dataclass(frozen=True)
class TrainingRow:
    training_id: int
    title: str
    held_on: date
    attendees: int
    points: int
    kind: str = KINDS[-1]  # eduapp.domain.trainings.KINDS


@dataclass(frozen=True)
class TrainingKind:
    """The sessions of one kind of training and their attendances (the annual report counts each kind)."""

    sessions: int = 0
    attendance: int = 0


def by_kind(rows: list[TrainingRow]) -> dict[str, TrainingKind]:
    """Sessions and attendances for every kind, in the report's order (kinds without sessions: 0)."""
    return {kind: TrainingKind(sum(1 for r in rows if r.kind == kind),
                               sum(r.attendees for r in rows if r.kind == kind)) for kind in KINDS}


@dataclass
class Trainings:
    sessions: int = 0
    attendance: int = 0  # person-sessions
    attendees: int = 0  # different people
    rows: list[TrainingRow] = field(default_factory=list)

    @property
    def by_kind(self) -> dict[str, TrainingKind]:
        return by_kind(self.rows)


@dataclass
class PointsRow:
    owner_kind: str  # person | enterprise
    issued: int = 0
    spent: int = 0
    expired: int = 0
    reversed: int = 0


@dataclass
class Points:
    issued: int = 0
    spent: int = 0
    expired: int = 0
    reversed: int = 0
    rows: list[PointsRow] = field(default_factory=list)


@dataclass(frozen=True)
class OffsetRow:
    application_id: int
    enterprise: str
    case_number: str
    offset_fen: int
    points: int
    approved_on: date


@dataclass
class Offsets:
    enterprises: int = 0
    applications: int = 0
    total_fen: int = 0
    points: int = 0
    rows: list[OffsetRow] = field(default_factory=list)


@dataclass(frozen=True)
class CaseRow:
    status: str
    cases: int
    fine_fen: int | None  # decided fines, or proposed ones while open; None: no fine (不予处罚, 移送)


@dataclass
class Cases:
    cases: int = 0
    fines_fen: int = 0  # decided (决定书) fines of the period's cases
    proposed_fen: int = 0  # proposed fines of the cases still open
    decided: int = 0  # cases with a penalty decision
    not_penalised: int = 0
    transferred: int = 0
    rows: list[CaseRow] = field(default_factory=list)
    # 不予处罚 (§33): cases decided not to be penalised in the period (by the decision's date, whenever the
    # case was opened, closed since or not), as the bureau's annual report counts them; by ground
    not_penalised_decided: int = 0
    not_penalised_by_ground: dict[str, int] = field(default_factory=dict)


@dataclass
class ReminderRow:
    kind: str
    reminders: int = 0
    sent: dict[str, int] = field(default_factory=dict)  # channel -> deliveries sent
    failed: int = 0  # deliveries failed (any channel)


@dataclass
class Reminders:
    reminders: int = 0
    sent: dict[str, int] = field(default_factory=dict)
    failed: int = 0
    rows: list[ReminderRow] = field(default_factory=list)


@dataclass
class Monthly:
    """The period by month (or by year when it is long): one value per bucket in each series."""

    buckets: list[periods.Bucket]
    attempts: list[int]
    passed: list[int]
    points_issued: list[int]
    cases: list[int]
    reminders: list[int]


@dataclass
class Dashboard:
    period: periods.Period
    scope: Scope
    enterprises: int | None  # active enterprises on the roster (None for a unit: it holds none)
    learners: Learners
    orgs: list[OrgRow]
    exams: Exams
    trainings: Trainings
    points: Points
    offsets: Offsets
    cases: Cases
    reminders: Reminders
    monthly: Monthly
