"""Problems found in input, carried as message ids plus parameters so each caller shows them in the
user's language (the web layer and the CLI pass them through Flask-Babel's gettext)."""

from __future__ import annotations

from dataclasses import dataclass, field


def N_(message: str) -> str:
    """Mark a message for extraction into the translation catalogs without translating it here."""
    return message


@dataclass(frozen=True)
class Problem:
    msgid: str
    params: dict = field(default_factory=dict)
    field: str | None = None  # the field (or column header) it concerns
    row: int | None = None  # 1-based line of the file, header included, for imports


class InputError(ValueError):
    """Raised with every problem found, so the caller can report them all at once."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.msgid % p.params if p.params else p.msgid for p in problems))
        self.problems = problems


def reason_problems(reason: str | None, missing: str, max_length: int = 500) -> list[Problem]:
    """A reason the person must give (kept in the audit trail): the ``missing`` message when it is blank,
    else one when it is longer than ``max_length`` characters; the field is "reason"."""
    text = (reason or "").strip()
    if not text:
        return [Problem(missing, {}, "reason")]
    if len(text) > max_length:
        return [Problem(N_("The reason is at most %(max)s characters."), {"max": max_length}, "reason")]
    return []
