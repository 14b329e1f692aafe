"""The bureau's dashboard: for a period (days in China, both ends included) and optionally an
organisation, the figures of the annual report that eduapp knows. docs/dashboard.md says exactly
what each figure counts.

An organisation is a government unit (with every unit below it) or an enterprise. People's figures
(learners, exams, trainings, their points, reminders) count the people of the organisation; cases
and offsets count an enterprise's own cases, or for a unit the cases its officers handle (承办).

Every figure is one set-based query (GROUP BY, or SUM(CASE …) per month) whatever the number of
learners or enterprises; nothing here loads a row per person.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, or_, select, true

from eduapp.domain import cases as case_rules
from eduapp.domain import periods
from eduapp.domain import reminders as reminder_rules
from eduapp.domain.dashboard import (
    CaseRow,
    Cases,
    Dashboard,
    ExamRow,
    Exams,
    Learners,
    Monthly,
    OffsetRow,
    Offsets,
    OrgRow,
    Points,
    PointsRow,
    ReminderRow,
    Reminders,
    Scope,
    TrainingRow,
    Trainings,
)
from eduapp.domain.practice import CHINA
from eduapp.domain.roles import LEARNER_ROLES, Role
from eduapp.extensions import db
from eduapp.models import (
    ENTERPRISE,
    GOVERNMENT,
    Attempt,
    Delivery,
    Exam,
    NonPenaltyDecision,
    OffsetApplication,
    Organisation,
    PenaltyCase,
    PointsAccount,
    PointsEntry,
    PointsReservation,
    PracticeAnswer,
    Reminder,
    Training,
    TrainingAttendance,
    User,
    UserRole,
    utcnow,
)
from eduapp.services.org_tree import OrgTree

ENTERPRISE_LEARNER_ROLES = (Role.ENTERPRISE_STAFF.value, Role.ENTERPRISE_CONTACT.value)
FINISHED, ANNULLED = "finished", "annulled"
OPEN_STAGES = (case_rules.FILED, case_rules.INVESTIGATING, case_rules.NOTIFIED)


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in China time."""
    return datetime.combine(start, time(), CHINA), datetime.combine(end + timedelta(days=1), time(), CHINA)


# --- the organisation --------------------------------------------------------------------------------


def scope_of(org_id: int | None, tree: OrgTree | None = None) -> Scope | None:
    """The scope of an organisation id (None: everything); None when there is no such organisation."""
    if org_id is None:
        return Scope()
    if not 0 < org_id < 2**31:  # ids are 32-bit: a larger number is simply not found (not a database error)
        return None
    org = db.session.get(Organisation, org_id)
    if org is None:
        return None
    ids = (tree or OrgTree()).subtree(org.id) if org.kind == GOVERNMENT else [org.id]
    return Scope(org.id, org.name, org.kind, tuple(ids))


def unit_choices(tree: OrgTree | None = None) -> list[tuple[int, str, int]]:
    """(id, name, depth) of every government unit, as a tree, for the organisation selector."""
    tree = tree or OrgTree()
    units = set(db.session.execute(select(Organisation.id).where(Organisation.kind == GOVERNMENT)).scalars())
    roots = [o for o in tree.roots() if o in units]
    return [(o, tree.names[o], depth) for o, depth in tree.walk(roots) if o in units]


def _people(scope: Scope, user_id_column):
    """Condition: the person is one of the scope's (always true for everything)."""
    if scope.is_all:
        return true()
    return user_id_column.in_(select(User.id).where(User.organisation_id.in_(scope.org_ids)))


def _cases(scope: Scope):
    """Condition on PenaltyCase: the enterprise's own cases, or those a unit's officers handle."""
    if scope.is_all:
        return true()
    if scope.is_enterprise:
        return PenaltyCase.enterprise_id.in_(scope.org_ids)
    return PenaltyCase.officer_id.in_(select(User.id).where(User.organisation_id.in_(scope.org_ids)))


