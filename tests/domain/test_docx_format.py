"""Word question banks (eduapp/domain/formats/docx_format.py): the layouts of Chinese exam material,
types from 题型 headings or inferred, and problems naming the paragraph. The .docx files are made
here with python-docx, as Word saves them."""

import io
import zipfile

import pytest
from docx import Document

from eduapp.domain import question_match
from eduapp.domain.formats import docx_format, registry
from eduapp.domain.questions import FILL_BLANK, MULTIPLE, SINGLE, TRUE_FALSE, QuestionData
from eduapp.domain.upload_types import QUESTION_TYPES, type_problem


def docx_bytes(*paragraphs: str) -> bytes:
    """A Word document with one paragraph per argument ("\n" inside one: a Shift+Enter line break)."""
    document = Document()
    for text in paragraphs:
        paragraph = document.add_paragraph()
        for index, line in enumerate(text.split("\n")):
            run = paragraph.add_run(line)
            if index < len(text.split("\n")) - 1:
                run.add_break()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def parse(*paragraphs: str, **kwargs):
    return docx_format.parse(docx_bytes(*paragraphs), **kwargs)


def summary(result):
    return [(q.line, q.qtype, q.stem, q.options, q.answer) for q in result.questions]


def test_headings_give_the_types_and_numbered_stems_in_every_style():
    result = parse(
        "生态环境法律知识题库（2026年）",  # a title before the first question is passed over
        "一、单选题（每题1分，共2题）",
        "1．大气污染防治的主管部门是（  ）。",
        "A．生态环境主管部门",
        "B．公安机关",
        "答案：Ａ",
        "2、限期达标规划应当报哪个部门备案？",
        "A、国务院生态环境主管部门",
        "B、本级人大常委会",
        "【答案】A",
        "二、多项选择题",
        "（1）下列属于行政处罚的是",
        "A) 警告 B) 罚款 C) 记过",
        "正确答案：AB",
        "三、判断题",
        "1. 排污单位应当如实公开排污信息。（ ）",
        "答案：√",
        "2. 当事人可以拒绝行政检查。（  ）",
        "答案：错误",
        "四、填空题",
        "1. 代履行三日前应当____当事人履行。",
        "答案：催告",
        "2. 代履行的费用由（  ）承担，除（  ）另有规定外。",
        "答案：当事人；法律|法律法规",
        category="导入/Word",
    )
    assert result.problems == []
    assert summary(result) == [
        (3, SINGLE, "大气污染防治的主管部门是（  ）。", ("生态环境主管部门", "公安机关"), (0,)),
        (7, SINGLE, "限期达标规划应当报哪个部门备案？", ("国务院生态环境主管部门", "本级人大常委会"), (0,)),
        (12, MULTIPLE, "下列属于行政处罚的是", ("警告", "罚款", "记过"), (0, 1)),
        (16, TRUE_FALSE, "排污单位应当如实公开排污信息。", (), True),
        (18, TRUE_FALSE, "当事人可以拒绝行政检查。", (), False),
        (21, FILL_BLANK, "代履行三日前应当____当事人履行。", (), (("催告",),)),
        (23, FILL_BLANK, "代履行的费用由____承担，除____另有规定外。", (), (("当事人",), ("法律", "法律法规"))),
    ]
    assert {q.category for q in result.questions} == {"导入/Word"}


@pytest.mark.parametrize(
    "answer, options, qtype, expected",
    [
        ("B", ("A.甲", "B.乙", "C.丙"), SINGLE, (1,)),  # options and one letter: single choice
        ("A、C", ("A.甲", "B.乙", "C.丙"), MULTIPLE, (0, 2)),  # several letters: multiple choice
        ("ＡＢＣ", ("A.甲", "B.乙", "C.丙"), MULTIPLE, (0, 1, 2)),  # full-width letters
        ("对", (), TRUE_FALSE, True),  # 对/错/正确/错误/√/×: true/false
        ("×", (), TRUE_FALSE, False),
        ("正确", (), TRUE_FALSE, True),
        ("十五日", (), FILL_BLANK, (("十五日",),)),  # any other text without options: fill in the blank
    ],
)
def test_types_are_inferred_without_a_heading(answer, options, qtype, expected):
    result = parse("1. 题干（ ）", *options, f"答案：{answer}")
    assert result.problems == []
    [q] = result.questions
    assert (q.qtype, q.answer) == (qtype, expected)


