"""免罚清单 (the bureau's published list of violations not penalised under 行政处罚法 §33 ¶1): versioned
like the offset rule sets. A draft is edited in place; saving an active (or retired) version makes a new
version (the same ``code``, ``version`` + 1); activating a version retires the code's earlier active one
from the day before the new one takes effect. A decision not to penalise keeps the version it used."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select

from eduapp.domain import non_penalty as rules
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.extensions import db
from eduapp.models import NonPenaltyList, User, ViolationType
from eduapp.services import audit, versions

IDENTITY = ("name", "doc_number", "authority", "effective_from", "effective_to", "status", "legal_basis")
STATUSES = ("draft", "active", "retired")
ENTRY_FIELDS = ("violation_code", "kind", "lookback_months", "any_type", "conditions")
_ENTRY_PROBLEMS = {
    "kind": N_("Entry %(n)s: the kind is minor (轻微违法不予处罚) or first (首违不罚)."),
    "code": N_("Entry %(n)s: give the violation code."),
    "unknown_code": N_("Entry %(n)s: no such violation code in the catalogue."),
    "duplicate": N_("Entry %(n)s: the code is listed twice with the same kind."),
    "lookback": N_("Entry %(n)s: the look-back is a whole number of months from 1 to 120."),
}


def entry_of(data: dict) -> rules.Entry:
    return rules.Entry(violation_code=str(data.get("violation_code") or "").strip(), kind=data.get("kind") or "",
                       lookback_months=int(data.get("lookback_months") or 24), any_type=bool(data.get("any_type")),
                       conditions=str(data.get("conditions") or "").strip())


def to_domain(row: NonPenaltyList) -> rules.NonPenaltyList:
    return rules.NonPenaltyList(
        code=row.code, version=row.version, name=row.name, doc_number=row.doc_number, authority=row.authority,
        effective_from=row.effective_from, effective_to=row.effective_to, status=row.status,
        entries=tuple(entry_of(e) for e in row.entries or ()), legal_basis=tuple(row.legal_basis or ()),
    )


def check(values: dict) -> list[Problem]:
    """Problems with a list's fields, each naming its field."""
    problems = []
    for name in ("name", "doc_number", "authority"):
        if not str(values.get(name) or "").strip():
            problems.append(Problem(N_("This field is required."), {}, name))
    if values.get("status") not in STATUSES:
        problems.append(Problem(N_("Choose draft, active or retired."), {}, "status"))
    if values.get("effective_from") is None:
        problems.append(Problem(N_("This field is required."), {}, "effective_from"))
    elif values.get("effective_to") and values["effective_to"] < values["effective_from"]:
        problems.append(Problem(N_("The list must end after it starts."), {}, "effective_to"))
    entries = values.get("entries") or []
    if not entries:
        problems.append(Problem(N_("List at least one violation code."), {}, "entries"))
    known = set(db.session.execute(select(ViolationType.code)).scalars())
    for what, position in rules.check_entries(entries, known):
        problems.append(Problem(_ENTRY_PROBLEMS[what], {"n": position}, "entries"))
    return problems


def _row_values(values: dict) -> dict:
    return {**{k: values[k] for k in IDENTITY if k in values},
            "entries": [{k: getattr(e, k) for k in ENTRY_FIELDS} for e in values["entries"]]}


def save(actor: User | None, existing: NonPenaltyList | None, values: dict) -> NonPenaltyList:
    """Create a list, edit a draft in place, or make a new version of an active or retired one.
    ``values["entries"]`` are domain Entry objects."""
    problems = check(values)
    if problems:
        raise InputError(problems)
    row, done = versions.place(NonPenaltyList, actor, existing, _row_values(values), "NPL")
    retired = versions.retire_others(NonPenaltyList, row) if row.status == "active" else []
    audit.record(f"non_penalty_list.{done}", actor=actor, obj_type="non_penalty_list", obj_id=row.id,
                 summary={"code": row.code, "version": row.version, "status": row.status,
                          "doc_number": row.doc_number, "effective_from": row.effective_from.isoformat(),
                          "entries": len(row.entries), "retired": retired})
    db.session.commit()
    return row


def in_force(today: date) -> list[NonPenaltyList]:
    """The published lists: active versions in force today, the latest to take effect first."""
    return list(db.session.execute(
        select(NonPenaltyList).where(NonPenaltyList.status == "active", NonPenaltyList.effective_from <= today,
                                     or_(NonPenaltyList.effective_to.is_(None), NonPenaltyList.effective_to >= today))
        .order_by(NonPenaltyList.effective_from.desc(), NonPenaltyList.version.desc(), NonPenaltyList.id.desc())
    ).scalars())


def for_code(violation_code: str, today: date) -> NonPenaltyList | None:
    """The list in force today that names the code (the latest to take effect), else the latest in force."""
    rows = in_force(today)
    return next((r for r in rows if any(e.get("violation_code") == violation_code for e in r.entries or ())),
                rows[0] if rows else None)


def all_versions() -> list[NonPenaltyList]:
    return list(db.session.execute(
        select(NonPenaltyList).order_by(NonPenaltyList.code, NonPenaltyList.version.desc())).scalars())


def get(list_id: int) -> NonPenaltyList | None:
    return db.session.get(NonPenaltyList, list_id)
