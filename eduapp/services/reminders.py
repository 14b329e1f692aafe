"""Early-warning reminders: the scans that find what is due and write the reminders.

One scan per kind of DOMAIN.md's table. Each finds its due items with a few set-based queries,
then writes (kind, object, recipient, occasion) rows with ``INSERT … ON CONFLICT DO NOTHING`` under
the dedupe constraint: only rows that are new come back, so a scan run twice, or by two beats at
once, creates nothing the second time. For each new reminder it writes the deliveries: the inbox
(delivered by being written) and, where the person has an address and has not opted out, e-mail and
SMS, queued. The caller queues the sends after the commit (``services.reminder_sending``).
``Due``, ``write`` and what the scans elsewhere share are in ``services.reminder_due`` (re-exported here).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, distinct, func, select

from eduapp.domain import case_deadlines as deadline_rules
from eduapp.domain import cases as case_rules
from eduapp.domain import offsets as offset_rules
from eduapp.domain import reminders as rules
from eduapp.domain.points import end_of_day
from eduapp.domain.practice import china_day, day_bounds
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import (
    Attempt,
    OffsetApplication,
    Organisation,
    PenaltyCase,
    PointsAccount,
    PointsLot,
    Training,
    TrainingRegistration,
    User,
    UserRole,
)
from eduapp.models.points import ENTERPRISE_POOL, PERSON
from eduapp.services import handling_units, offset_steps
from eduapp.services.case_deadlines import scan_case_deadline
from eduapp.services.exam_reach import scan_exam_closing
from eduapp.services.reminder_due import STEP_ROLES, Due, ScanResult, write  # noqa: F401 (re-exported)
from eduapp.services.reminder_due import local as _local

ENTERPRISE_LEARNERS = (Role.ENTERPRISE_STAFF.value, Role.ENTERPRISE_CONTACT.value)
OPEN_OFFSETS = tuple(offset_rules.STEP_STATUS.values())
CHUNK = 1000


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def configured_leads() -> dict[str, tuple[int, ...]]:
    return rules.leads(current_app.config.get("REMINDER_LEADS"))


def _yuan(fen: int | None) -> str:
    fen = fen or 0
    return f"{fen // 100:,}" + (f".{fen % 100:02d}" if fen % 100 else "")


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _members(org_ids: Iterable[int], roles: Iterable[str]) -> dict[int, list[int]]:
    """Organisation id -> its active people holding one of ``roles``."""
    found: dict[int, list[int]] = defaultdict(list)
    ids = sorted(set(org_ids))
    for chunk in _chunks(ids):
        rows = db.session.execute(
            select(User.organisation_id, User.id)
            .where(User.organisation_id.in_(chunk), User.active.is_(True),
                   User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(tuple(roles)))))
            .order_by(User.id)
        )
        for org_id, user_id in rows:
            found[org_id].append(user_id)
    return found


def _contacts(enterprise_ids: Iterable[int]) -> dict[int, list[int]]:
    return _members(enterprise_ids, (Role.ENTERPRISE_CONTACT.value,))


# --- the scans ------------------------------------------------------------------------------------------


def scan_points_expiring(now: datetime, leads: tuple[int, ...]) -> Iterator[Due]:
    """Holders of lots expiring in 30 and 7 days: the person, or an enterprise pool's contacts."""
    today = china_day(now)
    horizon = end_of_day(today + timedelta(days=max(leads)))
    rows = db.session.execute(
        select(PointsLot.account_id, PointsLot.expires_at, func.sum(PointsLot.remaining))
        .where(PointsLot.remaining > 0, PointsLot.expires_at > now, PointsLot.expires_at <= horizon)
        .group_by(PointsLot.account_id, PointsLot.expires_at)
    ).all()
    if not rows:
        return
    accounts = {}
    for chunk in _chunks(sorted({r[0] for r in rows})):
        accounts.update({a.id: a for a in db.session.execute(
            select(PointsAccount).where(PointsAccount.id.in_(chunk))).scalars()})
    people = {a.owner_id for a in accounts.values() if a.owner_kind == PERSON}
    pools = {a.owner_id for a in accounts.values() if a.owner_kind == ENTERPRISE_POOL}
    names: dict[tuple[str, int], str] = {}
    active: set[int] = set()
    for chunk in _chunks(sorted(people)):
        for user_id, name, is_active in db.session.execute(
                select(User.id, User.full_name, User.active).where(User.id.in_(chunk))):
            names[(PERSON, user_id)] = name
            if is_active:
                active.add(user_id)
    for chunk in _chunks(sorted(pools)):
        for org_id, name in db.session.execute(select(Organisation.id, Organisation.name)
                                               .where(Organisation.id.in_(chunk))):
            names[(ENTERPRISE_POOL, org_id)] = name
    contacts = _contacts(pools)
    # Lots of one day add up: one reminder per account and expiry day.
    by_day: dict[tuple[int, date], int] = defaultdict(int)
    for account_id, expires_at, remaining in rows:
        by_day[(account_id, china_day(expires_at))] += int(remaining)
    for (account_id, day), remaining in sorted(by_day.items()):
        lead = rules.occasion_before((day - today).days, leads)
        account = accounts.get(account_id)
        if lead is None or account is None:
            continue
        params = {"points": remaining, "owner": names.get((account.owner_kind, account.owner_id), ""),
                  "day": day.isoformat()}
        recipients = ([account.owner_id] if account.owner_kind == PERSON and account.owner_id in active
                      else contacts.get(account.owner_id, []) if account.owner_kind == ENTERPRISE_POOL else [])
        for user_id in recipients:
            yield Due("points_account", account_id, user_id, f"{lead}d:{day.isoformat()}", params, "/points/")


