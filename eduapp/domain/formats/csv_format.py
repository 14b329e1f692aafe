"""CSV in the column layout of Chinese exam systems' Excel templates (see table.py for the columns).

Reading: UTF-8 (with or without BOM), else GB18030 (what Excel on a Chinese Windows saves); the
delimiter is the one of ",", ";" and tab that splits the header row into our headers. Row numbers are
records as a spreadsheet shows them (the header is row 1), so a quoted cell spanning several lines
still counts as one row.

Writing: UTF-8 with a BOM so Excel opens it right, CRLF line ends, fields quoted when they hold a
comma, a quote or a line break. A cell starting with "=", "+", "-", "@" (which Excel would run as a
formula) is written with a leading "'" (safe_cells.py); the reader removes it again.
"""

from __future__ import annotations

import csv
import io

from eduapp.domain.formats import table
from eduapp.domain.formats.text_files import decode_text, not_text_problem
from eduapp.domain.problems import N_, Problem
from eduapp.domain.questions import ParseResult, QuestionData
from eduapp.domain.safe_cells import csv_row, csv_unguard

unsupported = table.unsupported  # the questions write() leaves out


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    best, best_score = ",", -1
    for delimiter in (",", "\t", ";"):
        score = table.match_score(next(csv.reader([first], delimiter=delimiter), []))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def parse(data: bytes, *, filename: str = "", category: str | None = None) -> ParseResult:
    if data[:4] == b"PK\x03\x04":
        return ParseResult(problems=[Problem(N_("This is an Excel workbook, not a CSV file: upload it as .xlsx."),
                                             {}, "file", None)])
    text = decode_text(data)
    if text is None:
        return ParseResult(problems=[not_text_problem()])
    if "\x00" in text:
        return ParseResult(problems=[Problem(N_("The file is not a CSV text file."), {}, "file", None)])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, record in enumerate(reader, start=1):
            rows.append((number, [csv_unguard(cell.replace("\r\n", "\n")) for cell in record]))
    except csv.Error:
        # csv.Error's English ("field larger than field limit") is not shown: its cause is.
        return ParseResult(problems=[Problem(N_("The CSV file cannot be read at line %(line)s: a cell is too long "
                                                "(a quote that is not closed makes the rest of the file one cell)."),
                                             {"line": reader.line_num}, "file",
                                             len(rows) + 1)])
    return table.parse_table(rows, category=category)


def write(questions: list[QuestionData]) -> bytes:
    """The questions as CSV; questions the table cannot hold (table.unsupported()) are left out."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.ALL_HEADERS)
    writer.writerows(csv_row(row) for row in table.rows_for(questions))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
