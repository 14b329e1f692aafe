"""Every table of the dashboard as a sheet of one Excel workbook: numbers stay numbers (money in
yuan with two decimals, percentages as Excel percentages), text that looks like a formula stays text."""

from __future__ import annotations

import io
from datetime import date

from eduapp.domain.safe_cells import set_text, xlsx_cells
from eduapp.web.dashboard.present import Fen, Percent, Table

YUAN_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0%"


def sheet_title(text: str, taken: set[str]) -> str:
    for bad in "[]:*?/\\":
        text = text.replace(bad, " ")
    title = text[:31] or "Sheet"
    n = 2
    while title in taken:
        suffix = f" ({n})"
        title = text[:31 - len(suffix)] + suffix
        n += 1
    taken.add(title)
    return title


def _cell(cell, value) -> None:
    if isinstance(value, Fen):
        cell.value = int(value) / 100
        cell.number_format = YUAN_FORMAT
    elif isinstance(value, Percent):
        cell.value = float(value) / 100
        cell.number_format = PERCENT_FORMAT
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    else:
        set_text(cell, value)  # a text stays text, never a formula


def workbook(tables: list[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    taken: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(sheet_title(table.title, taken))
        sheet.append(xlsx_cells(sheet, table.headers))
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
        lines = [*table.rows, *([table.total] if table.total else [])]
        for r, values in enumerate(lines, start=2):
            for c, value in enumerate(values, start=1):
                _cell(sheet.cell(row=r, column=c), value)
        if table.total:
            for cell in sheet[sheet.max_row]:
                cell.font = bold
        for c, header in enumerate(table.headers, start=1):
            longest = max([len(str(header))] + [len(str(line[c - 1])) for line in lines if line[c - 1] is not None])
            sheet.column_dimensions[get_column_letter(c)].width = min(max(10, longest * 1.6 + 2), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