def _accounts(scope: Scope):
    """Condition on PointsAccount: the people's accounts and the enterprises' pools of the scope."""
    if scope.is_all:
        return true()
    people = select(User.id).where(User.organisation_id.in_(scope.org_ids))
    return or_(and_(PointsAccount.owner_kind == "person", PointsAccount.owner_id.in_(people)),
               and_(PointsAccount.owner_kind == "enterprise", PointsAccount.owner_id.in_(scope.org_ids)))


# --- learners and exams --------------------------------------------------------------------------------


def _learner_counts(scope: Scope, low: datetime, high: datetime) -> dict[int, tuple[int, int, int, int]]:
    """Organisation id -> (learners, civil servants, enterprise learners, participants). A learner is
    an active account with a learner role created before the period ends; a participant started an
    exam attempt (not annulled) or answered a practice question in the period.

    Roles and participation are joined as derived tables (one row per person), not tested with
    ``IN (subquery)`` inside CASE: PostgreSQL runs such a subquery once per row when its hash table
    does not fit in work_mem, which at 200,000 learners takes minutes instead of a second."""
    flag = lambda condition: func.max(case((condition, 1), else_=0))  # noqa: E731
    roles = (
        select(UserRole.user_id, flag(UserRole.role == Role.CIVIL_SERVANT.value).label("civil"),
               flag(UserRole.role.in_(ENTERPRISE_LEARNER_ROLES)).label("enterprise"))
        .where(UserRole.role.in_(LEARNER_ROLES)).group_by(UserRole.user_id).subquery("learner_roles")
    )
    took_part = (
        select(Attempt.user_id.label("user_id"))
        .where(Attempt.started_at >= low, Attempt.started_at < high, Attempt.state != ANNULLED,
               _people(scope, Attempt.user_id))
        .union(select(PracticeAnswer.user_id)
               .where(PracticeAnswer.answered_at >= low, PracticeAnswer.answered_at < high,
                      _people(scope, PracticeAnswer.user_id)))
        .subquery("took_part")
    )
    query = (
        select(User.organisation_id, func.count(), func.sum(roles.c.civil), func.sum(roles.c.enterprise),
               func.sum(case((took_part.c.user_id.is_not(None), 1), else_=0)))
        .join(roles, roles.c.user_id == User.id)
        .outerjoin(took_part, took_part.c.user_id == User.id)
        .where(User.active.is_(True), User.created_at < high)
        .group_by(User.organisation_id)
    )
    if not scope.is_all:
        query = query.where(User.organisation_id.in_(scope.org_ids))
    return {org: (int(n), int(c or 0), int(e or 0), int(p or 0)) for org, n, c, e, p in db.session.execute(query)}


def _results(scope: Scope, low: datetime, high: datetime):
    """Each candidate's result in each exam from their finished attempts submitted in the period:
    the attempt that counts under the exam's grading method (highest score, or the last one), as
    ROW_NUMBER() per (exam, candidate). A subquery of (exam_id, user_id, passed)."""
    score = func.coalesce(Attempt.score, 0)
    ranked = (
        select(Attempt.exam_id, Attempt.user_id, Attempt.passed,
               func.row_number().over(
                   partition_by=(Attempt.exam_id, Attempt.user_id),
                   order_by=(case((Exam.grading_method == "last", Attempt.submitted_at), else_=None).desc(),
                             score.desc(), Attempt.submitted_at.asc(), Attempt.id.asc()),
               ).label("rn"))
        .join(Exam, Exam.id == Attempt.exam_id)
        .where(Attempt.state == FINISHED, Attempt.submitted_at >= low, Attempt.submitted_at < high,
               _people(scope, Attempt.user_id))
        .subquery("ranked_results")
    )
    return (select(ranked.c.exam_id, ranked.c.user_id, ranked.c.passed).where(ranked.c.rn == 1)
            .subquery("results"))


def _passed(column):
    return func.sum(case((column.is_(True), 1), else_=0))