def _step_of(application: OffsetApplication) -> str | None:
    if application.status in OPEN_OFFSETS:
        return next(step for step, status in offset_rules.STEP_STATUS.items() if status == application.status)
    steps = list(offset_rules.STEP_STATUS)
    decided = len(application.decisions)  # a lapsed application stopped at the step after its decisions
    return steps[decided] if decided < len(steps) else None


def scan_offset_review(now: datetime, leads: tuple[int, ...]) -> Iterator[Due]:
    """The reviewers of an application's current step, when its deadline is 2 days off, and when it
    is overdue (the periodic lapse then releases the points: they are told it lapsed)."""
    horizon = now + timedelta(days=max(leads))
    applications = db.session.execute(
        select(OffsetApplication).where(
            (OffsetApplication.status.in_(OPEN_OFFSETS) & (OffsetApplication.step_deadline <= horizon))
            | ((OffsetApplication.status == "expired") & (OffsetApplication.finished_at >= now - timedelta(days=3)))
        ).order_by(OffsetApplication.id)
    ).scalars().all()
    if not applications:
        return
    # The step's role holders by unit: a case's reminders go to those of its handling unit (or of the
    # nearest parent unit with one); a case without a handling unit reaches every holder, as before.
    holders = {step: handling_units.holders_by_unit(role) for step, role in STEP_ROLES.items()}
    parent = handling_units.parents()
    enterprises = dict(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_({a.enterprise_id for a in applications}))).all())
    for application in applications:
        step = _step_of(application)
        if step is None or application.step_deadline is None:
            continue
        left = (application.step_deadline - now).total_seconds() / 86400
        occasion = rules.review_occasion(left, leads)
        if occasion is None or (occasion == "overdue" and application.status in OPEN_OFFSETS):
            continue  # an open step past its deadline escalates as offset_overdue
        barred = {application.applicant_id} | {d.decided_by_id for d in application.decisions}
        officer = application.case.officer_id
        eligible = handling_units.eligible(holders[step], barred)
        everyone = sorted(u for users in eligible.values() for u in users)
        if step == "officer" and officer in everyone:
            people = [officer]  # the case's own officer, when it has one
        else:
            people = rules.handling_unit_recipients(application.case.handling_unit_id, parent, eligible)
            people = everyone if people is None else people
        params = {"case": application.case.case_number, "enterprise": enterprises.get(application.enterprise_id, ""),
                  "step": step, "deadline": _local(application.step_deadline)}
        for user_id in people:
            yield Due("offset_application", application.id, user_id, f"{occasion}:{step}", params,
                      f"/offsets/applications/{application.id}")


