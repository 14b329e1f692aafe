"""A case's decision deadline (行政处罚法 §60) and its extensions; the case-deadline reminder scan.

The rules are eduapp.domain.case_deadlines; this module loads the extensions, records a new one
(locked, checked, audited on the case's trail, in one transaction), caps a review step's deadline at
the case's, and finds the case officers to warn."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from eduapp.domain import case_deadlines as rules
from eduapp.domain.points import end_of_day
from eduapp.domain.practice import china_day
from eduapp.domain.problems import InputError, Problem
from eduapp.domain.roles import Permission, Role
from eduapp.extensions import db
from eduapp.models import CaseDeadlineExtension, PenaltyCase, User, UserRole, utcnow
from eduapp.services import audit

OBJECT_TYPE = "penalty_case"
KIND = "case_deadline"
EXTEND_PERMISSIONS = (Permission.CASES_HANDLE, Permission.OFFSETS_APPROVE)


@dataclass(frozen=True)
class Deadline:
    """What a page shows of a case's §60 deadline on ``today``."""

    due_on: date
    days_left: int  # 0 on the day itself, negative when overdue
    running: bool  # not yet decided, not penalised or transferred
    extended: bool

    @property
    def overdue(self) -> bool:
        return self.running and self.days_left < 0


def _latest(case_ids: Iterable[int]) -> dict[int, date]:
    ids = sorted(set(case_ids))
    found: dict[int, date] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        found.update(db.session.execute(
            select(CaseDeadlineExtension.case_id, func.max(CaseDeadlineExtension.new_due_on))
            .where(CaseDeadlineExtension.case_id.in_(chunk)).group_by(CaseDeadlineExtension.case_id)
        ).all())
    return found


def deadline_on(case: PenaltyCase, today: date, extended_to: date | None = None, *, load: bool = True) -> Deadline:
    if load and extended_to is None:
        extended_to = _latest([case.id]).get(case.id)
    due = rules.decision_deadline(case.opened_on, () if extended_to is None else (extended_to,))
    return Deadline(due, rules.days_left(due, today), rules.is_running(case.status), extended_to is not None)


def deadlines(cases: Iterable[PenaltyCase], today: date) -> dict[int, Deadline]:
    """Case id -> its deadline, for a page of cases in one query."""
    cases = list(cases)
    latest = _latest(c.id for c in cases)
    return {c.id: deadline_on(c, today, latest.get(c.id), load=False) for c in cases}


def deadline_date(case: PenaltyCase) -> date:
    return deadline_on(case, china_day(utcnow())).due_on


def extensions_of(case: PenaltyCase) -> list[CaseDeadlineExtension]:
    return list(db.session.execute(
        select(CaseDeadlineExtension).where(CaseDeadlineExtension.case_id == case.id)
        .order_by(CaseDeadlineExtension.id)
    ).scalars())


def people_of(extensions: Iterable[CaseDeadlineExtension]) -> dict[int, User]:
    """The approvers and recorders of these extensions, by id."""
    ids = {i for e in extensions for i in (e.approved_by_id, e.recorded_by_id) if i}
    if not ids:
        return {}
    return {u.id: u for u in db.session.execute(select(User).where(User.id.in_(ids))).scalars()}


@dataclass(frozen=True)
class Payment:
    """What the case page and the API say of paying the fine (行政处罚法 §67 ¶3, §72)."""

    served_on: date | None
    due_on: date | None  # 15 days after service, that day included; None without a service date
    service_missing: bool  # a fine was decided but its service date is not recorded
    late_fee_notified: bool
    late_fee_text: str  # the §72 wording, only when the decision told the party of it


def payment_of(case: PenaltyCase) -> Payment:
    has_fine = case.final_fine is not None
    return Payment(
        served_on=case.served_on,
        due_on=rules.payment_due(case.served_on) if case.served_on and has_fine else None,
        service_missing=rules.service_missing(case.status, case.final_fine, case.served_on),
        late_fee_notified=bool(case.late_fee_notified),
        late_fee_text=rules.late_fee_text(bool(case.late_fee_notified)) if has_fine else "",
    )


def approvers() -> list[User]:
    """Active accounts with the approver (负责人) role: who may approve an extension."""
    return list(db.session.execute(
        select(User).where(User.active.is_(True),
                           User.id.in_(select(UserRole.user_id).where(UserRole.role == Role.APPROVER.value)))
        .order_by(User.full_name, User.id)
    ).scalars())


