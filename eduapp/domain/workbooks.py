"""Opening uploaded XLSX workbooks without letting a small file become a huge one (a "zip bomb").

An XLSX file is a ZIP archive. Before anything is unpacked, check_archive() reads the archive's
central directory (the list of members with their declared sizes, a few bytes each) and refuses the
file when the members together unpack to more than ``max_unpacked_mb`` MB, or when one member larger
than 1 MB is compressed more than MAX_RATIO to 1 (no spreadsheet content compresses that well; bombs
do). Python's zipfile never returns more bytes for a member than its declared size (a member that
holds more fails its CRC check), so the declared sizes bound what parsing can unpack. Then one
streaming pass over the XML parts refuses a row of more than MAX_ROW_CELLS cells or more than
MAX_SHARED_STRINGS shared strings, the two things openpyxl holds whole in memory.

Rows are then read streaming (openpyxl read-only mode, one row at a time), at most MAX_COLUMNS wide,
and reading stops with a problem as soon as the sheet has more than ``max_rows`` data rows, or more
than twice that many rows read in all (blank rows included), so a sheet of a million rows is never
held in memory.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

from eduapp.domain.problems import N_, InputError, Problem

DEFAULT_MAX_UNPACKED_MB = 100
MAX_RATIO = 100  # uncompressed : compressed, for members above RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_COLUMNS = 256  # our import templates have fewer than 30 columns
MAX_ROW_CELLS = 16384  # Excel's widest row (XFD)
MAX_SHARED_STRINGS = 1_000_000
MB = 1024 * 1024

NOT_A_WORKBOOK = N_("The file is not a readable Excel workbook (.xlsx).")
# The messages of archive_problem() for a workbook; a Word document (formats/docx_format.py) has its own.
WORKBOOK_MESSAGES = {
    "unreadable": NOT_A_WORKBOOK,
    "too_big": N_("The workbook unpacks to %(size)s MB, more than the limit of %(max)s MB "
                  "(EDUAPP_IMPORT_MAX_UNPACKED_MB): nothing was imported. Split it into smaller files."),
    "too_compressed": N_("The workbook is compressed more than %(ratio)s to 1, which no spreadsheet is: "
                         "nothing was imported."),
}


def archive_problem(data: bytes, *, max_unpacked_mb: int,
                    messages: dict[str, str] = WORKBOOK_MESSAGES) -> Problem | None:
    """Why the ZIP archive ``data`` must not be unpacked, or None when it may be (any Office Open XML
    file: ``messages`` name it)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return Problem(messages["unreadable"], {}, "file")
    total = sum(member.file_size for member in members)
    if total > max_unpacked_mb * MB:
        return Problem(messages["too_big"], {"size": -(-total // MB), "max": max_unpacked_mb}, "file")
    for member in members:
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            return Problem(messages["too_compressed"], {"ratio": MAX_RATIO}, "file")
    return None


def shape_problem(data: bytes) -> Problem | None:
    """Why the workbook's XML must not be handed to openpyxl, or None: a row of more than MAX_ROW_CELLS
    cells, or more than MAX_SHARED_STRINGS shared strings (openpyxl holds a whole row, and the whole
    shared-string table, in memory). One streaming pass over each XML part, elements dropped as read."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse  # no DTD entities: no billion laughs

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                if not member.filename.endswith(".xml"):
                    continue
                cells = strings = 0
                open_elements = []
                with archive.open(member) as stream:
                    for event, element in iterparse(stream, events=("start", "end")):
                        if event == "start":
                            open_elements.append(element)
                            continue
                        open_elements.pop()
                        if open_elements:  # drop what was read: memory stays the depth of the XML
                            open_elements[-1].remove(element)
                        tag = element.tag.rpartition("}")[2]
                        element.clear()
                        if tag == "c":
                            cells += 1
                            if cells > MAX_ROW_CELLS:
                                return Problem(N_("A row of the workbook has more than %(max)s cells: nothing was "
                                                  "imported."), {"max": MAX_ROW_CELLS}, "file")
                        elif tag == "row":
                            cells = 0
                        elif tag == "si":
                            strings += 1
                            if strings > MAX_SHARED_STRINGS:
                                return Problem(N_("The workbook holds more than %(max)s different texts: nothing was "
                                                  "imported."), {"max": MAX_SHARED_STRINGS}, "file")
    except (zipfile.BadZipFile, ParseError, DefusedXmlException, OSError, ValueError, EOFError, RuntimeError):
        return Problem(NOT_A_WORKBOOK, {}, "file")
    return None


def check_archive(data: bytes, *, max_unpacked_mb: int) -> None:
    """Raise an InputError when the archive must not be unpacked (see archive_problem), or its XML
    must not be parsed (see shape_problem)."""
    problem = archive_problem(data, max_unpacked_mb=max_unpacked_mb) or shape_problem(data)
    if problem is not None:
        raise InputError([problem])


def open_workbook(data: bytes, *, max_unpacked_mb: int):
    """An openpyxl workbook in read-only (streaming) mode, after check_archive(); close it when done."""
    from openpyxl import load_workbook

    check_archive(data, max_unpacked_mb=max_unpacked_mb)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file; all mean the same to the user
        raise InputError([Problem(NOT_A_WORKBOOK, {}, "file")])


def too_many_rows(max_rows: int) -> Problem:
    return Problem(N_("The file has more than %(max)s rows."), {"max": max_rows}, "file")


def sheet_rows(sheet, *, max_rows: int) -> Iterator[tuple[int, tuple]]:
    """(sheet row number, cell values) one row at a time, the header row included.

    Raises an InputError once more than ``max_rows`` non-blank rows follow the header, or more than
    2 × ``max_rows`` + 1 rows were read in all, without reading further.
    """
    filled = 0
    width = min(sheet.max_column or MAX_COLUMNS, MAX_COLUMNS)  # the sheet's own width, as openpyxl reads it
    for number, values in enumerate(sheet.iter_rows(max_col=width, values_only=True), start=1):
        if number > 1 and any(v is not None and str(v).strip() for v in values):
            filled += 1
        if filled > max_rows or number > 2 * max_rows + 1:
            raise InputError([too_many_rows(max_rows)])
        yield number, values