def scan_fine_due(now: datetime, leads: tuple[int, ...]) -> Iterator[Due]:
    """The contacts of an enterprise with a decided, unpaid fine: day 10 and 14 after the party received
    the decision, then overdue (§67 ¶3). No service date recorded: no reminder (the due day is unknown)."""
    today = china_day(now)
    cases = db.session.execute(
        select(PenaltyCase).where(PenaltyCase.status == case_rules.DECIDED, PenaltyCase.served_on.is_not(None),
                                  PenaltyCase.paid_on.is_(None),
                                  PenaltyCase.served_on <= today - timedelta(days=min(leads)))
        .order_by(PenaltyCase.id)
    ).scalars().all()
    contacts = _contacts({c.enterprise_id for c in cases})
    for case in cases:
        occasion = rules.fine_occasion(case.served_on, today, leads)
        if occasion is None:
            continue
        params = {"case": case.case_number, "fine": _yuan(case.final_fine if case.final_fine is not None
                                                          else case.proposed_fine),
                  "decided": case.decided_on.isoformat(), "served": case.served_on.isoformat(),
                  "due": deadline_rules.payment_due(case.served_on).isoformat(),
                  "late_fee_notified": bool(case.late_fee_notified)}
        for user_id in contacts.get(case.enterprise_id, []):
            yield Due("penalty_case", case.id, user_id, occasion, params, f"/offsets/cases/{case.id}")


def scan_permit_expiring(now: datetime, leads: tuple[int, ...]) -> Iterator[Due]:
    """Enterprise contacts, 90 and 60 days before the pollutant-discharge permit expires."""
    today = china_day(now)
    enterprises = db.session.execute(
        select(Organisation).where(Organisation.kind == "enterprise", Organisation.active.is_(True),
                                   Organisation.permit_expires_on >= today,
                                   Organisation.permit_expires_on <= today + timedelta(days=max(leads)))
        .order_by(Organisation.id)
    ).scalars().all()
    contacts = _contacts({e.id for e in enterprises})
    for enterprise in enterprises:
        lead = rules.occasion_before((enterprise.permit_expires_on - today).days, leads)
        if lead is None:
            continue
        day = enterprise.permit_expires_on.isoformat()
        params = {"permit": enterprise.permit_number or "", "enterprise": enterprise.name, "day": day}
        for user_id in contacts.get(enterprise.id, []):
            yield Due("organisation", enterprise.id, user_id, f"{lead}d:{day}", params, "/roster/")


def scan_correction_deadline(now: datetime, leads: tuple[int, ...]) -> Iterator[Due]:
    """Enterprise contacts, 3 days before the deadline of an order to correct that is not yet met."""
    today = china_day(now)
    cases = db.session.execute(
        select(PenaltyCase).where(PenaltyCase.corrected.is_(False), PenaltyCase.correction_due_on >= today,
                                  PenaltyCase.correction_due_on <= today + timedelta(days=max(leads)),
                                  PenaltyCase.status.not_in((case_rules.CLOSED, case_rules.NOT_PENALISED,
                                                             case_rules.TRANSFERRED)))
        .order_by(PenaltyCase.id)
    ).scalars().all()
    contacts = _contacts({c.enterprise_id for c in cases})
    for case in cases:
        lead = rules.occasion_before((case.correction_due_on - today).days, leads)
        if lead is None:
            continue
        day = case.correction_due_on.isoformat()
        params = {"case": case.case_number, "day": day}
        for user_id in contacts.get(case.enterprise_id, []):
            yield Due("penalty_case", case.id, user_id, f"{lead}d:{day}", params, f"/offsets/cases/{case.id}")


def _study_counts(roles: tuple[str, ...], kind: str, since: datetime) -> list[tuple[int, str, int, int]]:
    """(organisation id, name, learners, learners who passed an exam since ``since``) per organisation."""
    learners = select(UserRole.user_id).where(UserRole.role.in_(roles))
    passed = select(Attempt.user_id).where(Attempt.passed.is_(True), Attempt.submitted_at >= since)
    total = func.count(User.id)
    passing = func.count(distinct(User.id)).filter(User.id.in_(passed))
    return [tuple(r) for r in db.session.execute(
        select(Organisation.id, Organisation.name, total, passing)
        .join(User, and_(User.organisation_id == Organisation.id, User.active.is_(True), User.id.in_(learners)))
        .where(Organisation.kind == kind, Organisation.active.is_(True))
        .group_by(Organisation.id, Organisation.name).order_by(Organisation.id)
    )]