def _exams(results, attempts: list[int]) -> tuple[Exams, dict[int, tuple[int, int]]]:
    """The results by exam and by organisation, from one GROUP BY (exam, organisation)."""
    by_exam: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    by_org: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for exam_id, org_id, takers, passed in db.session.execute(
        select(results.c.exam_id, User.organisation_id, func.count(), _passed(results.c.passed))
        .join(User, User.id == results.c.user_id)
        .group_by(results.c.exam_id, User.organisation_id)
    ):
        for cell in (by_exam[exam_id], by_org[org_id]):
            cell[0] += int(takers)
            cell[1] += int(passed or 0)
    out = Exams(attempts=sum(attempts))
    if by_exam:
        for exam_id, title, competition in db.session.execute(
            select(Exam.id, Exam.title, Exam.is_competition).where(Exam.id.in_(list(by_exam)))
        ):
            takers, passed = by_exam[exam_id]
            out.rows.append(ExamRow(exam_id, title, bool(competition), takers, passed))
    out.rows.sort(key=lambda r: (-r.takers, r.title, r.exam_id))
    out.exams = len(out.rows)
    out.takers = sum(r.takers for r in out.rows)
    out.passed = sum(r.passed for r in out.rows)
    return out, {org: (n, p) for org, (n, p) in by_org.items()}


def _org_rows(scope: Scope, tree: OrgTree, learners: dict, results: dict) -> list[OrgRow]:
    """Units as a tree (each row sums the units below it), then enterprises by number of learners."""
    kinds = dict(db.session.execute(select(Organisation.id, Organisation.kind)).all())
    direct: dict[int, OrgRow] = {}
    for org_id in set(learners) | set(results):
        row = direct[org_id] = OrgRow(org_id, tree.names.get(org_id, "—"), kinds.get(org_id, ""))
        row.learners, row.participants = learners.get(org_id, (0, 0, 0, 0))[0], learners.get(org_id, (0, 0, 0, 0))[3]
        row.takers, row.passed = results.get(org_id, (0, 0))
    if scope.is_enterprise:
        return [direct.get(scope.org_id) or OrgRow(scope.org_id, scope.name, ENTERPRISE)]
    roots = [scope.org_id] if scope.is_unit else [o for o in tree.roots() if kinds.get(o) == GOVERNMENT]
    order = list(tree.walk(roots))
    rows = {o: OrgRow(o, tree.names[o], GOVERNMENT, depth, tree.names.get(tree.parent.get(o), "") if depth else "")
            for o, depth in order}
    for org_id, _depth in reversed(order):  # children before their parents
        if org_id in direct:
            rows[org_id].add(direct[org_id])
        parent = tree.parent.get(org_id)
        if parent in rows and rows[org_id].depth > 0:
            rows[parent].add(rows[org_id])
    units = [rows[o] for o, _ in order if not rows[o].empty]
    enterprises = sorted((r for r in direct.values() if r.kind == ENTERPRISE and not r.empty),
                         key=lambda r: (-r.learners, -r.takers, r.name)) if scope.is_all else []
    return units + enterprises


# --- trainings, points, offsets, cases, reminders ------------------------------------------------------


def _trainings(scope: Scope, low: datetime, high: datetime) -> Trainings:
    attendance = (
        select(TrainingAttendance.training_id, func.count().label("n"))
        .where(_people(scope, TrainingAttendance.user_id))
        .group_by(TrainingAttendance.training_id).subquery("attendance")
    )
    count = func.coalesce(attendance.c.n, 0)
    query = (select(Training.id, Training.title, Training.held_at, Training.points, count, Training.kind)
             .outerjoin(attendance, attendance.c.training_id == Training.id)
             .where(Training.held_at >= low, Training.held_at < high)
             .order_by(Training.held_at, Training.id))
    if not scope.is_all:
        query = query.where(count > 0)
    out = Trainings()
    for training_id, title, held_at, points, n, kind in db.session.execute(query):
        out.rows.append(TrainingRow(training_id, title, held_at.astimezone(CHINA).date(), int(n), points, kind))
    out.sessions = len(out.rows)
    out.attendance = sum(r.attendees for r in out.rows)
    out.attendees = db.session.execute(
        select(func.count(func.distinct(TrainingAttendance.user_id)))
        .join(Training, Training.id == TrainingAttendance.training_id)
        .where(Training.held_at >= low, Training.held_at < high, _people(scope, TrainingAttendance.user_id))
    ).scalar_one()
    return out


