import json

import pytest

from eduapp.domain.formats import moodle_xml
from eduapp.domain.questions import FILL_BLANK, MULTIPLE, SINGLE, TRUE_FALSE, QuestionData
from tests.domain.samples import MOODLE_FIXTURES, SAMPLES

FIXTURES = MOODLE_FIXTURES
SAFETY = "The XML file declares entities or a DTD, which are refused for safety."


def _quiz(*questions: str, encoding: str = "UTF-8") -> bytes:
    body = f'<?xml version="1.0" encoding="{encoding}"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>\n"
    return body.encode("utf-8" if encoding == "UTF-8" else encoding)


def _q(qtype: str, inner: str, name: str = "题") -> str:
    return f'<question type="{qtype}">\n<name><text>{name}</text></name>\n{inner}\n</question>'




def _without_lines(questions):
    return [q.with_(line=None) for q in questions]


# --- Moodle's own fixture ---------------------------------------------------------------------------------


def test_fixture_nested_categories():
    result = moodle_xml.parse((FIXTURES / "nested_categories_with_questions.xml").read_bytes(), category="默认")
    assert result.problems == []
    assert [(q.name, q.stem, q.qtype, q.answer, q.category, q.line) for q in result.questions] == [
        ("Iota Question", "Testing Iota Question", TRUE_FALSE, True, "Iota", 15),
        ("Kappa Question", "Testing Kappa Question", TRUE_FALSE, True, "Iota/Kappa", 83),
        ("Lambda Question", "Testing Lambda Question", TRUE_FALSE, True, "Iota/Kappa/Lambda", 123),
        ("Mu Question", "Testing Mu Question", TRUE_FALSE, True, "Iota/Mu", 163),
    ]
    assert all(
        q.explanation == "" and q.external_id is None and q.difficulty == 3 and q.tags == () and q.status is None
        for q in result.questions
    )
    assert [(s.line, s.name, s.source_type) for s in result.skipped] == [(55, "Kappa Essay Question", "essay")]


def test_default_category_before_any_category_question_and_after_top():
    data = _quiz(
        _q(
            "truefalse",
            '<questiontext format="html"><text>甲</text></questiontext>'
            '<answer fraction="0"><text>true</text></answer><answer fraction="100"><text>false</text></answer>',
        ),
        '<question type="category"><category><text>$course$/top/行政法律/行政处罚法</text></category></question>',
        _q(
            "truefalse",
            '<questiontext format="html"><text>乙</text></questiontext>'
            '<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>',
        ),
        '<question type="category"><category><text>$system$/top</text></category></question>',
        _q(
            "truefalse",
            '<questiontext format="html"><text>丙</text></questiontext>'
            '<answer fraction="100"><text>true</text></answer><answer fraction="0"><text>false</text></answer>',
        ),
    )
    result = moodle_xml.parse(data, category="导入")
    assert [(q.stem, q.answer, q.category) for q in result.questions] == [
        ("甲", False, "导入"),
        ("乙", True, "行政法律/行政处罚法"),
        ("丙", True, "导入"),
    ]


# --- reading Moodle's question types ----------------------------------------------------------------------


def test_multichoice_single_multiple_and_partial():
    answers = (
        '<answer fraction="100" format="html"><text><![CDATA[<p>甲</p>]]></text></answer>'
        '<answer fraction="0" format="html"><text>乙</text></answer>'
        '<answer fraction="-50" format="html"><text>丙</text></answer>'
    )
    two = (
        '<answer fraction="50"><text>甲</text></answer><answer fraction="50"><text>乙</text></answer>'
        '<answer fraction="-100"><text>丙</text></answer>'
    )
    data = _quiz(
        _q(
            "multichoice",
            f'<questiontext format="html"><text>单选？</text></questiontext><single>true</single>{answers}',
            "一",
        ),
        _q(
            "multichoice",
            f'<questiontext format="html"><text>只有一个正确</text></questiontext><single>false</single>{answers}',
            "二",
        ),
        _q(
            "multichoice",
            f'<questiontext format="html"><text>多选？</text></questiontext><single>false</single>{two}',
            "三",
        ),
        _q("multichoice", f'<questiontext format="html"><text>缺省为单选</text></questiontext>{answers}', "四"),
        _q("multichoiceset", f'<questiontext format="html"><text>全对才得分</text></questiontext>{two}', "五"),
    )
    result = moodle_xml.parse(data)
    assert result.problems == []
    assert [(q.name, q.qtype, q.options, q.answer) for q in result.questions] == [
        ("一", SINGLE, ("甲", "乙", "丙"), (0,)),
        ("二", SINGLE, ("甲", "乙", "丙"), (0,)),
        ("三", MULTIPLE, ("甲", "乙", "丙"), (0, 1)),
        ("四", SINGLE, ("甲", "乙", "丙"), (0,)),
        ("五", MULTIPLE, ("甲", "乙", "丙"), (0, 1)),
    ]