def scan_study_requirement(now: datetime, leads: tuple[int, ...]) -> Iterator[Due]:
    """Near the end of the year: enterprise contacts (and a unit's heads, its approvers) of an
    organisation where the share of people who passed a law exam this year is below the target."""
    today = china_day(now)
    end = rules.period_end(today)
    lead = rules.occasion_before((end - today).days, leads)
    if lead is None:
        return
    target = int(current_app.config.get("STUDY_TARGET_PERCENT", rules.DEFAULT_STUDY_TARGET_PERCENT))
    since = day_bounds(date(today.year, 1, 1))[0]
    for kind, roles, heads in (("enterprise", ENTERPRISE_LEARNERS, (Role.ENTERPRISE_CONTACT.value,)),
                               ("government", (Role.CIVIL_SERVANT.value,), (Role.APPROVER.value,))):
        short = [(org_id, name, total, passed) for org_id, name, total, passed in _study_counts(roles, kind, since)
                 if rules.below_target(passed, total, target)]
        recipients = _members([s[0] for s in short], heads)
        for org_id, name, total, passed in short:
            params = {"passed": passed, "total": total, "organisation": name, "target": target,
                      "day": end.isoformat()}
            link = "/roster/" if kind == "enterprise" else f"/orgs/{org_id}"
            for user_id in recipients.get(org_id, []):
                yield Due("organisation", org_id, user_id, f"{today.year}:{lead}d", params, link)


def scan_training_upcoming(now: datetime, leads: tuple[int, ...]) -> Iterator[Due]:
    """Registered attendees, the day before a training."""
    today = china_day(now)
    trainings = db.session.execute(
        select(Training).where(Training.held_at > now,
                               Training.held_at < day_bounds(today + timedelta(days=max(leads)))[1])
    ).scalars().all()
    for training in trainings:
        lead = rules.occasion_before((china_day(training.held_at) - today).days, leads)
        if lead is None:
            continue
        params = {"title": training.title, "when": _local(training.held_at)}
        for (user_id,) in db.session.execute(
            select(TrainingRegistration.user_id).join(User, User.id == TrainingRegistration.user_id)
            .where(TrainingRegistration.training_id == training.id, User.active.is_(True))
            .order_by(TrainingRegistration.user_id)
        ):
            yield Due("training", training.id, user_id, f"{lead}d", params, "/points/trainings/upcoming")


SCANS = {
    rules.EXAM_CLOSING: scan_exam_closing,
    rules.POINTS_EXPIRING: scan_points_expiring,
    rules.OFFSET_REVIEW: scan_offset_review,
    rules.OFFSET_OUTCOME: lambda now, leads: iter(()),  # written when a step decides (services.offset_outcome)
    rules.FINE_DUE: scan_fine_due,
    rules.PERMIT_EXPIRING: scan_permit_expiring,
    rules.CORRECTION_DEADLINE: scan_correction_deadline,
    rules.STUDY_REQUIREMENT: scan_study_requirement,
    rules.TRAINING_UPCOMING: scan_training_upcoming,
    rules.OFFSET_OVERDUE: offset_steps.scan_offset_overdue,
    rules.CASE_DEADLINE: scan_case_deadline,
}
assert set(SCANS) == set(rules.KINDS)


# --- running the scans (the reminders are written by services.reminder_due.write) --------------------


def scan(kind: str, now: datetime | None = None) -> ScanResult:
    """Run one kind's scan and commit what it wrote; the caller queues ``result.queued`` afterwards."""
    if kind not in SCANS:
        raise ValueError(f"unknown reminder kind {kind!r}")
    now = _now(now)
    result = write(kind, SCANS[kind](now, configured_leads()[kind]), now)
    db.session.commit()
    return result


def scan_all(now: datetime | None = None) -> list[ScanResult]:
    now = _now(now)
    return [scan(kind, now) for kind in rules.KINDS]
