"""Reading CSV and XLSX uploads into rows keyed by header, with the file's own line numbers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from eduapp.domain.problems import N_, InputError, Problem
from eduapp.domain.safe_cells import csv_row, xlsx_cells
from eduapp.domain.upload_types import TABLE_TYPES, type_problem
from eduapp.domain.workbooks import NOT_A_WORKBOOK, open_workbook, sheet_rows, too_many_rows


@dataclass(frozen=True)
class Row:
    number: int  # the line (CSV) or sheet row (XLSX) as a spreadsheet shows it; the header is 1
    values: dict[str, str]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError([Problem(N_("The file is neither UTF-8 nor GB18030 text."))])


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]


def _read_xlsx(data: bytes, *, max_rows: int, max_unpacked_mb: int) -> list[list[str]]:
    """The first sheet's rows, streamed (see workbooks.py); stops with a problem past ``max_rows``."""
    workbook = open_workbook(data, max_unpacked_mb=max_unpacked_mb)
    try:
        if not workbook.worksheets:
            raise InputError([Problem(NOT_A_WORKBOOK, {}, "file")])
        return [[_cell_text(v) for v in values] for _, values in sheet_rows(workbook.worksheets[0], max_rows=max_rows)]
    except InputError:
        raise
    except Exception:  # a sheet that cannot be read to the end
        raise InputError([Problem(NOT_A_WORKBOOK, {}, "file")])
    finally:
        workbook.close()


def read_rows(
    data: bytes,
    filename: str,
    *,
    headers: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    max_rows: int,
    max_unpacked_mb: int,
) -> list[Row]:
    """Read a CSV or XLSX file whose first row holds headers.

    ``headers`` maps each field name to the header texts accepted for it (Chinese first, English
    aliases after). Fails with an InputError naming any missing required column. Blank rows are skipped.
    An XLSX file is checked before it is unpacked and read streaming (workbooks.py): one that unpacks
    to more than ``max_unpacked_mb`` MB, or has more than ``max_rows`` rows, is refused unread.
    """
    name = filename.lower()
    if name.endswith(".xlsx"):
        table = _read_xlsx(data, max_rows=max_rows, max_unpacked_mb=max_unpacked_mb)
    elif name.endswith((".csv", ".txt")):
        table = _read_csv(data)
    else:
        raise InputError([type_problem(filename, TABLE_TYPES)])
    if not table or not any(table[0]):
        raise InputError([Problem(N_("The file is empty: the first row must hold the column headers."))])

    aliases = {alias.strip().lower(): fld for fld, names in headers.items() for alias in names}
    columns: dict[int, str] = {}
    for index, header in enumerate(table[0]):
        fld = aliases.get(str(header).strip().lower())
        if fld is not None:
            columns[index] = fld
    missing = [f for f in required if f not in columns.values()]
    if missing:
        raise InputError(
            [
                Problem(N_("Missing column “%(column)s” in the header row."), {"column": headers[f][0]}, f, 1)
                for f in missing
            ]
        )

    rows: list[Row] = []
    for offset, raw in enumerate(table[1:], start=2):
        values = {fld: (raw[i].strip() if i < len(raw) else "") for i, fld in columns.items()}
        if not any(values.values()):
            continue
        rows.append(Row(offset, values))
        if len(rows) > max_rows:
            raise InputError([too_many_rows(max_rows)])
    if not rows:
        raise InputError([Problem(N_("The file has headers but no data rows."))])
    return rows


def parse_date(text: str) -> date | None:
    """Dates as Chinese spreadsheets write them: 2026-12-31, 2026/12/31, 2026.12.31, 2026年12月31日."""
    cleaned = text.strip().replace("年", "-").replace("月", "-").replace("日", "")
    for sep in ("/", "."):
        cleaned = cleaned.replace(sep, "-")
    cleaned = cleaned.split("T")[0].split(" ")[0]
    try:
        return date.fromisoformat("-".join(part.zfill(2) for part in cleaned.split("-")))
    except ValueError:
        return None


def template_bytes(headers: dict[str, tuple[str, ...]], example: dict[str, str], fmt: str) -> bytes:
    """An import template: the Chinese headers and one example row, as XLSX or UTF-8 CSV (with BOM for Excel)."""
    titles = [names[0] for names in headers.values()]
    sample = [example.get(fld, "") for fld in headers]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(csv_row(titles))
        writer.writerow(csv_row(sample))
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(xlsx_cells(sheet, titles))
    sheet.append(xlsx_cells(sheet, sample))
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = max(12, len(str(column[0].value)) * 3)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
