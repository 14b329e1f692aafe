import io
import zipfile

from openpyxl import Workbook, load_workbook

from eduapp.domain.formats import table, xlsx_format
from eduapp.domain.questions import FILL_BLANK, MULTIPLE, SINGLE, TRUE_FALSE, QuestionData

SAMPLES = [
    QuestionData(
        qtype=SINGLE,
        stem="排放工业废气的企业事业单位，应当取得什么？",
        options=("排污许可证", "营业执照", "采矿许可证"),
        answer=(0,),
        explanation="依法取得排污许可证。",
        law="中华人民共和国大气污染防治法",
        article="第十九条",
        difficulty=2,
        tags=("排污许可", "企业义务"),
        category="生态环境法律/大气污染防治法",
        status="published",
        external_id="air-0001",
    ),
    QuestionData(
        qtype=MULTIPLE,
        stem="下列哪些属于行政强制措施？\n（多选）",
        options=("加处罚款", "查封场所", "扣押财物", "代履行", "冻结存款"),
        answer=(1, 2, 4),
        law="中华人民共和国行政强制法",
        article="第九条",
        difficulty=4,
        category="行政法律/行政强制法",
        status="draft",
        external_id="1001",
    ),
    QuestionData(qtype=TRUE_FALSE, stem="公众可以免费查阅大气污染物排放标准。", answer=True, difficulty=1),
    QuestionData(
        qtype=FILL_BLANK,
        stem="代履行___前应当催告；费用由___承担。",
        answer=(("三日", "3日"), ("当事人",)),
        explanation="第五十一条。",
        law="中华人民共和国行政强制法",
        article="第五十一条",
        tags=("代履行",),
        status="retired",
        external_id="acl-0011",
    ),
]


def _workbook(*rows, header=table.HEADERS, sheets=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if sheets:
        sheet.title = sheets[0]
        sheet.append(["本表是填写说明"])
        sheet = workbook.create_sheet(sheets[1])
    sheet.append(list(header))
    for row in rows:
        if isinstance(row, int):  # a row number to jump to
            sheet.append([])
            continue
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row(**cells):
    return [cells.get(h) for h in table.HEADERS]


def test_round_trip_all_types():
    data = xlsx_format.write(SAMPLES)
    result = xlsx_format.parse(data)
    assert result.problems == []
    assert [q.line for q in result.questions] == [2, 3, 4, 5]
    assert [q.with_(line=None) for q in result.questions] == SAMPLES


def test_written_workbook_layout():
    workbook = load_workbook(io.BytesIO(xlsx_format.write(SAMPLES)))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == list(table.ALL_HEADERS)
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width == 60 and sheet.column_dimensions["A"].width == 12
    assert [c.value for c in sheet[3]] == [
        "1001",
        "行政法律/行政强制法",
        "多选题",
        "下列哪些属于行政强制措施？\n（多选）",
        "加处罚款",
        "查封场所",
        "扣押财物",
        "代履行",
        "冻结存款",
        None,
        "BCE",
        None,
        4,
        "《中华人民共和国行政强制法》第九条",
        None,
        "草稿",
    ]
    assert sheet["A3"].data_type == "s"  # an id of digits stays text
    assert sheet["K4"].value == "正确" and sheet["K5"].value == "三日|3日；当事人"


def test_formula_like_text_stays_text():
    question = QuestionData(qtype=SINGLE, stem="=SUM(A1:A2)", options=("=1+1", "@x"), answer=(1,), tags=("a",))
    data = xlsx_format.write([question])
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert (sheet["D2"].value, sheet["D2"].data_type, sheet["E2"].data_type) == ("=SUM(A1:A2)", "s", "s")
    [back] = xlsx_format.parse(data).questions
    assert back.with_(line=None) == question


def test_control_characters_are_dropped():
    question = QuestionData(qtype=TRUE_FALSE, stem="题\x00干\x07", answer=False)
    [back] = xlsx_format.parse(xlsx_format.write([question])).questions
    assert back.stem == "题干"


def test_cell_types_blank_rows_and_sheet_rows():
    data = _workbook(
        _row(编号=1001, 题型="单选题", 题干="数字编号", 选项A="甲", 选项B=2, 答案="b", 难度=2.0),
        2,
        _row(),
        _row(题型="判断题", 题干="布尔答案", 答案=True, 标签="甲；乙"),
        _row(题型="填空题", 题干="数字答案___", 答案=15),
        _row(题型="判断题", 题干="坏答案", 答案="也许"),
    )
    result = xlsx_format.parse(data)
    assert [(q.stem, q.line) for q in result.questions] == [("数字编号", 2), ("布尔答案", 5), ("数字答案___", 6)]
    first, truth, blank = result.questions
    assert (first.external_id, first.options, first.answer, first.difficulty) == ("1001", ("甲", "2"), (1,), 2)
    assert (truth.answer, truth.tags) == (True, ("甲", "乙"))
    assert blank.answer == (("15",),)
    assert [(p.field, p.row) for p in result.problems] == [("answer", 7)]


def test_finds_the_sheet_with_the_headers():
    data = _workbook(_row(题型="判断题", 题干="第二张表", 答案="对"), sheets=("说明", "题目"))
    assert [(q.stem, q.line) for q in xlsx_format.parse(data).questions] == [("第二张表", 2)]


def test_missing_headers_and_extra_columns():
    result = xlsx_format.parse(_workbook(["x", "题"], header=("说明", "题干")))
    assert [(p.params["column"], p.field, p.row) for p in result.problems] == [
        ("题型", "type", 1),
        ("答案", "answer", 1),
    ]
    result = xlsx_format.parse(
        _workbook(["x", "判断题", "题", "对"], header=("说明", " 题型 ", "题干", "答案")), category="默认"
    )
    assert [(q.stem, q.category, q.status) for q in result.questions] == [("题", "默认", None)]


def test_not_a_workbook():
    for data in (b"", b"not a zip at all", _zip({"hello.txt": "x"}), _zip({"[Content_Types].xml": "<x"})):
        result = xlsx_format.parse(data)
        assert result.questions == []
        assert [(p.field, p.msgid) for p in result.problems] == [
            ("file", "The file is not a readable Excel workbook (.xlsx).")
        ]


def _zip(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_unsupported_questions_are_left_out():
    seven = QuestionData(qtype=MULTIPLE, stem="七个选项", options=tuple("甲乙丙丁戊己庚"), answer=(0, 6))
    assert xlsx_format.unsupported([SAMPLES[0], seven]) == [seven]
    assert len(xlsx_format.parse(xlsx_format.write([SAMPLES[0], seven])).questions) == 1


def test_template_has_headers_and_two_examples():
    data = xlsx_format.template()
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in sheet[1]] == list(table.ALL_HEADERS)
    assert sheet.max_row == 3
    result = xlsx_format.parse(data)
    assert result.problems == []
    assert [(q.qtype, q.line) for q in result.questions] == [(SINGLE, 2), (FILL_BLANK, 3)]
    assert sheet["K2"].value == "A" and sheet["K3"].value == "三日|3日；当事人"


def test_write_and_parse_10000_rows():
    questions = [SAMPLES[i % 4].with_(external_id=f"q-{i}") for i in range(10_000)]
    data = xlsx_format.write(questions)
    result = xlsx_format.parse(data)
    assert len(result.questions) == 10_000 and result.problems == []
    assert result.questions[-1].line == 10_001