def test_several_options_on_one_line_in_every_punctuation():
    result = parse("1. 题一", "A.甲 B.乙 C.丙 D.丁", "答案：D",
                   "2. 题二", "Ａ．甲　Ｂ．乙", "Ｃ．丙", "答案：C",
                   "3. 题三", "A、甲乙B、丙丁", "答案：B",
                   "4. 题四", "A）一\tB）二", "答案：A")
    assert result.problems == []
    assert [q.options for q in result.questions] == [
        ("甲", "乙", "丙", "丁"), ("甲", "乙", "丙"), ("甲乙", "丙丁"), ("一", "二")]
    assert [q.answer for q in result.questions] == [(3,), (2,), (1,), (0,)]


def test_explanation_source_and_difficulty():
    result = parse(
        "1. 设区的市的限期达标规划报谁备案？",
        "A. 国务院生态环境主管部门",
        "B. 省级人民政府",
        "答案：A",
        "解析：第十五条规定应当报国务院生态环境主管部门备案。",
        "规划还应当向社会公开。",  # a paragraph after 解析 continues it
        "出处：《中华人民共和国大气污染防治法》第十五条",
        "难度：4",
        "2. 题二",
        "A.甲\nB.乙\n答案：B\n【解析】见第九十九条\n依据：中华人民共和国大气污染防治法第九十九条",  # Shift+Enter
    )
    assert result.problems == []
    first, second = result.questions
    assert first.explanation == "第十五条规定应当报国务院生态环境主管部门备案。\n\n规划还应当向社会公开。"
    assert (first.law, first.article, first.difficulty) == ("中华人民共和国大气污染防治法", "第十五条", 4)
    assert (second.options, second.answer, second.explanation) == (("甲", "乙"), (1,), "见第九十九条")
    assert (second.law, second.article, second.line) == ("中华人民共和国大气污染防治法", "第九十九条", 9)


def test_answer_in_the_stems_brackets():
    result = parse("1. 下列说法正确的是（ B ）。", "A. 甲", "B. 乙", "2. 排污许可证应当公开。（√）")
    assert result.problems == []
    choice, truth = result.questions
    assert (choice.stem, choice.answer) == ("下列说法正确的是（  ）。", (1,))
    assert (truth.qtype, truth.stem, truth.answer) == (TRUE_FALSE, "排污许可证应当公开。", True)


def test_questions_of_a_type_we_do_not_have_are_skipped():
    result = parse("一、单选题", "1. 题", "A. 甲", "B. 乙", "答案：A", "二、简答题", "1. 简述代履行。", "答案：略")
    assert len(result.questions) == 1 and result.problems == []
    [skipped] = result.skipped
    assert (skipped.line, skipped.source_type) == (7, "简答题")


def test_unnumbered_questions_follow_each_answer():
    result = parse("第一题的题干", "A. 甲", "B. 乙", "答案：A", "第二题的题干", "答案：对")
    assert result.problems == []
    assert [(q.line, q.qtype) for q in result.questions] == [(1, SINGLE), (5, TRUE_FALSE)]


