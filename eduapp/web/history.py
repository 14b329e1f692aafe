"""History sentences (eduapp.domain.history) in the reader's language, for the case page and the
administrators' audit log. Only those who may read the audit trail (audit.view: the system
administrator) get the raw record behind a “详情” toggle."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from flask_login import current_user

from eduapp.domain.history_text import Many, Msg
from eduapp.domain.roles import Permission
from eduapp.models import AuditRecord
from eduapp.services import history


def text(value: object) -> str:
    """A Msg, a Many or a plain value as text in the current language."""
    if isinstance(value, Msg):
        if not value.params:
            return gettext(value.msgid)
        return gettext(value.msgid, **{k: text(v) for k, v in value.params.items()})
    if isinstance(value, Many):
        return gettext(value.sep).join(text(p) for p in value.parts)
    return str(value)


@dataclass(frozen=True)
class Row:
    record: AuditRecord
    text: str
    raw: bool  # the reader may open the raw record


def may_see_raw() -> bool:
    return current_user.is_authenticated and current_user.can(Permission.AUDIT_VIEW)


def rows(records: list[AuditRecord]) -> list[Row]:
    raw = may_see_raw()
    return [Row(e.record, text(e.message), raw) for e in history.entries(records, with_username=raw)]
