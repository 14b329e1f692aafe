import csv
import io

import pytest

from eduapp.domain.formats import csv_format, table
from eduapp.domain.questions import FILL_BLANK, MULTIPLE, SINGLE, TRUE_FALSE, QuestionData

HEADER = "编号,分类,题型,题干,选项A,选项B,选项C,选项D,选项E,选项F,答案,解析,难度,法律依据,标签"

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
        stem="下列哪些属于行政强制措施？",
        options=("加处罚款", "查封场所", "扣押财物", "代履行", "冻结存款", "其他"),
        answer=(1, 2, 4),
        law="中华人民共和国行政强制法",
        article="第九条",
        difficulty=4,
        category="行政法律/行政强制法",
        status="draft",
        external_id="acl-0001",
    ),
    QuestionData(
        qtype=TRUE_FALSE, stem="公众可以免费查阅大气污染物排放标准。", answer=False, difficulty=1, category="行政法律"
    ),
    QuestionData(
        qtype=FILL_BLANK,
        stem="代履行___前应当催告；费用由___承担。",
        answer=(("三日", "3日", "3/日"), ("当事人",)),
        explanation="第五十一条。",
        law="中华人民共和国行政强制法",
        tags=("代履行",),
        status="retired",
        external_id="acl-0011",
    ),
]


def _csv(*rows: str, header: str = HEADER, encoding: str = "utf-8-sig") -> bytes:
    return ("\r\n".join((header, *rows)) + "\r\n").encode(encoding)


def _parse(*rows: str, **kwargs):
    return csv_format.parse(_csv(*rows), **kwargs)


def test_round_trip_all_types():
    data = csv_format.write(SAMPLES)
    assert data.startswith("\ufeff".encode("utf-8"))
    result = csv_format.parse(data)
    assert result.problems == []
    assert [q.line for q in result.questions] == [2, 3, 4, 5]
    assert [q.with_(line=None) for q in result.questions] == SAMPLES


def test_written_header_and_cells():
    text = csv_format.write(SAMPLES).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == HEADER.split(",") + ["状态"]
    assert rows[1] == [
        "air-0001",
        "生态环境法律/大气污染防治法",
        "单选题",
        "排放工业废气的企业事业单位，应当取得什么？",
        "排污许可证",
        "营业执照",
        "采矿许可证",
        "",
        "",
        "",
        "A",
        "依法取得排污许可证。",
        "2",
        "《中华人民共和国大气污染防治法》第十九条",
        "排污许可，企业义务",
        "已发布",
    ]
    assert rows[2][10] == "BCE" and rows[3][10] == "错误" and rows[4][10] == "三日|3日|3/日；当事人"
    assert rows[3][15] == "" and rows[4][15] == "已停用"
    assert "\r\n" in text


def test_tricky_cells_round_trip():
    question = QuestionData(
        qtype=SINGLE,
        stem='=HYPERLINK("http://x")，"引号", 逗号\n第二行',
        options=("-5", "+号开头", "@某", "'=已有撇号"),
        answer=(0,),
        explanation="多行\n解析, 含逗号",
        tags=("a",),
    )
    data = csv_format.write([question])
    text = data.decode("utf-8-sig")
    assert '"\'=HYPERLINK(""http://x"")' in text  # guarded against Excel formulas, quoted
    assert ",-5," in text and ",'+号开头," in text and ",'@某," in text and ",''=已有撇号," in text
    [back] = csv_format.parse(data).questions
    assert back.with_(line=None) == question


def test_gb18030_and_bom_and_semicolons():
    row = ",,单选题,题干,甲,乙,,,,,B,,,,"
    for data in (_csv(row, encoding="gb18030"), _csv(row, encoding="utf-8"), _csv(row, encoding="utf-8-sig")):
        [q] = csv_format.parse(data).questions
        assert (q.stem, q.options, q.answer) == ("题干", ("甲", "乙"), (1,))
    semicolons = _csv(row.replace(",", ";"), header=HEADER.replace(",", ";"))
    [q] = csv_format.parse(semicolons).questions
    assert (q.stem, q.options) == ("题干", ("甲", "乙"))


