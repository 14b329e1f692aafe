"""The building blocks of a history sentence (eduapp.domain.history): a message id with its
parameters, nested, translated only when shown (the web helper eduapp.web.history renders them with
gettext). Pure: no Flask, no database; names behind ids come from a ``name_of`` callback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from eduapp.domain.cases import HARM_LABELS, STATUS_LABELS
from eduapp.domain.offsets import yuan
from eduapp.domain.problems import N_

CHINA = ZoneInfo("Asia/Shanghai")
NOTE_LIMIT = 120  # characters of a free-text note (comment, reason) quoted in a sentence


@dataclass(frozen=True)
class Msg:
    """A message id and its parameters; a parameter is text, a number, a Msg or a Many."""

    msgid: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Many:
    """Parts joined by the translated separator (“; ” → “；”)."""

    parts: tuple
    sep: str = N_("; ")


# name_of(kind, key) → the display name of a user ("user" by id, "username"), an organisation, an
# enterprise, a violation type, an exam or a points account, or None when unknown.
NameOf = Callable[[str, object], "str | None"]


def no_names(kind: str, key: object) -> None:
    return None


YES, NO, EMPTY = N_("yes"), N_("no"), N_("(empty)")


def yes_no(value: object) -> Msg:
    return Msg(YES if value else NO)


def money(fen: object) -> object:
    """Fen → “¥50,000.00”; anything else as it is (None → “(empty)”)."""
    if fen is None:
        return Msg(EMPTY)
    return yuan(fen) if isinstance(fen, int) and not isinstance(fen, bool) else str(fen)


def day(value: object) -> object:
    """An ISO date stays “2026-03-01”; an ISO timestamp (stored in UTC) is shown in China time."""
    if value is None or value == "":
        return Msg(EMPTY)
    text = str(value)
    if len(text) <= 10:
        return text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def note(value: object) -> str:
    """A free-text note, cut to NOTE_LIMIT characters."""
    text = " ".join(str(value or "").split())
    return text if len(text) <= NOTE_LIMIT else text[: NOTE_LIMIT - 1] + "…"


def named(name_of: NameOf, kind: str, key: object) -> object:
    """The name behind an id, else “#12”; None → “(empty)”."""
    if key is None or key == "":
        return Msg(EMPTY)
    found = name_of(kind, key)
    return found if found else f"#{key}"


def plain(value: object) -> object:
    """A value with no known meaning: booleans as yes/no, lists joined, None as “(empty)”."""
    if value is None or value == "":
        return Msg(EMPTY)
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, list | tuple):
        return Many(tuple(plain(v) for v in value), N_(", ")) if value else Msg(EMPTY)
    if isinstance(value, dict):
        return Msg(EMPTY) if not value else Many(tuple(f"{k}: {v}" for k, v in value.items()), N_(", "))
    if isinstance(value, date):
        return value.isoformat()
    return note(value)


def count(value: object) -> int:
    """A count stored as a number or as the list it counts."""
    if isinstance(value, list | tuple | dict):
        return len(value)
    return value if isinstance(value, int) else 0


# --- how a field's value reads ---------------------------------------------------------------------------

def status_name(value: object) -> object:
    return Msg(STATUS_LABELS[value]) if value in STATUS_LABELS else plain(value)


def harm_name(value: object) -> object:
    return Msg(HARM_LABELS[value]) if value in HARM_LABELS else plain(value)


ROLE_NAMES = {
    "enterprise_staff": N_("Enterprise staff"),
    "enterprise_contact": N_("Enterprise contact"),
    "civil_servant": N_("Civil servant"),
    "question_editor": N_("Question-bank editor"),
    "exam_manager": N_("Exam manager"),
    "case_officer": N_("Case officer"),
    "legal_reviewer": N_("Legal reviewer"),
    "approver": N_("Approver"),
    "sysadmin": N_("System administrator"),
}


def roles(value: object) -> object:
    if not isinstance(value, list | tuple):
        return plain(value)
    return Many(tuple(Msg(ROLE_NAMES[r]) if r in ROLE_NAMES else str(r) for r in value), N_(", ")) \
        if value else Msg(EMPTY)


