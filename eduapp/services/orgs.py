"""Enterprises and government units."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from eduapp.domain import uscc
from eduapp.domain.enterprises import EnterpriseRecord
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.extensions import db
from eduapp.models import ENTERPRISE, GOVERNMENT, Organisation, User
from eduapp.services import audit

ENTERPRISE_FIELDS = (
    "name",
    "uscc",
    "legal_representative",
    "env_manager",
    "industry",
    "district",
    "permit_number",
    "permit_expires_on",
)


def by_name(name: str) -> Organisation | None:
    return db.session.execute(select(Organisation).where(Organisation.name == name)).scalar_one_or_none()


def by_uscc(code: str) -> Organisation | None:
    return db.session.execute(select(Organisation).where(Organisation.uscc == code)).scalar_one_or_none()


def find(name_or_uscc: str) -> Organisation | None:
    """An organisation by its exact name or its unified social credit code."""
    org = by_name(name_or_uscc.strip())
    if org is None and uscc.is_valid(name_or_uscc):
        org = by_uscc(uscc.normalise(name_or_uscc))
    return org


def _snapshot(org: Organisation) -> dict:
    data = {k: getattr(org, k) for k in ENTERPRISE_FIELDS}
    data["permit_expires_on"] = org.permit_expires_on.isoformat() if org.permit_expires_on else None
    return data


def _check_unique(fields: dict, existing: Organisation | None) -> list[Problem]:
    problems = []
    other = by_name(fields["name"])
    if other is not None and other is not existing:
        problems.append(
            Problem(N_("Another organisation is already called “%(value)s”."), {"value": fields["name"]}, "name")
        )
    if fields.get("uscc"):
        other = by_uscc(fields["uscc"])
        if other is not None and other is not existing:
            problems.append(
                Problem(
                    N_("The code %(value)s is already registered to %(org)s."),
                    {"value": fields["uscc"], "org": other.name},
                    "uscc",
                )
            )
    return problems


def save_enterprise(
    actor: User | None, fields: dict, existing: Organisation | None = None, ip: str | None = None, commit: bool = True
) -> Organisation:
    """Create an enterprise or update one; ``fields`` holds ENTERPRISE_FIELDS, the code already validated."""
    problems = _check_unique(fields, existing)
    if problems:
        raise InputError(problems)
    org = existing or Organisation(kind=ENTERPRISE)
    before = _snapshot(org) if existing else {}
    for key in ENTERPRISE_FIELDS:
        setattr(org, key, fields.get(key) or None)
    db.session.add(org)
    db.session.flush()
    diff = audit.changes(before, _snapshot(org))
    if diff:
        audit.record(
            "organisation.update" if existing else "organisation.create",
            actor=actor,
            obj_type="organisation",
            obj_id=org.id,
            summary=diff,
            ip=ip,
        )
    if commit:
        db.session.commit()
    return org


def save_unit(
    actor: User | None,
    name: str,
    parent: Organisation | None,
    existing: Organisation | None = None,
    ip: str | None = None,
    commit: bool = True,
) -> Organisation:
    name = name.strip()
    problems = _check_unique({"name": name}, existing)
    if not name:
        problems.append(Problem(N_("This field is required."), {}, "name"))
    if parent is not None and parent.kind != GOVERNMENT:
        problems.append(Problem(N_("A unit can only sit under another government unit."), {}, "parent_id"))
    if existing is not None and parent is not None:
        node = parent
        while node is not None:
            if node.id == existing.id:
                problems.append(
                    Problem(N_("A unit cannot sit under itself or one of its own sub-units."), {}, "parent_id")
                )
                break
            node = node.parent
    if problems:
        raise InputError(problems)
    org = existing or Organisation(kind=GOVERNMENT)
    before = {"name": org.name, "parent": org.parent.name if org.parent else None} if existing else {}
    org.name = name
    org.parent = parent
    db.session.add(org)
    db.session.flush()
    after = {"name": org.name, "parent": parent.name if parent else None}
    diff = audit.changes(before, after)
    if diff:
        audit.record(
            "organisation.update" if existing else "organisation.create",
            actor=actor,
            obj_type="organisation",
            obj_id=org.id,
            summary=diff,
            ip=ip,
        )
    if commit:
        db.session.commit()
    return org


def subtree_ids(org: Organisation) -> list[int]:
    """The unit and every unit below it (for reports per unit including sub-units)."""
    ids, stack = [], [org]
    while stack:
        node = stack.pop()
        ids.append(node.id)
        stack.extend(node.children)
    return ids


@dataclass
class ImportSummary:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def import_enterprises(actor: User | None, records: list[EnterpriseRecord]) -> ImportSummary:
    """Upsert by credit code, in one transaction: any clash names its row and nothing is written."""
    summary = ImportSummary()
    try:
        for record in records:
            existing = by_uscc(record.uscc)
            fields = record.fields()
            if existing is not None and all(getattr(existing, k) == (fields[k] or None) for k in ENTERPRISE_FIELDS):
                summary.unchanged.append(record.name)
                continue
            try:
                save_enterprise(actor, fields, existing, commit=False)
            except InputError as err:
                raise InputError([Problem(p.msgid, p.params, p.field, record.row) for p in err.problems])
            (summary.updated if existing else summary.added).append(record.name)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return summary


DEFAULT_BUREAU_NAME = "生态环境局"


def default_bureau() -> Organisation:
    """The top government unit; on an empty database one is created so the first admin has a home."""
    root = db.session.execute(
        select(Organisation)
        .where(Organisation.kind == GOVERNMENT, Organisation.parent_id.is_(None))
        .order_by(Organisation.id)
        .limit(1)
    ).scalar_one_or_none()
    return root or save_unit(None, DEFAULT_BUREAU_NAME, None)