def _issued(entry=PointsEntry):
    return or_(entry.kind == "award", and_(entry.kind == "adjust", entry.amount > 0))


def _points(scope: Scope, low: datetime, high: datetime, edges: list[tuple]) -> tuple[Points, list[int]]:
    """Issued: awards and positive adjustments; spent: reservations posted (offsets approved);
    expired: expiry write-offs; reversed: reversals (an annulled attempt's points). Also the points
    issued in each of ``edges`` (the months), from the same pass over the ledger."""
    rows: dict[str, PointsRow] = {kind: PointsRow(kind) for kind in ("person", "enterprise")}
    amount = PointsEntry.amount
    monthly = [0] * len(edges)
    for kind, expired, reversed_, *issued in db.session.execute(
        select(PointsAccount.owner_kind,
               func.sum(case((PointsEntry.kind == "expire", -amount), else_=0)),
               func.sum(case((PointsEntry.kind == "reverse", -amount), else_=0)),
               *_per_bucket(PointsEntry.created_at, case((_issued(), amount), else_=0), edges))
        .join(PointsAccount, PointsAccount.id == PointsEntry.account_id)
        .where(PointsEntry.created_at >= low, PointsEntry.created_at < high,
               PointsEntry.kind.in_(("award", "adjust", "expire", "reverse")), _accounts(scope))
        .group_by(PointsAccount.owner_kind)
    ):
        row = rows.setdefault(kind, PointsRow(kind))
        issued = [int(v or 0) for v in issued]
        row.issued, row.expired, row.reversed = sum(issued), int(expired or 0), int(reversed_ or 0)
        monthly = [a + b for a, b in zip(monthly, issued, strict=True)]
    for kind, spent in db.session.execute(
        select(PointsAccount.owner_kind, func.sum(PointsReservation.amount))
        .join(PointsAccount, PointsAccount.id == PointsReservation.account_id)
        .where(PointsReservation.state == "posted", PointsReservation.settled_at >= low,
               PointsReservation.settled_at < high, _accounts(scope))
        .group_by(PointsAccount.owner_kind)
    ):
        rows.setdefault(kind, PointsRow(kind)).spent = int(spent or 0)
    out = Points(rows=list(rows.values()))
    for row in out.rows:
        out.issued += row.issued
        out.spent += row.spent
        out.expired += row.expired
        out.reversed += row.reversed
    return out, monthly


def _offsets(scope: Scope, low: datetime, high: datetime) -> Offsets:
    out = Offsets()
    enterprises = set()
    for app_id, enterprise_id, name, number, fen, points, finished in db.session.execute(
        select(OffsetApplication.id, OffsetApplication.enterprise_id, Organisation.name, PenaltyCase.case_number,
               OffsetApplication.offset_fen, OffsetApplication.points, OffsetApplication.finished_at)
        .join(PenaltyCase, PenaltyCase.id == OffsetApplication.case_id)
        .join(Organisation, Organisation.id == OffsetApplication.enterprise_id)
        .where(OffsetApplication.status == "approved", OffsetApplication.finished_at >= low,
               OffsetApplication.finished_at < high, _cases(scope))
        .order_by(OffsetApplication.finished_at, OffsetApplication.id)
    ):
        enterprises.add(enterprise_id)
        out.rows.append(OffsetRow(app_id, name, number, fen, points, finished.astimezone(CHINA).date()))
        out.total_fen += fen
        out.points += points
    out.applications = len(out.rows)
    out.enterprises = len(enterprises)
    return out


