"""Issue 15 item 10: exports are data, never formulas (OWASP CSV injection). Texts that start with
=, +, -, @, a tab or a carriage return read back as the same text, never as formulas; numbers stay
numbers. The helpers here are used by the export tests of every page that writes XLSX or CSV."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from eduapp.domain import safe_cells, tabular
from eduapp.domain.formats import csv_format, xlsx_format
from eduapp.domain.questions import SINGLE, QuestionData

HOSTILE = ('=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0")


def xlsx_text_cells(data: bytes) -> dict[str, str]:
    """Every text cell of a workbook (value -> data type); no cell may be a formula."""
    book = load_workbook(io.BytesIO(data))
    found = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    found[cell.value] = cell.data_type
    return found


def assert_xlsx_holds_as_text(data: bytes, *values: str) -> None:
    found = xlsx_text_cells(data)
    for value in values:
        value = value.replace("\r", "\n")  # XML keeps no bare carriage return
        assert found.get(value) == "s", (value, found.get(value))


@pytest.mark.parametrize("value", HOSTILE)
def test_xlsx_cells_keep_formula_like_text_as_text(value):
    book = Workbook()
    sheet = book.active
    sheet.append(safe_cells.xlsx_cells(sheet, [value, 3, -2, 1.5, None]))
    out = io.BytesIO()
    book.save(out)
    assert_xlsx_holds_as_text(out.getvalue(), value)
    row = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True))
    assert row == (value.replace("\r", "\n"), 3, -2, 1.5)  # numbers stay numbers


@pytest.mark.parametrize("value", HOSTILE)
def test_csv_fields_get_an_apostrophe_and_read_back(value):
    out = io.StringIO()
    csv.writer(out).writerow(safe_cells.csv_row([value, 3, "-2", "12.5"]))
    [row] = list(csv.reader(io.StringIO(out.getvalue())))
    assert row[1:] == ["3", "-2", "12.5"]  # numbers, also as text, are left alone
    if value == "-2":
        assert row[0] == "-2"
    else:
        assert row[0] == "'" + value and safe_cells.csv_unguard(row[0]) == value


def test_question_exports_round_trip_formula_like_text():
    questions = [QuestionData(qtype=SINGLE, stem=value, options=("+1+1", "@SUM(A1)"), answer=(0,),
                              explanation='=HYPERLINK("http://x","y")', external_id=f"q{n}")
                 for n, value in enumerate(HOSTILE)]
    data = xlsx_format.write(questions)
    assert_xlsx_holds_as_text(data, *HOSTILE)
    text = csv_format.write(questions).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert all(not cell.startswith(safe_cells.FORMULA_START) or safe_cells.NUMBER_RE.match(cell)
               for row in rows for cell in row)
    assert [q.stem for q in csv_format.parse(text.encode()).questions][:2] == list(HOSTILE[:2])


def test_import_templates_hold_text():
    headers = {"name": ("=名称",), "count": ("数量",)}
    data = tabular.template_bytes(headers, {"name": '=HYPERLINK("http://x","y")', "count": "+1+1"}, "xlsx")
    assert_xlsx_holds_as_text(data, "=名称", '=HYPERLINK("http://x","y")', "+1+1")
    text = tabular.template_bytes(headers, {"name": "@SUM(A1)"}, "csv").decode("utf-8-sig")
    assert "'=名称" in text and "'@SUM(A1)" in text