def test_single_with_two_positive_fractions_is_a_problem_on_its_line():
    data = _quiz(
        _q(
            "multichoice",
            "<questiontext><text>题</text></questiontext><single>true</single>"
            '<answer fraction="100"><text>甲</text></answer><answer fraction="50"><text>乙</text></answer>',
        )
    )
    result = moodle_xml.parse(data)
    assert result.questions == []
    assert [(p.field, p.row, p.params) for p in result.problems] == [("answer", 3, {"n": 2})]


def test_truefalse_shortanswer_texts_ids_and_html():
    data = _quiz(
        _q(
            "truefalse",
            '<questiontext format="html"><text><![CDATA[<p dir="ltr">依法<b>应当</b>公开。</p>]]></text>'
            '</questiontext><generalfeedback format="html">'
            "<text><![CDATA[<p>见第十一条。</p>]]></text></generalfeedback>"
            "<idnumber> air-0001 </idnumber>"
            '<answer fraction="0"><text>true</text></answer><answer fraction="100"><text>false</text></answer>',
        ),
        _q(
            "shortanswer",
            '<questiontext format="html"><text><![CDATA[<p>一段</p><p>两段：___</p>]]></text>'
            '</questiontext><answer fraction="100"><text>十五日</text></answer>'
            '<answer fraction="100"><text>15日</text></answer><answer fraction="50"><text>半个月</text></answer>'
            '<answer fraction="100"><text>1\\*5</text></answer>',
        ),
        _q(
            "shortanswer",
            '<questiontext format="plain_text"><text>&lt;p&gt;纯文本&lt;/p&gt;</text></questiontext>'
            '<answer fraction="100"><text>是</text></answer>',
        ),
    )
    result = moodle_xml.parse(data)
    assert result.problems == []
    truth, blank, plain = result.questions
    assert (truth.stem, truth.answer, truth.explanation, truth.external_id) == (
        "依法<b>应当</b>公开。",
        False,
        "见第十一条。",
        "air-0001",
    )
    assert (blank.qtype, blank.stem, blank.answer, blank.external_id) == (
        FILL_BLANK,
        "<p>一段</p><p>两段：___</p>",
        (("十五日", "15日", "1*5"),),
        None,
    )
    assert plain.stem == "<p>纯文本</p>"  # not HTML: kept as written


def test_html_written_as_elements_is_kept_as_html():
    data = _quiz(
        _q(
            "truefalse",
            '<questiontext format="html"><text><p>甲<b>乙</b></p></text></questiontext>'
            '<answer fraction="100"><text>true</text></answer>',
        )
    )
    assert moodle_xml.parse(data).questions[0].stem == "甲<b>乙</b>"


def test_unsupported_types_are_skipped_with_type_name_and_line():
    data = _quiz(
        *(
            _q(t, "<questiontext><text>x</text></questiontext>", f"名{i}")
            for i, t in enumerate(["essay", "matching", "numerical", "description", "cloze", "calculated", "ddwtos"])
        )
    )
    result = moodle_xml.parse(data)
    assert result.questions == [] and result.problems == []
    assert [(s.source_type, s.name, s.line) for s in result.skipped] == [
        ("essay", "名0", 3),
        ("matching", "名1", 7),
        ("numerical", "名2", 11),
        ("description", "名3", 15),
        ("cloze", "名4", 19),
        ("calculated", "名5", 23),
        ("ddwtos", "名6", 27),
    ]