def _cases_figures(scope: Scope, start: date, end: date) -> Cases:
    """The cases opened (立案) in the period, by their stage now."""
    out = Cases()
    found = {}
    for status, n, proposed, final in db.session.execute(
        select(PenaltyCase.status, func.count(), func.sum(PenaltyCase.proposed_fine),
               func.sum(func.coalesce(PenaltyCase.final_fine, 0)))
        .where(PenaltyCase.opened_on >= start, PenaltyCase.opened_on <= end, _cases(scope))
        .group_by(PenaltyCase.status)
    ):
        found[status] = (int(n), int(proposed or 0), int(final or 0))
    for status in (*case_rules.STATUSES, *sorted(set(found) - set(case_rules.STATUSES))):
        n, proposed, final = found.get(status, (0, 0, 0))
        out.cases += n
        if status in OPEN_STAGES:
            fine: int | None = proposed
            out.proposed_fen += proposed
        elif status in (case_rules.NOT_PENALISED, case_rules.TRANSFERRED):
            fine = None
        else:  # decided, paid, closed: the decided fine (a case closed without a penalty has none)
            fine = final
            out.fines_fen += final
        if status == case_rules.NOT_PENALISED:
            out.not_penalised = n
        if status == case_rules.TRANSFERRED:
            out.transferred = n
        out.rows.append(CaseRow(status, n, fine))
    out.decided = db.session.execute(
        select(func.count()).select_from(PenaltyCase)
        .where(PenaltyCase.opened_on >= start, PenaltyCase.opened_on <= end, PenaltyCase.final_fine.is_not(None),
               _cases(scope))
    ).scalar_one()
    out.not_penalised_by_ground = _not_penalised_decided(scope, start, end)
    out.not_penalised_decided = sum(out.not_penalised_by_ground.values())
    return out


def _not_penalised_decided(scope: Scope, start: date, end: date) -> dict[str, int]:
    """Cases decided not to be penalised in the period, by ground: the officer's decisions (their date),
    and cases at not_penalised without a decision record (e.g. imported from a register; their decision
    date) as "unrecorded"."""
    found = {ground: int(n) for ground, n in db.session.execute(
        select(NonPenaltyDecision.ground, func.count()).join(PenaltyCase, PenaltyCase.id == NonPenaltyDecision.case_id)
        .where(NonPenaltyDecision.decided_on >= start, NonPenaltyDecision.decided_on <= end, _cases(scope))
        .group_by(NonPenaltyDecision.ground))}
    unrecorded = db.session.execute(
        select(func.count()).select_from(PenaltyCase)
        .where(PenaltyCase.status == case_rules.NOT_PENALISED, PenaltyCase.decided_on >= start,
               PenaltyCase.decided_on <= end, _cases(scope),
               PenaltyCase.id.not_in(select(NonPenaltyDecision.case_id)))
    ).scalar_one()
    if unrecorded:
        found["unrecorded"] = int(unrecorded)
    return found


def _reminders(scope: Scope, low: datetime, high: datetime) -> Reminders:
    """The reminders written in the period, by kind, and their deliveries by channel and status."""
    rows = {kind: ReminderRow(kind) for kind in reminder_rules.KINDS}
    in_period = (Reminder.created_at >= low, Reminder.created_at < high, _people(scope, Reminder.recipient_id))
    for kind, n in db.session.execute(
        select(Reminder.kind, func.count()).where(*in_period).group_by(Reminder.kind)
    ):
        rows.setdefault(kind, ReminderRow(kind)).reminders = int(n)
    for kind, channel, status, n in db.session.execute(
        select(Reminder.kind, Delivery.channel, Delivery.status, func.count())
        .join(Reminder, Reminder.id == Delivery.reminder_id).where(*in_period)
        .group_by(Reminder.kind, Delivery.channel, Delivery.status)
    ):
        row = rows.setdefault(kind, ReminderRow(kind))
        if status == reminder_rules.SENT:
            row.sent[channel] = row.sent.get(channel, 0) + int(n)
        elif status == reminder_rules.FAILED:
            row.failed += int(n)
    out = Reminders(rows=list(rows.values()))
    sent: dict[str, int] = defaultdict(int)
    for row in out.rows:
        out.reminders += row.reminders
        out.failed += row.failed
        for channel, n in row.sent.items():
            sent[channel] += n
    out.sent = {channel: sent.get(channel, 0) for channel in (*reminder_rules.CHANNELS, *sorted(set(sent) - set(
        reminder_rules.CHANNELS)))}
    return out


