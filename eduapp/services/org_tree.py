"""The organisation tree, loaded in one query (subtrees without a query per node), and an exam's
audience (roles, organisations with their sub-units, single accounts) as a condition on the active
accounts. Used by the exam statistics, the papers prepared ahead, the exam reminders, the dashboard
and the handling units."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from sqlalchemy import and_, or_, select

from eduapp.domain.digits import is_digits
from eduapp.extensions import db
from eduapp.models import Exam, Organisation, User, UserRole
from eduapp.services import exams


class OrgTree:
    """Every organisation's name and place, loaded in one query (subtrees without a query per node)."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}
        self.parent: dict[int, int | None] = {}
        self.children: dict[int | None, list[int]] = defaultdict(list)
        rows = db.session.execute(
            select(Organisation.id, Organisation.parent_id, Organisation.name).order_by(Organisation.name)
        )
        for org_id, parent_id, name in rows:
            self.names[org_id] = name
            self.parent[org_id] = parent_id
        for org_id, parent_id in self.parent.items():
            # a parent that does not exist makes the unit a root rather than losing it
            self.children[parent_id if parent_id in self.names else None].append(org_id)

    def walk(self, roots: list[int]) -> Iterator[tuple[int, int]]:
        """(organisation id, depth) of ``roots`` and everything below them, parents first."""
        seen: set[int] = set()
        stack = [(org_id, 0) for org_id in reversed(roots)]
        while stack:
            org_id, depth = stack.pop()
            if org_id in seen:  # a cycle in bad data must not loop forever
                continue
            seen.add(org_id)
            yield org_id, depth
            stack.extend((child, depth + 1) for child in reversed(self.children.get(org_id, ())))

    def subtree(self, org_id: int) -> list[int]:
        """The organisation and every unit below it (as services.orgs.subtree_ids)."""
        return [o for o, _ in self.walk([org_id])]

    def roots(self) -> list[int]:
        return list(self.children.get(None, ()))


def audience_condition(exam: Exam, tree: OrgTree):
    """The active accounts the exam is meant for, as a condition on User; None when the exam names no
    audience."""
    roles, org_ids, user_ids = set(), set(), set()
    for entry in exams.audience_entries(exam):
        if entry.kind == "role":
            roles.add(entry.value)
        elif entry.kind == "org" and is_digits(entry.value) and int(entry.value) in tree.names:
            org_ids.update(tree.subtree(int(entry.value)))
        elif entry.kind == "user" and is_digits(entry.value):
            user_ids.add(int(entry.value))
    conditions = []
    if roles:
        conditions.append(User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(sorted(roles)))))
    if org_ids:
        conditions.append(User.organisation_id.in_(sorted(org_ids)))
    if user_ids:
        conditions.append(User.id.in_(sorted(user_ids)))
    return and_(User.active.is_(True), or_(*conditions)) if conditions else None