@pytest.mark.parametrize(
    "paragraphs, row, fld, msgid_part",
    [
        (("1. 题", "A. 甲", "B. 乙"), 1, "answer", "has no answer"),
        (("1. 题", "A. 甲", "B. 乙", "答案：E"), 4, "answer", "not among the options"),
        (("一、单选题", "1. 题", "A. 甲", "B. 乙", "答案：AB"), 5, "answer", "single-choice question has one answer"),
        (("三、判断题", "1. 题", "答案：是的吧"), 3, "answer", "true/false"),
        (("一、单选题", "1. 题", "答案：A"), 2, "options", "has no options"),
        (("1. 题", "A. 甲", "B. 乙", "随便写的一段", "答案：A"), 4, "options", "neither an option"),
        (("1. 题", "A. 甲", "B. 乙", "答案：A", "多出来的一段"), 5, "stem", "follows the answer"),
        (("1. 题", "A. 甲", "B. 乙", "答案：A", "出处：第十条"), 5, "law", "not its law"),
        (("1. 题", "A. 甲", "B. 乙", "答案：A", "难度：九"), 5, "difficulty", "1 to 5"),
        (("答案：A",), 1, "stem", "belongs to no question"),
        (("1. 题", "A. 甲", "B. 甲", "答案：A"), 1, "options", "Two options are the same"),
    ],
)
def test_problems_name_the_paragraph(paragraphs, row, fld, msgid_part):
    result = parse(*paragraphs)
    assert [(p.row, p.field) for p in result.problems] == [(row, fld)]
    assert msgid_part in result.problems[0].msgid
    assert result.place == "paragraph"  # the import shows "第 N 段：" (tests/test_question_import.py)
    assert result.questions == []


def test_blank_paragraphs_count():
    [problem] = parse("", "", "1. 题", "", "A. 甲", "B. 乙", "", "答案：C").problems
    assert problem.row == 8


def test_not_a_document_and_archive_limits():
    [problem] = docx_format.parse(b"1. not a zip").problems
    assert problem.msgid == docx_format.NOT_A_DOCUMENT
    # a zip without word/document.xml
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    [problem] = docx_format.parse(buffer.getvalue()).problems
    assert problem.msgid == docx_format.NOT_A_DOCUMENT
    # a bomb: 50 MB of zeros compressed to about 50 KB, refused before python-docx unpacks it
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (50 * 1024 * 1024))
    [problem] = docx_format.parse(buffer.getvalue(), max_unpacked_mb=10).problems
    assert "unpacks to" in problem.msgid and problem.params == {"size": 50, "max": 10}
    [problem] = docx_format.parse(buffer.getvalue(), max_unpacked_mb=100).problems
    assert "compressed more than" in problem.msgid
    # an entity declaration (billion laughs) is refused by the streaming check
    data = docx_bytes("1. 题")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["word/document.xml"] = members["word/document.xml"].replace(
        b"?>", b'?><!DOCTYPE w [<!ENTITY a "aaaa">]>', 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    [problem] = docx_format.parse(buffer.getvalue()).problems
    assert problem.msgid == docx_format.NOT_A_DOCUMENT


def test_too_many_paragraphs_are_refused_unread():
    [problem] = parse(*["段"] * 31, max_rows=3).problems
    assert problem.params == {"max": 30}


def test_write_reads_back_as_the_same_questions():
    questions = [
        QuestionData(qtype=SINGLE, stem="单选 <b> & 题", options=("甲", "乙"), answer=(1,), explanation="因为",
                     law="中华人民共和国大气污染防治法", article="第五条", difficulty=2),
        QuestionData(qtype=MULTIPLE, stem="多选", options=("一", "二", "三"), answer=(0, 2)),
        QuestionData(qtype=TRUE_FALSE, stem="判断", answer=False),
        QuestionData(qtype=FILL_BLANK, stem="填___空", answer=(("甲", "乙"),)),
    ]
    result = docx_format.parse(docx_format.write(questions))
    assert result.problems == []
    assert [question_match.content_key(q) for q in result.questions] == [
        question_match.content_key(q) for q in questions]
    assert [(q.explanation, q.law, q.article, q.difficulty) for q in result.questions][0] == (
        "因为", "中华人民共和国大气污染防治法", "第五条", 2)


def test_docx_is_a_question_upload_type():
    assert registry.detect("题库.DOCX", b"") == "docx"
    assert ".docx" in QUESTION_TYPES and type_problem("题库.docx", QUESTION_TYPES) is None
