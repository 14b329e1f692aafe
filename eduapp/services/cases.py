"""Penalty cases and the violation catalogue: load the catalogue, create and edit cases, move them
through their stages, list them within the actor's tenancy. Importing a case register is
eduapp.services.case_register.

The rules (stages, moves, field checks) are eduapp.domain.cases; this module loads, calls them,
persists and writes the audit trail. Each public function that writes owns its transaction
(``commit=False`` lets a caller such as the demo loader compose several)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import Select, false, or_, select

from eduapp.domain import case_deadlines as deadline_rules
from eduapp.domain import cases as rules
from eduapp.domain import fines
from eduapp.domain.case_register import MAX_CASE_NUMBER, MAX_DESCRIPTION, typed_case_number
from eduapp.domain.cases import CaseCheck, CaseFacts, FineRange
from eduapp.domain.catalogue import ViolationRecord, fine_rule, parse_catalogue
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.domain.roles import Permission
from eduapp.domain.typed_input import fold_width
from eduapp.extensions import db
from eduapp.models import ENTERPRISE, AuditRecord, Organisation, PenaltyCase, User, ViolationType, utcnow
from eduapp.services import audit, case_deadlines, handling_units, offset_facts
from eduapp.services.fines import fine_range, same_act_rules
from eduapp.services.prior_cases import PriorCase, prior_cases  # noqa: F401 (re-exported)
from eduapp.services.search import contains

LOCAL = ZoneInfo("Asia/Shanghai")  # case dates are the bureau's calendar days
PACKAGED_CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "violations.yaml"
OBJECT_TYPE = "penalty_case"
# Bureau staff who see every case: case officers, and the legal reviewers and approvers of offsets.
BUREAU_PERMISSIONS = (Permission.CASES_HANDLE, Permission.OFFSETS_REVIEW, Permission.OFFSETS_APPROVE)
CASE_FIELDS = (
    "case_number",
    "enterprise_id",
    "violation_type_id",
    "description",
    "status",
    "harm_level",
    "corrected",
    "correction_due_on",
    "discovered_on",
    "opened_on",
    "notified_on",
    "decided_on",
    "paid_on",
    "closed_on",
    "proposed_fine",
    "final_fine",
    "officer_id",
    "fine_basis_fen",
    "occurrences",
    "served_on",
    "late_fee_notified",
    "handling_unit_id",
)


def local_today() -> date:
    """Today in Asia/Shanghai: a date entered at 01:00 Beijing time is not "in the future"."""
    return utcnow().astimezone(LOCAL).date()


# --- the violation catalogue ---------------------------------------------------------------------------


@dataclass
class CatalogueSummary:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def read_catalogue(path: Path | str | None = None) -> list[ViolationRecord]:
    """The catalogue file's entries (default: the packaged eduapp/data/violations.yaml)."""
    path = Path(path) if path else PACKAGED_CATALOGUE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        raise InputError([Problem(N_("The file is not valid YAML: %(error)s"), {"error": str(err)})])
    records, problems = parse_catalogue(data)
    if problems:
        raise InputError(problems)
    return records


def load_catalogue(
    records: list[ViolationRecord] | None = None, actor: User | None = None, commit: bool = True
) -> CatalogueSummary:
    """Add or update violation types by code, in one transaction. Types the file does not list are
    left alone (cases cite them); retire one with ``active: false``. Running it twice changes nothing."""
    records = read_catalogue() if records is None else records
    summary = CatalogueSummary()
    existing = {vt.code: vt for vt in db.session.execute(select(ViolationType)).scalars()}
    try:
        for record in records:
            vt = existing.get(record.code)
            wanted = record.fields()
            if vt is not None and all(getattr(vt, k) == v for k, v in wanted.items()):
                summary.unchanged.append(record.code)
                continue
            if vt is None:
                vt = ViolationType(code=record.code)
                db.session.add(vt)
                summary.added.append(record.code)
            else:
                summary.updated.append(record.code)
            for key, value in wanted.items():
                setattr(vt, key, value)
        if summary.added or summary.updated:
            db.session.flush()
            audit.record(
                "violation_types.load",
                actor=actor,
                obj_type="violation_type",
                summary={"added": summary.added, "updated": summary.updated, "unchanged": len(summary.unchanged)},
            )
        if commit:
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return summary


def violation_types(active_only: bool = False) -> list[ViolationType]:
    query = select(ViolationType).order_by(ViolationType.code)
    if active_only:
        query = query.where(ViolationType.active.is_(True))
    return list(db.session.execute(query).scalars())


def violation_by_code(code: str) -> ViolationType | None:
    return db.session.execute(select(ViolationType).where(ViolationType.code == code)).scalar_one_or_none()


# --- reading cases within the actor's tenancy -----------------------------------------------------------


def sees_every_case(actor: User) -> bool:
    return any(actor.can(p) for p in BUREAU_PERMISSIONS)


