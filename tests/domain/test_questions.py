import pytest

from eduapp.domain.questions import (
    FILL_BLANK,
    MULTIPLE,
    SINGLE,
    TRUE_FALSE,
    QuestionData,
    answer_from_text,
    fingerprint,
    indices_from_letters,
    parse_citation,
    validate,
)


def _fields(q):
    return [p.field for p in validate(q)]


GOOD = QuestionData(
    SINGLE, "题干？", (1,), options=("甲", "乙", "丙"), law="中华人民共和国行政处罚法", article="第六十条"
)


@pytest.mark.parametrize(
    ("question", "fields"),
    [
        (GOOD, []),
        (GOOD.with_(stem="  "), ["stem"]),
        (GOOD.with_(options=("甲",), answer=(0,)), ["options"]),
        (GOOD.with_(options=tuple("ABCDEFGHI"), answer=(0,)), ["options"]),
        (GOOD.with_(answer=()), ["answer"]),  # no correct option
        (GOOD.with_(answer=(5,)), ["answer"]),  # an answer letter with no option
        (GOOD.with_(answer=(0, 1)), ["answer"]),  # single with two answers
        (GOOD.with_(qtype=MULTIPLE, answer=(0,)), ["answer"]),
        (GOOD.with_(qtype=MULTIPLE, answer=(0, 2)), []),
        (GOOD.with_(options=("甲", "甲 ", "丙")), ["options"]),
        (GOOD.with_(difficulty=6), ["difficulty"]),
        (GOOD.with_(article="99条"), ["article"]),
        (GOOD.with_(law=None), ["law"]),
        (GOOD.with_(status="gone"), ["status"]),
        (GOOD.with_(external_id="has space"), ["id"]),
        (QuestionData(TRUE_FALSE, "判断", True), []),
        (QuestionData(TRUE_FALSE, "判断", "yes"), ["answer"]),
        (QuestionData(FILL_BLANK, "应在___日内", (("15日", "十五日"),)), []),
        (QuestionData(FILL_BLANK, "不写空位的题干", (("答案",),)), []),  # one implied blank
        (QuestionData(FILL_BLANK, "___和___", (("甲",),)), ["answer"]),
        (QuestionData(FILL_BLANK, "___", ((),)), ["answer"]),
        (QuestionData("essay", "x", None), ["type"]),
    ],
)
def test_validate(question, fields):
    assert _fields(question) == fields


def test_letters_and_answers():
    assert indices_from_letters("a, c、D", 4) == (0, 2, 3)
    assert indices_from_letters("E", 4) is None
    assert indices_from_letters("AA", 4) is None
    assert answer_from_text(TRUE_FALSE, "×", 0) is False
    assert answer_from_text(TRUE_FALSE, "正确", 0) is True
    assert answer_from_text(FILL_BLANK, "15日|十五日；三十日", 0) == (("15日", "十五日"), ("三十日",))


def test_fingerprint_ignores_id_status_and_place():
    assert fingerprint(GOOD) == fingerprint(GOOD.with_(external_id="x-1", status="retired", line=9, category="a/b"))
    assert fingerprint(GOOD) != fingerprint(GOOD.with_(answer=(2,)))


def test_parse_citation():
    assert parse_citation("《中华人民共和国大气污染防治法》第九十九条") == (
        "中华人民共和国大气污染防治法",
        "第九十九条",
    )
    assert parse_citation("《排污许可管理条例》") == ("排污许可管理条例", None)
    assert parse_citation("第九十九条") == (None, None)


def test_answer_boxes_shown_per_question_type():
    from eduapp.domain.questions import blanks_shown

    assert blanks_shown("fill_blank", "企业应当在____日内提出，并于____日内办结") == 2
    assert blanks_shown("fill_blank", "罚款的缴纳期限是多少日") == 1  # no marker: one blank at the end
    assert blanks_shown("single", "下列____哪项正确") == 0
