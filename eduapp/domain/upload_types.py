"""Which file types an upload takes, and the message that refuses any other naming both.

"Upload failed" helps nobody: a refused file is answered with its own type and the list of the types
accepted (``不支持的文件类型 .pdf；可上传：.xlsx、.csv``).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from eduapp.domain.problems import N_, Problem

# Roster, organisation and case register imports: a sheet with the template's headers.
TABLE_TYPES = (".xlsx", ".csv")
# Question imports (eduapp.domain.formats.registry.EXTENSIONS: .txt is Aiken or GIFT by its content).
QUESTION_TYPES = (".xlsx", ".docx", ".csv", ".xml", ".gift", ".txt", ".yaml", ".yml")


def suffix(filename: str | None) -> str:
    """``"名单.XLSX"`` -> ``".xlsx"``; ``""`` for a name without one."""
    return PurePosixPath((filename or "").replace("\\", "/")).suffix.lower()


def type_problem(filename: str | None, accepted: tuple[str, ...], field: str = "file") -> Problem | None:
    """None when ``filename`` ends with one of ``accepted``; else a problem naming both."""
    found = suffix(filename)
    if found in accepted:
        return None
    if not found:
        return Problem(N_("The file has no type in its name; accepted: %(accepted)s."),
                       {"accepted": "、".join(accepted)}, field)
    return Problem(N_("Unsupported file type %(type)s; accepted: %(accepted)s."),
                   {"type": found[:20], "accepted": "、".join(accepted)}, field)