def test_lenient_values():
    result = _parse(
        'q1,,single,单选,甲,乙,丙,,,,ｃ,,较难,《中华人民共和国行政处罚法》第五条第二款,"a, b、c;d；a"',
        'q2,  行政法律 / 行政处罚法 ,MULTIPLE,多选,甲,乙,丙,丁,,,"A,C,D",,易,《中华人民共和国行政处罚法》,',
        "q3,,true_false,判断一,,,,,,,√,,3.0,,",
        "q4,,判断题,判断二,正确,错误,,,,,B,,,,",
        "q5,,判断,判断三,,,,,,,F,,,,",
        "q6,,fill_blank,填空 ___ 和 ___,,,,,,,十五日 | 15日 ; 当事人；,,,,",
        "q7,,填空题,无标记的空,,,,,,,15日/十五日,,,,",
    )
    assert result.problems == []
    q1, q2, q3, q4, q5, q6, q7 = result.questions
    assert (q1.qtype, q1.answer, q1.difficulty, q1.law, q1.article, q1.tags) == (
        SINGLE,
        (2,),
        4,
        "中华人民共和国行政处罚法",
        "第五条",
        ("a", "b", "c", "d"),
    )
    assert (q2.qtype, q2.answer, q2.difficulty, q2.article, q2.category) == (
        MULTIPLE,
        (0, 2, 3),
        1,
        None,
        "行政法律/行政处罚法",
    )
    assert (q3.answer, q3.difficulty, q4.answer, q4.options, q5.answer) == (True, 3, False, (), False)
    assert q6.answer == (("十五日", "15日"), ("当事人",))
    assert q7.answer == (("15日/十五日",),)  # "/" is not a separator


def test_default_category_status_column_extra_columns_and_blank_rows():
    header = "备注,题型,题干,答案,状态,分类"
    data = _csv(
        "随便,判断题,甲,对,已发布,", ",,,,,", "", "x,判断题,乙,错,,指定/分类", ",判断题,丙,错,draft,", header=header
    )
    result = csv_format.parse(data, category="默认/分类")
    assert result.problems == []
    assert [(q.stem, q.line, q.status, q.category) for q in result.questions] == [
        ("甲", 2, "published", "默认/分类"),
        ("乙", 5, None, "指定/分类"),
        ("丙", 6, "draft", "默认/分类"),
    ]


def test_row_numbers_are_records_even_with_multiline_cells():
    result = _parse(',,判断题,"第一行\n第二行\n第三行",,,,,,,对,,,,', ",,判断题,下一题,,,,,,,X,,,,")
    assert result.questions[0].stem == "第一行\n第二行\n第三行"
    assert [(p.field, p.row) for p in result.problems] == [("answer", 3)]


def test_missing_required_headers_name_them_on_row_1():
    result = csv_format.parse(_csv("a,b", header="编号,题干"))
    assert result.questions == []
    assert [(p.params, p.field, p.row) for p in result.problems] == [
        ({"column": "题型"}, "type", 1),
        ({"column": "答案"}, "answer", 1),
    ]


def test_empty_and_binary_files():
    assert [p.field for p in csv_format.parse(b"").problems] == ["file"]
    assert [p.field for p in csv_format.parse(b"\r\n\r\n").problems] == ["file"]
    [problem] = csv_format.parse(b"PK\x03\x04rest-of-a-zip").problems
    assert problem.field == "file" and "Excel" in problem.msgid


