"""The handling unit of a penalty case (承办机构): the bureau's unit that handles it.

A case's handling unit is chosen on the case form, given as ``handling_unit_id`` in the API or named in
the register's 承办机构 column; when not given it is the case officer's own unit (else the unit of the
account that saves the case). The offset-review reminders of the case go to the holders of the step's
role in that unit, or in its nearest parent unit that has one (domain.reminders.handling_unit_recipients);
a case without one (older cases whose officer was not known) keeps reaching every holder bureau-wide."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select

from eduapp.domain.problems import N_, Problem
from eduapp.extensions import db
from eduapp.models import GOVERNMENT, Organisation, User, UserRole
from eduapp.services.org_tree import OrgTree

FIELD = "handling_unit_id"


def units() -> list[tuple[int, str, int]]:
    """(id, name, depth) of the bureau's active units, as a tree (parents first), for the form's choice."""
    tree = OrgTree()
    kinds = dict(db.session.execute(
        select(Organisation.id, Organisation.kind).where(Organisation.active.is_(True))).all())
    roots = [org_id for org_id in tree.children[None] if kinds.get(org_id) == GOVERNMENT]
    return [(org_id, tree.names[org_id], depth) for org_id, depth in tree.walk(roots)
            if kinds.get(org_id) == GOVERNMENT]


def is_unit(org_id: object) -> bool:
    """Whether ``org_id`` is a unit of the bureau (not an enterprise)."""
    org = db.session.get(Organisation, org_id) if isinstance(org_id, int) and not isinstance(org_id, bool) else None
    return org is not None and org.kind == GOVERNMENT


def _unit_of(user_id: int | None) -> int | None:
    user = db.session.get(User, user_id) if user_id else None
    if user is None or user.organisation is None or user.organisation.kind != GOVERNMENT:
        return None
    return user.organisation_id


def settle(values: dict, actor: User | None) -> list[Problem]:
    """Check the case's ``handling_unit_id`` in ``values``, or fill it in when empty: the case
    officer's unit, else the saving account's. Problems name the field."""
    unit_id = values.get(FIELD)
    if unit_id is not None:
        if not is_unit(unit_id):
            return [Problem(N_("No unit of the bureau has the id %(value)s."), {"value": unit_id}, FIELD)]
        return []
    values[FIELD] = _unit_of(values.get("officer_id")) or _unit_of(actor.id if actor is not None else None)
    return []


def by_name(name: str) -> Organisation | None:
    """A unit of the bureau by its exact name."""
    org = db.session.execute(select(Organisation).where(Organisation.name == name.strip())).scalar_one_or_none()
    return org if org is not None and org.kind == GOVERNMENT else None


def from_column(name: str | None, cache: dict, found: list[Problem]) -> int | None:
    """The id of the unit a register row names in its 承办机构 column (None: empty, or a problem added
    to ``found`` naming the column). ``cache`` holds the units looked up for the file."""
    if not name:
        return None
    key = ("unit", name)
    if key not in cache:
        cache[key] = by_name(name)
    if cache[key] is None:
        found.append(Problem(N_("No unit of the bureau is named “%(value)s”."), {"value": name}, "handling_unit"))
        return None
    return cache[key].id


def holders_by_unit(role: str) -> dict[int, list[int]]:
    """Unit id -> the active holders of ``role`` there, in one query."""
    found: dict[int, list[int]] = defaultdict(list)
    for org_id, user_id in db.session.execute(
        select(User.organisation_id, User.id)
        .where(User.active.is_(True), User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
        .order_by(User.id)
    ):
        found[org_id].append(user_id)
    return found


def parents() -> dict[int, int | None]:
    """Every organisation's parent, in one query."""
    return dict(db.session.execute(select(Organisation.id, Organisation.parent_id)).all())


def eligible(holders: dict[int, list[int]], barred: Iterable[int]) -> dict[int, list[int]]:
    barred = set(barred)
    return {org_id: [u for u in users if u not in barred] for org_id, users in holders.items()}