# field → (label, how its value reads: a reader above, or the name_of kind of the id it holds)
FIELDS: dict[str, tuple[str, str]] = {
    # penalty cases
    "case_number": (N_("case number"), "plain"),
    "enterprise_id": (N_("enterprise"), "enterprise"),
    "violation_type_id": (N_("violation"), "violation_type"),
    "description": (N_("summary of the facts"), "plain"),
    "status": (N_("stage"), "status"),
    "harm_level": (N_("harm"), "harm"),
    "corrected": (N_("corrected"), "bool"),
    "correction_due_on": (N_("correction deadline"), "day"),
    "discovered_on": (N_("date discovered"), "day"),
    "opened_on": (N_("date filed"), "day"),
    "notified_on": (N_("date notified"), "day"),
    "decided_on": (N_("date decided"), "day"),
    "paid_on": (N_("date paid"), "day"),
    "closed_on": (N_("date closed"), "day"),
    "proposed_fine": (N_("proposed fine"), "money"),
    "final_fine": (N_("fine decided"), "money"),
    "officer_id": (N_("case officer"), "user"),
    "fine_basis_fen": (N_("fine basis"), "money"),
    "occurrences": (N_("number of occurrences"), "plain"),
    "served_on": (N_("date the decision was served"), "day"),
    "late_fee_notified": (N_("late fee notified"), "bool"),
    # accounts and organisations
    "full_name": (N_("full name"), "plain"),
    "username": (N_("username"), "plain"),
    "email": (N_("e-mail"), "plain"),
    "phone": (N_("mobile number"), "plain"),
    "organisation": (N_("organisation"), "plain"),
    "roles": (N_("roles"), "roles"),
    "active": (N_("active"), "bool"),
    "name": (N_("name"), "plain"),
    "parent": (N_("parent unit"), "plain"),
    "uscc": (N_("unified social credit code"), "plain"),
    "legal_representative": (N_("legal representative"), "plain"),
    "env_manager": (N_("environmental manager"), "plain"),
    "industry": (N_("industry"), "plain"),
    "district": (N_("district"), "plain"),
    "permit_expires_on": (N_("permit expiry date"), "day"),
    # exams and earning rules
    "title": (N_("title"), "plain"),
    "open_at": (N_("opens at"), "day"),
    "close_at": (N_("closes at"), "day"),
    "pass_score": (N_("pass score"), "plain"),
    "points_on_pass": (N_("points on passing"), "plain"),
    "points": (N_("points"), "plain"),
    "daily_cap": (N_("daily cap"), "plain"),
    "period_days": (N_("period (days)"), "plain"),
    "valid_months": (N_("valid for (months)"), "plain"),
}

_READERS = {"money": money, "day": day, "bool": yes_no, "status": status_name, "harm": harm_name, "roles": roles,
            "plain": plain}


def field_label(name: str) -> object:
    return Msg(FIELDS[name][0]) if name in FIELDS else name


def field_value(name: str, value: object, name_of: NameOf) -> object:
    reader = FIELDS[name][1] if name in FIELDS else "plain"
    if reader in _READERS:
        return _READERS[reader](value)
    return named(name_of, reader, value)


def changes(diff: object, name_of: NameOf) -> object:
    """{field: [old, new]} → “proposed fine from ¥50,000.00 to ¥40,000.00; harm from …”."""
    if not isinstance(diff, dict) or not diff:
        return Msg(N_("nothing"))
    parts = []
    for name, pair in diff.items():
        old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
        parts.append(Msg(N_("%(field)s from %(old)s to %(new)s"),
                         {"field": field_label(name), "old": field_value(name, old, name_of),
                          "new": field_value(name, new, name_of)}))
    return Many(tuple(parts))


def with_note(sentence: Msg, value: object) -> Msg:
    """The sentence followed by “: the note”, when there is a note."""
    text = note(value)
    return Msg(N_("%(sentence)s: %(note)s"), {"sentence": sentence, "note": text}) if text else sentence