# --- by month ------------------------------------------------------------------------------------------


def _per_bucket(column, value, edges: list[tuple]) -> list:
    """SUM(value) for each [low, high) of ``edges`` (UTC datetimes or dates), as columns of one query."""
    return [func.sum(case((and_(column >= low, column < high), value), else_=0)) for low, high in edges]


def _sums(column, values: list, edges: list[tuple], *where) -> list[list[int]]:
    """One query: for each of ``values``, its sum in each of ``edges``."""
    if not edges:
        return [[] for _ in values]
    columns = [c for value in values for c in _per_bucket(column, value, edges)]
    row = db.session.execute(select(*columns).where(column >= edges[0][0], column < edges[-1][1], *where)).one()
    row = [int(v or 0) for v in row]
    return [row[i * len(edges):(i + 1) * len(edges)] for i in range(len(values))]


# --- everything ----------------------------------------------------------------------------------------


def _enterprises(scope: Scope) -> int | None:
    if scope.is_unit:
        return None
    if scope.is_enterprise:
        return 1
    return db.session.execute(
        select(func.count()).select_from(Organisation)
        .where(Organisation.kind == ENTERPRISE, Organisation.active.is_(True))
    ).scalar_one()


def build(period: periods.Period, scope: Scope | None = None, tree: OrgTree | None = None,
          now: datetime | None = None) -> Dashboard:
    """The figures of ``period``; trainings count only once they have started (before ``now``): a
    training learners are registering for has not been held yet."""
    scope = scope or Scope()
    tree = tree or OrgTree()
    low, high = bounds(period.start, period.end)
    buckets = periods.buckets(period)
    instants = [bounds(b.start, b.end) for b in buckets]
    days = [(b.start, b.end + timedelta(days=1)) for b in buckets]

    counts = _learner_counts(scope, low, high)
    learners = Learners()
    for n, civil, enterprise, participants in counts.values():
        learners.learners += n
        learners.civil_servants += civil
        learners.enterprise_staff += enterprise
        learners.participants += participants
    attempts, passed = _sums(Attempt.submitted_at, [1, case((Attempt.passed.is_(True), 1), else_=0)], instants,
                             Attempt.state == FINISHED, _people(scope, Attempt.user_id))
    exams, results_by_org = _exams(_results(scope, low, high), attempts)
    orgs = _org_rows(scope, tree, counts, results_by_org)
    learners.enterprises_taking_part = (
        len({r.org_id for r in orgs if r.kind == ENTERPRISE and r.participants}) if not scope.is_unit else 0
    )
    points, points_issued = _points(scope, low, high, instants)
    (cases_by_month,) = _sums(PenaltyCase.opened_on, [1], days, _cases(scope))
    (reminders_by_month,) = _sums(Reminder.created_at, [1], instants, _people(scope, Reminder.recipient_id))
    return Dashboard(
        period=period,
        scope=scope,
        enterprises=_enterprises(scope),
        learners=learners,
        orgs=orgs,
        exams=exams,
        trainings=_trainings(scope, low, min(high, now or utcnow())),
        points=points,
        offsets=_offsets(scope, low, high),
        cases=_cases_figures(scope, period.start, period.end),
        reminders=_reminders(scope, low, high),
        monthly=Monthly(buckets, attempts, passed, points_issued, cases_by_month, reminders_by_month),
    )