def may_extend(user: User) -> bool:
    return any(user.can(p) for p in EXTEND_PERMISSIONS)


def _is_approver(user_id: int | None) -> bool:
    if not user_id:
        return False
    user = db.session.get(User, user_id)
    return user is not None and user.active and Role.APPROVER in user.roles


def extend(actor: User, case: PenaltyCase, *, new_due_on: date | None, reason: str, approved_by_id: int | None,
           approved_on: date | None, today: date, ip: str | None = None) -> CaseDeadlineExtension:
    """Record an extension the head approved (the caller checked ``may_extend``). Raises InputError
    naming the fields; writes nothing then."""
    locked = db.session.execute(
        select(PenaltyCase).where(PenaltyCase.id == case.id).with_for_update(of=PenaltyCase)
        .execution_options(populate_existing=True)
    ).unique().scalar_one()
    current = deadline_on(locked, today).due_on
    problems = rules.check_extension(
        locked.status, current,
        rules.Extension(new_due_on, reason or "", _is_approver(approved_by_id), approved_on), today)
    if problems:
        db.session.rollback()
        raise InputError(problems)
    extension = CaseDeadlineExtension(
        case_id=locked.id, previous_due_on=current, new_due_on=new_due_on, reason=reason.strip(),
        approved_by_id=approved_by_id, approved_on=approved_on, recorded_by_id=actor.id, recorded_at=utcnow())
    db.session.add(extension)
    locked.updated_at = utcnow()
    db.session.flush()
    approver = db.session.get(User, approved_by_id)
    audit.record("penalty_case.deadline_extend", actor=actor, obj_type=OBJECT_TYPE, obj_id=locked.id, ip=ip,
                 summary={"from": current.isoformat(), "to": new_due_on.isoformat(), "reason": reason.strip(),
                          "approved_by": approver.username, "approved_on": approved_on.isoformat(),
                          "extension": extension.id})
    db.session.commit()
    return extension


def service_changes(case: PenaltyCase, changes: dict, served_on: date | None, late_fee_notified: bool | None,
                    today: date, errors: list[Problem]) -> dict:
    """The service date and the late-fee notice a status move records along with its own ``changes``;
    problems (field ``served_on``) are added to ``errors``."""
    extra: dict = {}
    if served_on is not None:
        extra["served_on"] = served_on
    if late_fee_notified is not None:
        extra["late_fee_notified"] = bool(late_fee_notified)
    if extra:
        status, decided_on = changes.get("status", case.status), changes.get("decided_on", case.decided_on)
        errors.extend(rules.check_service(status, decided_on, extra.get("served_on", case.served_on), today))
    return extra


def cap_step_deadline(case: PenaltyCase, step_deadline: datetime) -> datetime:
    """A review step of an offset application never runs past the end of the case's deadline day."""
    return min(step_deadline, end_of_day(deadline_date(case)))


# --- the reminder -----------------------------------------------------------------------------------------


def scan_case_deadline(now: datetime, leads: tuple[int, ...]) -> Iterator:
    """The case's officer, 15 and 5 days (the leads) before the §60 deadline of a case still running.
    The occasion carries the deadline ("15d:2026-05-31"), so an extension brings new reminders for the
    new date while a scan run twice writes nothing new."""
    from eduapp.domain import reminders as reminder_rules
    from eduapp.services.reminder_due import Due

    today = china_day(now)
    # An extension only moves a deadline later, so a case whose statutory deadline is beyond the longest
    # lead is not due whatever its extensions.
    latest_opening = today + timedelta(days=max(leads) - rules.DECISION_DAYS)
    cases = db.session.execute(
        select(PenaltyCase).where(PenaltyCase.status.in_(tuple(rules.RUNNING)), PenaltyCase.officer_id.is_not(None),
                                  PenaltyCase.opened_on <= latest_opening)
        .order_by(PenaltyCase.id)
    ).unique().scalars().all()
    active = set(db.session.execute(
        select(User.id).where(User.active.is_(True), User.id.in_({c.officer_id for c in cases}))).scalars()) \
        if cases else set()
    found = deadlines(cases, today)
    for case in cases:
        deadline = found[case.id]
        lead = reminder_rules.occasion_before(deadline.days_left, leads)
        if lead is None or case.officer_id not in active:
            continue
        day = deadline.due_on.isoformat()
        params = {"case": case.case_number, "enterprise": case.enterprise.name, "day": day}
        yield Due(OBJECT_TYPE, case.id, case.officer_id, f"{lead}d:{day}", params, f"/cases/{case.id}")