def test_lines_ignore_question_tags_in_comments_and_cdata():
    data = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n<!-- <question type="essay"> -->\n'
        '<question type="shortanswer"><name><text>a</text></name>\n'
        '<questiontext format="html"><text><![CDATA[\n<question type="x">\n]]></text></questiontext>\n'
        '<answer fraction="100"><text>甲</text></answer></question>\n'
        '<question\ntype="essay"><name><text>b</text></name></question>\n</quiz>'
    ).encode()
    result = moodle_xml.parse(data)
    assert [q.line for q in result.questions] == [4]
    assert [(s.name, s.line) for s in result.skipped] == [("b", 9)]


# --- bad input ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "xml",
    [
        # billion laughs
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n<quiz><question type="essay"><name><text>&lol3;</text>'
        "</name></question></quiz>",
        # external entity
        '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        '<quiz><question type="truefalse"><questiontext><text>&xxe;</text></questiontext></question></quiz>',
        # a DTD alone
        '<?xml version="1.0"?>\n<!DOCTYPE quiz SYSTEM "http://example.invalid/quiz.dtd">\n<quiz></quiz>',
    ],
)
def test_entities_and_dtds_are_refused(xml):
    result = moodle_xml.parse(xml.encode())
    assert result.questions == [] and result.skipped == []
    assert [(p.msgid, p.field) for p in result.problems] == [(SAFETY, "file")]


def test_malformed_xml_names_the_line():
    data = b'<?xml version="1.0"?>\n<quiz>\n<question type="truefalse">\n<name><text>x</name>\n</question>\n</quiz>'
    result = moodle_xml.parse(data)
    [problem] = result.problems
    assert (problem.field, problem.row, problem.params["line"]) == ("file", 4, 4)
    assert "line %(line)s" in problem.msgid


def test_not_a_quiz():
    [problem] = moodle_xml.parse(b"<html><body/></html>").problems
    assert (problem.field, problem.params) == ("file", {"tag": "html"})


def test_bad_questions_report_field_and_line():
    data = _quiz(
        _q(
            "multichoice",
            "<questiontext><text>无正确项</text></questiontext>"
            '<answer fraction="0"><text>甲</text></answer><answer fraction="0"><text>乙</text></answer>',
        ),
        _q(
            "truefalse",
            "<questiontext><text>两个都对</text></questiontext>"
            '<answer fraction="100"><text>true</text></answer><answer fraction="100"><text>false</text></answer>',
        ),
        _q(
            "shortanswer",
            '<questiontext><text>通配符 ___</text></questiontext><answer fraction="100"><text>十五*</text></answer>',
        ),
        _q(
            "multichoice",
            "<questiontext><text>分数</text></questiontext>"
            '<answer fraction="abc"><text>甲</text></answer><answer fraction="100"><text>乙</text></answer>',
        ),
        _q(
            "truefalse",
            '<questiontext><text>难度</text></questiontext><answer fraction="100"><text>true</text>'
            "</answer><tags><tag><text>eduapp-difficulty:9</text></tag></tags>",
        ),
        _q(
            "shortanswer",
            '<questiontext><text>___和___</text></questiontext><answer fraction="100"><text>甲</text>'
            "</answer><tags><tag><text>eduapp-blanks:[1,2</text></tag></tags>",
        ),
        _q(
            "shortanswer",
            '<questiontext format="html"><text></text></questiontext><answer fraction="100"><text>甲</text></answer>',
        ),
    )
    result = moodle_xml.parse(data)
    assert result.questions == []
    assert [(p.field, p.row) for p in result.problems] == [
        ("answer", 3),
        ("answer", 7),
        ("answer", 11),
        ("answer", 15),
        ("difficulty", 19),
        ("answer", 23),
        ("stem", 27),
    ]
    assert result.problems[2].params == {"value": "十五*"}


def test_gbk_encoded_file():
    data = _quiz(
        _q(
            "truefalse",
            '<questiontext><text>中文题干</text></questiontext><answer fraction="100"><text>true</text></answer>',
        ),
        encoding="GBK",
    )
    result = moodle_xml.parse(data)
    assert [(q.stem, q.name, q.line) for q in result.questions] == [("中文题干", "题", 3)]


