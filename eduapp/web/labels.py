"""Names users read for roles and kinds, in their language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eduapp.domain.roles import Role

ROLE_LABELS = {
    Role.ENTERPRISE_STAFF: _l("Enterprise staff"),
    Role.ENTERPRISE_CONTACT: _l("Enterprise contact"),
    Role.CIVIL_SERVANT: _l("Civil servant"),
    Role.QUESTION_EDITOR: _l("Question-bank editor"),
    Role.EXAM_MANAGER: _l("Exam manager"),
    Role.CASE_OFFICER: _l("Case officer"),
    Role.LEGAL_REVIEWER: _l("Legal reviewer"),
    Role.APPROVER: _l("Approver"),
    Role.SYSADMIN: _l("System administrator"),
}

KIND_LABELS = {"enterprise": _l("Enterprise"), "government": _l("Government unit")}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(Role(role), role))