def visible_cases(actor: User) -> Select:
    """Bureau staff see every case; an enterprise contact only its own enterprise's; others none."""
    query = select(PenaltyCase)
    if sees_every_case(actor):
        return query
    if actor.organisation.kind == ENTERPRISE and actor.can(Permission.ROSTER_MANAGE):
        return query.where(PenaltyCase.enterprise_id == actor.organisation_id)
    return query.where(false())


def list_cases(
    actor: User,
    *,
    status: str | None = None,
    enterprise_id: int | None = None,
    violation_type_id: int | None = None,
    q: str = "",
) -> Select:
    """Visible cases, filtered; ``q`` searches the case number and the enterprise's name or code."""
    query = visible_cases(actor).join(Organisation, PenaltyCase.enterprise_id == Organisation.id)
    if status:
        query = query.where(PenaltyCase.status == status)
    if enterprise_id:
        query = query.where(PenaltyCase.enterprise_id == enterprise_id)
    if violation_type_id:
        query = query.where(PenaltyCase.violation_type_id == violation_type_id)
    q = q.strip()
    if q:
        typed = fold_width(q).strip()  # a number or code typed full-width
        query = query.where(or_(contains(PenaltyCase.case_number, q), contains(PenaltyCase.case_number, typed),
                                contains(Organisation.name, q), contains(Organisation.uscc, typed)))
    return query.order_by(PenaltyCase.opened_on.desc(), PenaltyCase.id.desc())


def get_case(actor: User, case_id: int) -> PenaltyCase | None:
    """A case through the tenant-scoped query: another enterprise's case is simply not found."""
    return db.session.execute(visible_cases(actor).where(PenaltyCase.id == case_id)).unique().scalar_one_or_none()


def case_trail(case: PenaltyCase) -> list[AuditRecord]:
    """The audit records about the case, oldest first."""
    return list(
        db.session.execute(
            select(AuditRecord)
            .where(AuditRecord.object_type == OBJECT_TYPE, AuditRecord.object_id == str(case.id))
            .order_by(AuditRecord.id)
        ).scalars()
    )


def case_officers() -> list[User]:
    """Active accounts that may handle cases (for the officer choice)."""
    users = db.session.execute(select(User).where(User.active.is_(True)).order_by(User.full_name)).scalars()
    return [u for u in users if u.can(Permission.CASES_HANDLE)]


# --- writing cases ---------------------------------------------------------------------------------------


def facts_of(values: dict) -> CaseFacts:
    return CaseFacts(
        status=values["status"],
        harm_level=values["harm_level"],
        corrected=bool(values["corrected"]),
        opened_on=values["opened_on"],
        proposed_fine=values["proposed_fine"],
        discovered_on=values.get("discovered_on"),
        notified_on=values.get("notified_on"),
        decided_on=values.get("decided_on"),
        paid_on=values.get("paid_on"),
        closed_on=values.get("closed_on"),
        final_fine=values.get("final_fine"),
        correction_due_on=values.get("correction_due_on"),
    )


def _values(case: PenaltyCase) -> dict:
    return {k: getattr(case, k) for k in CASE_FIELDS}


def _snapshot(values: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}


def case_by_number(number: str) -> PenaltyCase | None:
    return (
        db.session.execute(select(PenaltyCase).where(PenaltyCase.case_number == number)).unique().scalar_one_or_none()
    )


@dataclass
class SaveResult:
    case: PenaltyCase
    warnings: list[Problem]
    changed: bool