# --- writing ------------------------------------------------------------------------------------------------


def test_round_trip_all_types():
    data = moodle_xml.write(SAMPLES)
    result = moodle_xml.parse(data, category="不用")
    assert result.problems == [] and result.skipped == []
    # the fill_blank question after a category has "$course$/top" written before it, which means "no category":
    # it gets the default category of the import
    expected = SAMPLES[:3] + [SAMPLES[3].with_(category="不用")]
    assert _without_lines(result.questions) == expected
    assert moodle_xml.parse(data).questions[3].category is None


def test_written_file_structure():
    text = moodle_xml.write(SAMPLES).decode("utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n')
    assert text.count('<question type="category">') == 3
    assert [line.strip() for line in text.splitlines() if "$course$" in line] == [
        "<text>$course$/top/生态环境法律/大气污染防治法</text>",
        "<text>$course$/top/行政法律/行政强制法</text>",
        "<text>$course$/top</text>",
    ]
    assert "<tag><text>eduapp-law:中华人民共和国大气污染防治法</text></tag>" in text
    assert "<tag><text>eduapp-article:第十九条</text></tag>" in text
    assert "<tag><text>eduapp-difficulty:2</text></tag>" in text
    assert '<tag><text>eduapp-blanks:[["当事人"]]</text></tag>' in text
    assert "<text>3\\*日</text>" in text  # a literal star, not Moodle's wildcard
    assert "<single>false</single>" in text and '<answer fraction="33.33333" format="plain_text">' in text
    assert '<answer fraction="-50" format="plain_text">' in text
    lines = [q.line for q in moodle_xml.parse(text.encode()).questions]
    assert [text.splitlines()[n - 1].strip() for n in lines] == [
        '<question type="multichoice">',
        '<question type="multichoice">',
        '<question type="truefalse">',
        '<question type="shortanswer">',
    ]


def test_round_trip_tricky_text():
    question = QuestionData(
        qtype=SINGLE,
        stem="a < b && c > d ]]> <![CDATA[x]]> &amp; 《法》\r\n第二行\t“引号”'单'",
        options=("<p>甲</p>", "乙 & 丙"),
        answer=(1,),
        explanation="<p>整段</p>",
        tags=("a<b", "eduapp-other:x"),
        name="<名>",
        external_id="x-1",
    )
    [back] = moodle_xml.parse(moodle_xml.write([question])).questions
    assert back.with_(line=None) == question


def test_control_characters_are_dropped_when_writing():
    question = QuestionData(qtype=TRUE_FALSE, stem="题\x00干\x1b", answer=True, name="n")
    [back] = moodle_xml.parse(moodle_xml.write([question])).questions
    assert back.stem == "题干"


def test_name_is_made_when_missing():
    questions = [
        QuestionData(qtype=TRUE_FALSE, stem="  很长的题干" * 10, answer=True),
        QuestionData(qtype=TRUE_FALSE, stem="有编号", answer=True, external_id="eia-0001"),
    ]
    back = moodle_xml.parse(moodle_xml.write(questions)).questions
    assert back[0].name == ("很长的题干 " * 8).strip()[:40] + "…"
    assert back[1].name == "eia-0001"


def test_three_blanks_round_trip_and_json_tag():
    question = QuestionData(qtype=FILL_BLANK, stem="___、___和___", answer=(("甲",), ("乙", "yi"), ('"丙",]',)))
    data = moodle_xml.write([question])
    tag = next(line for line in data.decode().splitlines() if "eduapp-blanks:" in line)
    assert json.loads(tag.split("eduapp-blanks:", 1)[1].split("</text>")[0]) == [["乙", "yi"], ['"丙",]']]
    assert moodle_xml.parse(data).questions[0].answer == question.answer


def test_write_and_parse_10000_questions():
    questions = [SAMPLES[i % 4].with_(external_id=f"q-{i}", name=None) for i in range(10_000)]
    data = moodle_xml.write(questions)
    result = moodle_xml.parse(data)
    assert len(result.questions) == 10_000 and result.problems == []
    lines = data.decode().splitlines()
    assert lines[result.questions[-1].line - 1] == '  <question type="shortanswer">'
