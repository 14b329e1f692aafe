"""Which module reads and writes which format, and how a file's format is recognised."""

from __future__ import annotations

import importlib
import re
from types import ModuleType

FORMATS = {
    "yaml": "yaml_format",
    "gift": "gift",
    "aiken": "aiken",
    "moodle-xml": "moodle_xml",
    "csv": "csv_format",
    "xlsx": "xlsx_format",
    "docx": "docx_format",
}
EXTENSIONS = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".gift": "gift",
    ".xml": "moodle-xml",
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".docx": "docx",
    ".txt": None,
}
FILE_SUFFIX = {
    "yaml": ".yaml",
    "gift": ".gift.txt",
    "aiken": ".aiken.txt",
    "moodle-xml": ".xml",
    "csv": ".csv",
    "xlsx": ".xlsx",
    "docx": ".docx",
}


def module(fmt: str) -> ModuleType:
    return importlib.import_module(f"eduapp.domain.formats.{FORMATS[fmt]}")


def detect(filename: str, data: bytes) -> str | None:
    """The format of a file from its name, and for .txt from its content (Aiken or GIFT)."""
    name = filename.lower()
    for suffix, fmt in EXTENSIONS.items():
        if name.endswith(suffix):
            if fmt is not None:
                return fmt
            text = data[:200_000].decode("utf-8", errors="ignore")
            if "aiken" in name:
                return "aiken"
            if "gift" in name:
                return "gift"
            if re.search(r"^\s*ANSWER\s*:", text, re.M) and "{" not in text:
                return "aiken"
            return "gift"
    return None
