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
