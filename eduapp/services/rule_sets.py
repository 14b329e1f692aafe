"""Offset rule sets: versioned, one active version per rule set and date.

An active version never changes: saving a change to it makes a new version (the same ``code``,
``version`` + 1), and activating a version retires the earlier active one from the day before the
new one takes effect. An application keeps the version it was judged under.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date

from sqlalchemy import or_, select

from eduapp.domain import offsets, rule_limits
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.extensions import db
from eduapp.models import RuleSet, User
from eduapp.services import audit, versions

IDENTITY = ("name", "doc_number", "authority", "effective_from", "effective_to", "status", "legal_basis",
            "eligible_codes", "excluded_codes")


def to_domain(row: RuleSet) -> offsets.RuleSet:
    known_c = {f.name for f in fields(offsets.Conditions)}
    known_m = {f.name for f in fields(offsets.Maths)}
    conditions = {k: tuple(v) if isinstance(v, list) else v for k, v in (row.conditions or {}).items() if k in known_c}
    maths = {k: v for k, v in (row.maths or {}).items() if k in known_m}
    return offsets.RuleSet(
        code=row.code, version=row.version, name=row.name, doc_number=row.doc_number,
        effective_from=row.effective_from, effective_to=row.effective_to, status=row.status,
        eligible_codes=tuple(row.eligible_codes or ()), excluded_codes=tuple(row.excluded_codes or ()),
        legal_basis=tuple(row.legal_basis or ()), conditions=offsets.Conditions(**conditions),
        maths=rule_limits.effective_maths(offsets.Maths(**maths)),
    )


def check(values: dict) -> list[Problem]:
    """Problems with a rule set's fields, each naming its field."""
    problems = []

    def add(msgid: str, fld: str, **params):
        problems.append(Problem(msgid, params, fld))

    for name in ("name", "doc_number", "authority"):
        if not str(values.get(name) or "").strip():
            add(N_("This field is required."), name)
    if not values.get("eligible_codes"):
        add(N_("List at least one eligible violation code."), "eligible_codes")
    if values.get("effective_to") and values["effective_to"] < values["effective_from"]:
        add(N_("The rule set must end after it starts."), "effective_to")
    c, m = values["conditions"], values["maths"]
    if c.max_harm not in offsets.HARM_ORDER:
        add(N_("Choose the highest harm level allowed."), "max_harm")
    for name, low, high in (("lookback_months", 0, 120), ("cooling_days", 0, 3650), ("study_pass_percent", 0, 100),
                            ("study_within_days", 1, 3650), ("min_staff_share_percent", 0, 100)):
        if not low <= getattr(c, name) <= high:
            add(N_("Give a whole number from %(low)s to %(high)s."), name, low=low, high=high)
    for name, low, high in (("fen_per_point", 1, 1_000_000), ("min_points", 0, 10_000_000)):
        if not low <= getattr(m, name) <= high:
            add(N_("Give a whole number from %(low)s to %(high)s."), name, low=low, high=high)
    for name in ("cap_percent", "cap_per_case_fen", "cap_per_enterprise_year_fen"):
        if getattr(m, name) is not None and getattr(m, name) < 0:
            add(N_("A cap cannot be negative."), name)
    problems.extend(rule_limits.maths_problems(m))  # the cap's bound; 减轻 only on a named provision
    return problems


def _row_values(values: dict) -> dict:
    return {
        **{k: values[k] for k in IDENTITY if k in values},
        "conditions": {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(values["conditions"]).items()},
        "maths": asdict(values["maths"]),
        "procedure": offsets.step_deadlines(values.get("procedure") or {}),
    }


def save(actor: User | None, existing: RuleSet | None, values: dict) -> RuleSet:
    """Create a rule set, edit a draft in place, or make a new version of an active or retired one."""
    problems = check(values)
    if problems:
        raise InputError(problems)
    row, done = versions.place(RuleSet, actor, existing, _row_values(values), "RS")
    if row.status == "active":
        versions.retire_others(RuleSet, row)
    audit.record(f"rule_set.{done}", actor=actor, obj_type="rule_set", obj_id=row.id,
                 summary={"code": row.code, "version": row.version, "status": row.status,
                          "effective_from": row.effective_from.isoformat()})
    db.session.commit()
    return row


def active_for(violation_code: str, today: date) -> RuleSet | None:
    """The active version in force today whose scope includes the code (the latest to take effect)."""
    rows = db.session.execute(
        select(RuleSet).where(RuleSet.status == "active", RuleSet.effective_from <= today,
                              or_(RuleSet.effective_to.is_(None), RuleSet.effective_to >= today))
        .order_by(RuleSet.effective_from.desc(), RuleSet.version.desc())
    ).scalars()
    return next((r for r in rows if violation_code in (r.eligible_codes or ())), None)


def all_versions() -> list[RuleSet]:
    return list(db.session.execute(select(RuleSet).order_by(RuleSet.code, RuleSet.version.desc())).scalars())


def get(rule_set_id: int) -> RuleSet | None:
    return db.session.get(RuleSet, rule_set_id)