def save_case(
    actor: User | None,
    fields: dict,
    existing: PenaltyCase | None = None,
    *,
    ip: str | None = None,
    commit: bool = True,
    today: date | None = None,
    source: str | None = None,
) -> SaveResult:
    """Create a case (status 立案 unless ``fields`` says otherwise) or update one.

    ``fields`` holds any of CASE_FIELDS; what it leaves out keeps its value (a new case: status
    filed, harm minor, not corrected). The form leaves the stage fields out: stages change through
    change_status. Problems name their field; warnings (a fine below the statutory minimum) do not
    stop the save and are returned."""
    values = (
        _values(existing)
        if existing is not None
        else {k: None for k in CASE_FIELDS} | {"status": rules.FILED, "harm_level": "minor", "corrected": False}
    )
    values.update({k: v for k, v in fields.items() if k in CASE_FIELDS})
    values["case_number"] = typed_case_number(values["case_number"])
    values["description"] = (values["description"] or "").strip()
    problems: list[Problem] = []

    number = values["case_number"]
    if not number:
        problems.append(Problem(N_("This field is required."), {}, "case_number"))
    elif len(number) > MAX_CASE_NUMBER:
        problems.append(Problem(N_("At most %(max)s characters."), {"max": MAX_CASE_NUMBER}, "case_number"))
    else:
        other = case_by_number(number)
        if other is not None and other is not existing:
            problems.append(
                Problem(N_("Another case already has the number “%(value)s”."), {"value": number}, "case_number")
            )
    enterprise = db.session.get(Organisation, values["enterprise_id"]) if values["enterprise_id"] else None
    if enterprise is None or enterprise.kind != ENTERPRISE:
        problems.append(Problem(N_("Choose an enterprise."), {}, "enterprise_id"))
    vt = db.session.get(ViolationType, values["violation_type_id"]) if values["violation_type_id"] else None
    if vt is None:
        problems.append(Problem(N_("Choose a violation type."), {}, "violation_type_id"))
    if values["officer_id"]:
        officer = db.session.get(User, values["officer_id"])
        if officer is None or not officer.can(Permission.CASES_HANDLE):
            problems.append(Problem(N_("Not a case officer's account."), {}, "officer_id"))
    if len(values["description"]) > MAX_DESCRIPTION:
        problems.append(Problem(N_("At most %(max)s characters."), {"max": MAX_DESCRIPTION}, "description"))
    problems.extend(handling_units.settle(values, actor))  # 承办机构: given, or the officer's unit
    basis_problems = fines.check_basis(values["fine_basis_fen"], values["occurrences"])
    problems.extend(basis_problems)
    computed = (fine_range(vt, values["fine_basis_fen"], values["occurrences"])
                if vt and not basis_problems else FineRange())
    values["late_fee_notified"] = bool(values["late_fee_notified"])
    check = rules.check_case(facts_of(values), computed, today=today or local_today())
    problems.extend(check.errors)
    if vt is not None and not basis_problems:
        chosen = existing is None or existing.violation_type_id != vt.id  # §29 is warned of when the code is chosen
        check.warnings.extend(fines.case_warnings(fine_rule(vt), same_act_rules(vt), values["fine_basis_fen"],
                                                  values["occurrences"], values["harm_level"], chosen))
    problems.extend(deadline_rules.check_service(values["status"], values["decided_on"], values["served_on"],
                                                 today or local_today()))
    if problems:
        raise InputError(problems)

    before = _snapshot(_values(existing)) if existing is not None else {}
    diff = audit.changes(before, _snapshot(values))
    case = existing or PenaltyCase()
    offset_before = offset_facts.snapshot(case) if existing is not None else None
    if diff or existing is None:
        for key, value in values.items():
            setattr(case, key, value)
        case.updated_at = utcnow()
        db.session.add(case)
        db.session.flush()
        summary: dict = {"changes": diff}
        if check.warnings:
            summary["warnings"] = sorted({p.field for p in check.warnings})
        if source:
            summary["source"] = source
        audit.record(
            "penalty_case.update" if existing is not None else "penalty_case.create",
            actor=actor,
            obj_type=OBJECT_TYPE,
            obj_id=case.id,
            summary=summary,
            ip=ip,
        )
        if offset_before is not None:  # its pending offset application follows the case
            offset_facts.after_case_change(case, offset_before, before.get("status"), actor, source or "case_form")
    if commit:
        db.session.commit()
    return SaveResult(case, check.warnings, bool(diff) or existing is None)


def change_status(
    actor: User | None,
    case: PenaltyCase,
    to: str,
    on: date | None,
    *,
    final_fine: int | None = None,
    comment: str = "",
    ip: str | None = None,
    today: date | None = None,
    served_on: date | None = None,
    late_fee_notified: bool | None = None,
) -> CaseCheck:
    """Move the case to ``to`` (one of the moves the domain allows), recording the date the move
    records, in one audited transaction. Returns the check (its warnings); raises InputError.
    A decision may come with its service date and whether it told the party of the late fee."""
    locked = (
        db.session.execute(
            select(PenaltyCase)
            .where(PenaltyCase.id == case.id)
            .with_for_update(of=PenaltyCase)
            .execution_options(populate_existing=True)
        )
        .unique()
        .scalar_one()
    )
    plan = rules.plan_transition(
        facts_of(_values(locked)),
        to,
        on,
        fine_range(locked.violation_type, locked.fine_basis_fen, locked.occurrences),
        final_fine=final_fine,
        today=today or local_today(),
    )
    comment = (comment or "").strip()
    if len(comment) > 2000:
        plan.check.errors.append(Problem(N_("At most %(max)s characters."), {"max": 2000}, "comment"))
    if not plan.check.errors:
        plan.changes.update(case_deadlines.service_changes(locked, plan.changes, served_on, late_fee_notified,
                                                           today or local_today(), plan.check.errors))
    if plan.check.errors:
        db.session.rollback()
        raise InputError(plan.check.errors)
    before = locked.status
    for key, value in plan.changes.items():
        setattr(locked, key, value)
    locked.updated_at = utcnow()
    summary = {"from": before, "to": to, "on": on.isoformat(), "changes": _snapshot(plan.changes)}
    if comment:
        summary["comment"] = comment
    if plan.check.warnings:
        summary["warnings"] = sorted({p.field for p in plan.check.warnings})
    audit.record("penalty_case.status", actor=actor, obj_type=OBJECT_TYPE, obj_id=locked.id, summary=summary, ip=ip)
    offset_facts.after_case_change(locked, offset_facts.snapshot(locked), before, actor, "case_status")
    db.session.commit()
    return plan.check
