"""Roles of DOMAIN.md and the permissions each one grants.

One person may hold several roles; what they may do is the union of the roles' permissions.
Enterprise roles belong to enterprise accounts, bureau roles to government accounts.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    ENTERPRISE_STAFF = "enterprise_staff"  # 企业员工
    ENTERPRISE_CONTACT = "enterprise_contact"  # 企业管理员 / 环保负责人
    CIVIL_SERVANT = "civil_servant"  # 公务员 / 执法人员
    QUESTION_EDITOR = "question_editor"  # 题库编辑
    EXAM_MANAGER = "exam_manager"  # 考试管理员
    CASE_OFFICER = "case_officer"  # 承办人
    LEGAL_REVIEWER = "legal_reviewer"  # 法制审核
    APPROVER = "approver"  # 负责人
    SYSADMIN = "sysadmin"  # 系统管理员


class Permission(StrEnum):
    STUDY = "study"  # study, practise, take exams
    ROSTER_MANAGE = "roster.manage"  # manage the staff of one's own enterprise
    ORGS_VIEW = "orgs.view"  # see every enterprise and unit
    ORGS_MANAGE = "orgs.manage"  # create and edit enterprises and units
    USERS_MANAGE = "users.manage"  # create and edit any account, assign roles
    AUDIT_VIEW = "audit.view"
    QUESTIONS_EDIT = "questions.edit"
    EXAMS_MANAGE = "exams.manage"
    CASES_HANDLE = "cases.handle"
    OFFSETS_REVIEW = "offsets.review"
    OFFSETS_APPROVE = "offsets.approve"


ENTERPRISE_ROLES = frozenset({Role.ENTERPRISE_STAFF, Role.ENTERPRISE_CONTACT})
# The roles that study (Permission.STUDY), as stored in user_roles, for queries.
LEARNER_ROLES = (Role.ENTERPRISE_STAFF.value, Role.ENTERPRISE_CONTACT.value, Role.CIVIL_SERVANT.value)
BUREAU_ROLES = frozenset(
    {
        Role.QUESTION_EDITOR,
        Role.EXAM_MANAGER,
        Role.CASE_OFFICER,
        Role.LEGAL_REVIEWER,
        Role.APPROVER,
        Role.SYSADMIN,
    }
)
GOVERNMENT_ROLES = BUREAU_ROLES | {Role.CIVIL_SERVANT}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ENTERPRISE_STAFF: frozenset({Permission.STUDY}),
    Role.ENTERPRISE_CONTACT: frozenset({Permission.STUDY, Permission.ROSTER_MANAGE}),
    Role.CIVIL_SERVANT: frozenset({Permission.STUDY}),
    Role.QUESTION_EDITOR: frozenset({Permission.QUESTIONS_EDIT, Permission.ORGS_VIEW}),
    Role.EXAM_MANAGER: frozenset({Permission.EXAMS_MANAGE, Permission.ORGS_VIEW}),
    Role.CASE_OFFICER: frozenset({Permission.CASES_HANDLE, Permission.ORGS_VIEW}),
    Role.LEGAL_REVIEWER: frozenset({Permission.OFFSETS_REVIEW, Permission.ORGS_VIEW}),
    Role.APPROVER: frozenset({Permission.OFFSETS_APPROVE, Permission.ORGS_VIEW}),
    Role.SYSADMIN: frozenset(
        {Permission.USERS_MANAGE, Permission.ORGS_MANAGE, Permission.ORGS_VIEW, Permission.AUDIT_VIEW}
    ),
}


def permissions_of(roles: Iterable[Role]) -> frozenset[Permission]:
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[Role(role)]
    return frozenset(granted)


def roles_allowed_for(org_kind: str) -> frozenset[Role]:
    """Which roles an account of this kind of organisation may hold."""
    return ENTERPRISE_ROLES if org_kind == "enterprise" else GOVERNMENT_ROLES


def role_conflicts(roles: Iterable[Role], org_kind: str) -> list[Role]:
    """Roles that an account of ``org_kind`` may not hold, in a stable order."""
    allowed = roles_allowed_for(org_kind)
    return sorted((Role(r) for r in roles if Role(r) not in allowed), key=lambda r: r.value)