@pytest.mark.parametrize(
    "row, field",
    [
        (",,问答题,题,,,,,,,答,,,,", "type"),
        (",,,题,,,,,,,答,,,,", "type"),
        (",,单选题,题,甲,,丙,,,,A,,,,", "options"),
        (",,单选题,题,甲,乙,,,,,C,,,,", "answer"),
        (",,单选题,题,甲,乙,,,,,AB,,,,", "answer"),
        (",,多选题,题,甲,乙,,,,,A,,,,", "answer"),
        (",,单选题,题,甲,乙,,,,,,,,,", "answer"),
        (",,单选题,题,甲,甲,,,,,A,,,,", "options"),
        (",,单选题,,甲,乙,,,,,A,,,,", "stem"),
        (",,判断题,题,,,,,,,也许,,,,", "answer"),
        (",,填空题,题,甲,,,,,,答,,,,", "options"),
        (",,填空题,题,,,,,,,,,,,", "answer"),
        (",,填空题,___和___,,,,,,,甲,,,,", "answer"),
        (",,判断题,题,,,,,,,对,,6,,", "difficulty"),
        (",,判断题,题,,,,,,,对,,很难,,", "difficulty"),
        (",,判断题,题,,,,,,,对,,,大气污染防治法第九条,", "law"),
        (",,判断题,题,,,,,,,对,,,《大气污染防治法》第九条、《环境保护法》第一条,", "law"),
        (",,判断题,题,,,,,,,对,,,《大气污染防治法》第9条,", "law"),
        ("有 空格,,判断题,题,,,,,,,对,,,,", "id"),
        (',,判断题,题,,,,,,,对,,,,"' + "长" * 51 + '"', "tags"),
    ],
)
def test_bad_rows_name_row_and_field(row, field):
    result = _parse(",,判断题,好的题,,,,,,,对,,,,", row)
    assert [q.stem for q in result.questions] == ["好的题"]
    assert [(p.field, p.row) for p in result.problems] == [(field, 3)]


def test_bad_status_is_reported():
    result = csv_format.parse(_csv("判断题,题,对,已删除", header="题型,题干,答案,状态"))
    assert [(p.field, p.row, p.params["value"]) for p in result.problems] == [("status", 2, "已删除")]


def test_option_gap_names_the_letter():
    [problem] = _parse(",,多选题,题,甲,乙,,丁,戊,,ABD,,,,").problems
    assert (problem.field, problem.params) == ("options", {"letter": "C"})


def test_unsupported_questions_are_left_out():
    seven = QuestionData(qtype=SINGLE, stem="七个选项", options=tuple("甲乙丙丁戊己庚"), answer=(0,))
    pipe = QuestionData(qtype=FILL_BLANK, stem="题", answer=(("a|b",),))
    semicolon = QuestionData(qtype=FILL_BLANK, stem="题", answer=(("a；b",),))
    comma_tag = QuestionData(qtype=TRUE_FALSE, stem="题", answer=True, tags=("查封、扣押",))
    questions = [SAMPLES[0], seven, pipe, semicolon, comma_tag]
    assert csv_format.unsupported(questions) == [seven, pipe, semicolon, comma_tag]
    result = csv_format.parse(csv_format.write(questions))
    assert [q.external_id for q in result.questions] == ["air-0001"]


def test_write_and_parse_10000_rows():
    questions = [SAMPLES[i % 4].with_(external_id=f"q-{i}") for i in range(10_000)]
    data = csv_format.write(questions)
    result = csv_format.parse(data)
    assert len(result.questions) == 10_000 and result.problems == []
    assert result.questions[-1].line == 10_001


def test_headers_are_the_template_columns():
    assert tuple(HEADER.split(",")) == table.HEADERS
    assert (*table.HEADERS, "状态") == table.ALL_HEADERS


def test_a_cell_beyond_the_reader_s_limit_names_the_line_not_the_parser_s_english():
    problem = csv_format.parse(("stem\n" + '"' + "x" * 200_000 + "\n").encode()).problems[0]
    assert problem.field == "file" and problem.params == {"line": 2} and "cell is too long" in problem.msgid
