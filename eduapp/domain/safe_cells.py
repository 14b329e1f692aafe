"""Exported spreadsheets hold data, never formulas (CSV / formula injection, OWASP).

A text a person typed (an enterprise name, a question stem) that starts with "=", "+", "-", "@", a
tab or a carriage return would run as a formula in Excel or WPS when the export is opened:
``=HYPERLINK("http://x","y")`` becomes a live link, ``=cmd|...`` worse. Every XLSX and CSV writer of
the product goes through this module:

- XLSX: xlsx_cells() turns each text into a cell whose data type is string ("s"), so openpyxl never
  stores it as a formula and Excel shows it as typed; characters XML cannot hold (control
  characters other than tab and line breaks) are dropped, as openpyxl would refuse them. Numbers,
  dates and None pass unchanged, so numbers stay numbers.
- CSV: csv_field() prefixes such a text with an apostrophe, as OWASP advises; Excel shows the text
  without it. A plain number ("-2", "+3.5") is left as it is. csv_unguard() removes the prefix
  again when the product reads its own CSV back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
ILLEGAL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def formula_like(text: str) -> bool:
    """A text a spreadsheet would run as a formula, or one that would read back as guarded."""
    rest = text.lstrip("'")
    return rest.startswith(FORMULA_START) and not NUMBER_RE.match(rest)


def csv_field(value: object) -> object:
    """A value for csv.writer: texts that would run as formulas get a leading apostrophe."""
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value


def csv_row(values: Iterable[object]) -> list[object]:
    return [csv_field(v) for v in values]


def csv_unguard(cell: str) -> str:
    """The text csv_field() guarded, without its apostrophe."""
    return cell[1:] if cell[:1] == "'" and formula_like(cell[1:]) else cell


def xml_text(value: object) -> object:
    """The value without the characters XML (so XLSX) cannot hold."""
    if isinstance(value, str) and ILLEGAL_RE.search(value):
        return ILLEGAL_RE.sub("", value)
    return value


def xlsx_cell(sheet, value: object):
    """A cell for ``sheet.append``: a text becomes a string cell (never a formula); other values pass."""
    value = xml_text(value)
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def xlsx_cells(sheet, values: Iterable[object]) -> list:
    """A row for ``sheet.append`` (normal or write-only sheets): every text stored as text."""
    return [xlsx_cell(sheet, v) for v in values]


def set_text(cell, value: object) -> None:
    """Give an existing cell ``value``; a text is stored as text, never as a formula."""
    value = xml_text(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
