"""Issue 15 item 6: upload bombs. An XLSX whose sheet unpacks to far more than the file is refused
before it is unpacked, on every import page and API operation, with a message naming the limit, and
nothing changes; reading a sheet streams its rows and stops at IMPORT_MAX_ROWS. The bombs are made
here at test time (never committed)."""

import io
import os
import subprocess
import sys
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from eduapp.config import ConfigError, load_config
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Organisation, PenaltyCase, Question, User
from eduapp.services import cases
from tests import factories
from tests.conftest import csrf_token
from tests.test_api_bureau import bearer

SHEET = "xl/worksheets/sheet1.xml"
ROW = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'


def bomb(sheet_mb: int, header: tuple[str, ...] = ("用户名", "姓名")) -> bytes:
    """A real workbook whose first sheet is ``sheet_mb`` MB of rows, compressed a few hundred to 1."""
    workbook = Workbook()
    workbook.active.append(list(header))
    plain = io.BytesIO()
    workbook.save(plain)
    source = zipfile.ZipFile(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for info in source.infolist():
            if info.filename != SHEET:
                archive.writestr(info, source.read(info.filename))
                continue
            with archive.open(SHEET, "w") as sheet:
                sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
                            b'org/spreadsheetml/2006/main"><sheetData>')
                chunk = ROW * 20000
                for _ in range(sheet_mb * 1024 * 1024 // len(chunk) + 1):
                    sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def rows_workbook(rows: int) -> bytes:
    """An honest workbook with ``rows`` data rows."""
    workbook = Workbook()
    workbook.active.append(["用户名", "姓名", "手机号"])
    for n in range(rows):
        workbook.active.append([f"user{n:04d}", f"姓名{n}", f"138{n:08d}"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def small_limit(app, monkeypatch):
    """The bombs posted in-process are kept small (10 MB unpacked) against a 2 MB limit."""
    monkeypatch.setitem(app.config, "IMPORT_MAX_UNPACKED_MB", 2)


@pytest.fixture
def world(ctx):
    bureau = factories.unit("示范市生态环境局")
    org = factories.enterprise("甲企业", 1)
    cases.load_catalogue()
    return {
        "contact": factories.user("contact-a", org, Role.ENTERPRISE_CONTACT),
        "admin": factories.user("admin", bureau, Role.SYSADMIN),
        "officer": factories.user("officer", bureau, Role.CASE_OFFICER),
        "editor": factories.user("editor", bureau, Role.QUESTION_EDITOR),
    }


LIMIT_TEXT = "超过上限 2 MB"


def _counts() -> tuple[int, ...]:
    return tuple(db.session.execute(select(func.count(model.id))).scalar_one()
                 for model in (User, Organisation, PenaltyCase, Question))


def _post_page(client, path: str, data: bytes, **fields):
    token = csrf_token(client, path)
    return client.post(path, data={"csrf_token": token, "file": (io.BytesIO(data), "bomb.xlsx"), **fields},
                       content_type="multipart/form-data")


@pytest.mark.parametrize(("user", "path"), [("contact", "/roster/import"), ("admin", "/orgs/import"),
                                            ("officer", "/cases/import"), ("editor", "/questions/import")])
def test_bomb_on_every_import_page_names_the_limit_and_changes_nothing(client, auth, world, small_limit, user, path):
    before = _counts()
    auth.login(world[user].username)
    response = _post_page(client, path, bomb(10), fmt="auto")
    text = response.get_data(as_text=True)
    assert response.status_code == 400, text
    assert LIMIT_TEXT in text and "EDUAPP_IMPORT_MAX_UNPACKED_MB" in text
    assert _counts() == before


@pytest.mark.parametrize("path", ["/api/v1/cases/import", "/api/v1/questions/import"])
def test_bomb_on_the_import_api_names_the_limit_and_changes_nothing(client, world, small_limit, path):
    before = _counts()
    user = world["officer"] if "cases" in path else world["editor"]
    response = client.post(path, headers={**bearer(user), "Accept-Language": "zh-CN"},
                           data={"file": (io.BytesIO(bomb(10)), "bomb.xlsx")})
    assert response.status_code == 422, response.json
    assert LIMIT_TEXT in str(response.json)
    assert _counts() == before


def test_a_compression_ratio_no_spreadsheet_has_is_refused(client, auth, world):
    """Under the size limit (100 MB by default), but compressed hundreds to 1."""
    auth.login("contact-a")
    response = _post_page(client, "/roster/import", bomb(20))
    assert response.status_code == 400
    assert "压缩比超过 100 比 1" in response.get_data(as_text=True)


def test_too_many_rows_stop_the_reading_with_the_limit(client, auth, world, monkeypatch, app):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 50)
    auth.login("contact-a")
    before = _counts()
    response = _post_page(client, "/roster/import", rows_workbook(51))
    assert response.status_code == 400 and "超过 50 行" in response.get_data(as_text=True)
    assert _counts() == before


CHILD = """
import resource, sys
from eduapp.domain import tabular
from eduapp.domain.formats import xlsx_format
from eduapp.domain.problems import InputError
resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))  # today's code must not take the host down
data = open(sys.argv[1], "rb").read()
try:
    tabular.read_rows(data, "bomb.xlsx", headers={"username": ("用户名",)}, required=("username",),
                      max_rows=20000, max_unpacked_mb=100)
    print("read")
except InputError as error:
    print(error.problems[0].msgid % error.problems[0].params)
print(xlsx_format.parse(data, max_rows=20000, max_unpacked_mb=100).problems[0].params)
# This process's own peak: VmHWM belongs to the memory map exec() made. (ru_maxrss would not do: Linux
# keeps it across fork and exec, so it starts at the size of the test runner that forked the child.)
print("PEAK_KB", next(line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")))
"""


def _parse_in_child(path) -> tuple[str, int]:
    """Run the import's parse in a child process: what it says, and its own peak RSS in MB."""
    child = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": os.getcwd()}, timeout=300)
    output = child.stdout + child.stderr
    peak = [line.split()[1] for line in child.stdout.splitlines() if line.startswith("PEAK_KB")]
    assert child.returncode == 0 and peak, output
    return output, int(peak[0]) // 1024


def test_the_parse_of_a_bomb_stays_under_300_mb(tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb(1536))  # the bomb: a 1.5 GiB sheet in a file of a few MB
    assert path.stat().st_size < 8 * 1024 * 1024
    output, peak_mb = _parse_in_child(path)
    assert "more than the limit of 100 MB" in output, output
    assert peak_mb < 300, (peak_mb, output)


def with_sheet(sheet_data: bytes) -> bytes:
    """A real workbook whose first sheet is ``sheet_data`` (the XML inside <worksheet>)."""
    source = zipfile.ZipFile(io.BytesIO(rows_workbook(0)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == SHEET:
                data = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main">' + sheet_data + b"</worksheet>")
            archive.writestr(info, data)
    return out.getvalue()


def sparse_workbook() -> bytes:
    """A sheet of two cells, in row 1 and row 1,048,576, that says it spans 100 columns: a reader
    that keeps the rows between gets a million rows of 100 empty cells."""
    return with_sheet('<dimension ref="A1:CV1048576"/><sheetData>'
                      '<row r="1"><c r="A1" t="inlineStr"><is><t>用户名</t></is></c></row>'
                      '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
                      "</sheetData>".encode())


def test_a_sheet_of_a_million_rows_is_read_streaming_and_stopped_at_the_row_limit(tmp_path):
    path = tmp_path / "sparse.xlsx"
    path.write_bytes(sparse_workbook())
    output, peak_mb = _parse_in_child(path)
    assert "more than 20000 rows" in output, output
    assert peak_mb < 300, (peak_mb, output)


@pytest.mark.parametrize("value", ["lots", "0", "-5", "100000"])
def test_a_bad_unpacked_limit_stops_the_start_naming_the_setting(tmp_path, value):
    with pytest.raises(ConfigError, match="EDUAPP_IMPORT_MAX_UNPACKED_MB"):
        load_config(tmp_path, {"EDUAPP_IMPORT_MAX_UNPACKED_MB": value})
    assert load_config(tmp_path, {})["IMPORT_MAX_UNPACKED_MB"] == 100


def one_row_workbook(cells: int) -> bytes:
    """A sheet of one row of ``cells`` different numbers: compresses only 4 to 1, yet openpyxl would
    hold the whole row in memory."""
    row = "".join(f"<c><v>{n * 7919 % 1000003}</v></c>" for n in range(cells))
    return with_sheet(f"<sheetData><row>{row}</row></sheetData>".encode())


def test_a_row_of_a_million_cells_is_refused_before_openpyxl_reads_it(tmp_path):
    path = tmp_path / "wide.xlsx"
    path.write_bytes(one_row_workbook(1_000_000))
    output, peak_mb = _parse_in_child(path)
    assert "more than 16384 cells" in output, output
    assert peak_mb < 300, (peak_mb, output)


def docx_bomb(mb: int) -> bytes:
    """A real Word document whose document.xml holds ``mb`` MB of empty paragraphs."""
    from tests.domain.test_docx_format import docx_bytes

    source = zipfile.ZipFile(io.BytesIO(docx_bytes("1. 题")))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                archive.writestr(info, source.read(info.filename))
                continue
            with archive.open(info.filename, "w") as body:
                body.write(b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.'
                           b'org/wordprocessingml/2006/main"><w:body>')
                chunk = b"<w:p/>" * 50000
                for _ in range(mb * 1024 * 1024 // len(chunk) + 1):
                    body.write(chunk)
                body.write(b"</w:body></w:document>")
    return out.getvalue()


def test_a_word_bomb_is_refused_on_the_page_and_the_api(client, auth, world, small_limit):
    before = _counts()
    auth.login(world["editor"].username)
    token = csrf_token(client, "/questions/import")
    page = client.post("/questions/import", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(docx_bomb(10)), "题库.docx"), "fmt": "auto"})
    text = page.get_data(as_text=True)
    assert page.status_code == 400, text
    assert "文档解压后为 11 MB，超过上限 2 MB" in text and "EDUAPP_IMPORT_MAX_UNPACKED_MB" in text
    api = client.post("/api/v1/questions/import", headers={**bearer(world["editor"]), "Accept-Language": "zh-CN"},
                      data={"file": (io.BytesIO(docx_bomb(10)), "题库.docx")})
    assert api.status_code == 422 and LIMIT_TEXT in str(api.json)
    assert _counts() == before
