"""XLSX in the column layout of Chinese exam systems' Excel templates (see table.py for the columns).

Reading (openpyxl, read-only, streaming, after the archive check of workbooks.py): the first sheet
whose first row holds our required headers (else the first sheet); cached values of formulas are
read; numbers become text (3.0 -> "3"). Row numbers are the sheet's rows.

Writing (openpyxl, write-only, for speed): one sheet 题库 with a bold, frozen header row and column
widths to suit; difficulty as a number, everything else as text (string cells: a text starting with
"=" stays text, never a formula; safe_cells.py). Characters XML cannot hold (control characters other
than tab and line breaks) are dropped. template() gives the headers and two example rows for the
"download template" link.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

from eduapp.domain.formats import table
from eduapp.domain.problems import InputError, Problem
from eduapp.domain.questions import FILL_BLANK, SINGLE, ParseResult, QuestionData
from eduapp.domain.safe_cells import xlsx_cells
from eduapp.domain.workbooks import DEFAULT_MAX_UNPACKED_MB, MAX_COLUMNS, NOT_A_WORKBOOK, open_workbook, sheet_rows

SHEET_TITLE = "题库"
# column widths in characters (a Chinese character counts about two)
WIDTHS = {table.ID: 12, table.CATEGORY: 24, table.TYPE: 8, table.STEM: 60, **{h: 20 for h in table.OPTION_HEADERS},
          table.ANSWER: 12, table.EXPLANATION: 50, table.DIFFICULTY: 6, table.LAW: 36, table.TAGS: 20,
          table.STATUS: 8}

unsupported = table.unsupported  # the questions write() leaves out


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse(data: bytes, *, filename: str = "", category: str | None = None,
          max_rows: int = 20000, max_unpacked_mb: int = DEFAULT_MAX_UNPACKED_MB) -> ParseResult:
    """The questions of a workbook. The archive is checked before it is unpacked and the sheet read
    streaming (workbooks.py): a file unpacking to more than ``max_unpacked_mb`` MB or holding more than
    ``max_rows`` rows is one problem, read no further."""
    not_a_workbook = ParseResult(problems=[Problem(NOT_A_WORKBOOK, {}, "file", None)])
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return not_a_workbook
    try:
        workbook = open_workbook(data, max_unpacked_mb=max_unpacked_mb)
    except InputError as error:
        return ParseResult(problems=error.problems)
    try:
        sheets = workbook.worksheets
        if not sheets:
            return not_a_workbook
        sheet = sheets[0]
        for candidate in sheets:
            first = next(candidate.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS, values_only=True), ())
            if table.header_columns([_cell_text(v) for v in first])[1] == []:
                sheet = candidate
                break
        rows = [(number, [_cell_text(v) for v in values]) for number, values in sheet_rows(sheet, max_rows=max_rows)]
    except InputError as error:
        return ParseResult(problems=error.problems)
    except Exception:  # a sheet that cannot be read to the end
        return not_a_workbook
    finally:
        workbook.close()
    return table.parse_table(rows, category=category)


def _workbook_bytes(rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.freeze_panes = "A2"
    for index, header in enumerate(table.ALL_HEADERS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = WIDTHS[header]
    bold, centre = Font(bold=True), Alignment(horizontal="center", vertical="center")
    header_cells = []
    for header in table.ALL_HEADERS:
        cell = WriteOnlyCell(sheet, header)
        cell.font, cell.alignment = bold, centre
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append(xlsx_cells(sheet, (None if value == "" else value for value in row)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write(questions: list[QuestionData]) -> bytes:
    """The questions as a workbook; questions the table cannot hold (table.unsupported()) are left out."""
    return _workbook_bytes(table.rows_for(questions))


TEMPLATE_QUESTIONS = (  # from question_bank/; the second shows both separators of a fill-in-the-blank answer
    QuestionData(
        qtype=SINGLE,
        stem="直辖市和设区的市编制的大气环境质量限期达标规划，除向社会公开外，还应当报哪个部门备案？",
        options=("国务院生态环境主管部门", "省、自治区人民政府", "本级人民代表大会常务委员会", "国务院发展改革部门"),
        answer=(0,),
        explanation="第十五条规定限期达标规划应当向社会公开，直辖市和设区的市的规划应当报国务院生态环境主管部门备案。",
        law="中华人民共和国大气污染防治法",
        article="第十五条",
        difficulty=3,
        tags=("限期达标规划", "备案"),
        category="生态环境法律/大气污染防治法",
        external_id="example-0001",
    ),
    QuestionData(
        qtype=FILL_BLANK,
        stem="行政机关实施代履行的，应当在代履行___前催告当事人履行，当事人履行的停止代履行；"
             "代履行的费用按照成本合理确定，除法律另有规定外由___承担。",
        answer=(("三日", "3日"), ("当事人",)),
        explanation="第五十一条规定代履行三日前应当催告当事人履行，代履行费用按成本合理确定，原则上由当事人承担。",
        law="中华人民共和国行政强制法",
        article="第五十一条",
        difficulty=3,
        tags=("代履行", "催告"),
        category="行政法律/行政强制法",
        external_id="example-0002",
    ),
)


def template() -> bytes:
    """An empty import template: the headers and two example rows (a 单选题 and a 填空题)."""
    return _workbook_bytes(table.question_to_row(q) for q in TEMPLATE_QUESTIONS)
