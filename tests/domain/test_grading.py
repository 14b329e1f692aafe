import pytest

from eduapp.domain.grading import (
    MC_ALL_OR_NOTHING,
    MC_PARTIAL_HALF,
    MC_PROPORTIONAL,
    check_response,
    compile_key,
    grade,
    is_correct,
    points_number,
    points_text,
)

SINGLE = compile_key("single", [2])
MULTI = compile_key("multiple", [0, 2, 3])
TRUE = compile_key("true_false", True)
FALSE = compile_key("true_false", False)
BLANKS = compile_key("fill_blank", [["十五日", "15日"], ["当事人"]])


@pytest.mark.parametrize(
    ("key", "response", "rule", "mark"),
    [
        (SINGLE, 2, MC_PARTIAL_HALF, 500),
        (SINGLE, 1, MC_PARTIAL_HALF, 0),
        (SINGLE, None, MC_PARTIAL_HALF, 0),
        (TRUE, True, MC_PARTIAL_HALF, 500),
        (TRUE, False, MC_PARTIAL_HALF, 0),
        (FALSE, False, MC_PARTIAL_HALF, 500),
        (TRUE, 1, MC_PARTIAL_HALF, 0),  # 1 is not true
        # multiple choice, the common Chinese rule: all = full, a right subset = half, any wrong = 0
        (MULTI, [0, 2, 3], MC_PARTIAL_HALF, 500),
        (MULTI, [3, 0, 2], MC_PARTIAL_HALF, 500),
        (MULTI, [0, 2], MC_PARTIAL_HALF, 250),
        (MULTI, [0], MC_PARTIAL_HALF, 250),
        (MULTI, [0, 1], MC_PARTIAL_HALF, 0),
        (MULTI, [0, 1, 2, 3], MC_PARTIAL_HALF, 0),
        (MULTI, [], MC_PARTIAL_HALF, 0),
        (MULTI, [0, 2], MC_PROPORTIONAL, 333),
        (MULTI, [0], MC_PROPORTIONAL, 166),
        (MULTI, [0, 1], MC_PROPORTIONAL, 0),
        (MULTI, [0, 2], MC_ALL_OR_NOTHING, 0),
        (MULTI, [0, 2, 3], MC_ALL_OR_NOTHING, 500),
        # fill in the blank: normalised, alternatives, marks shared between blanks
        (BLANKS, ["十五日", "当事人"], MC_PARTIAL_HALF, 500),
        (BLANKS, ["１５ 日", "当事人"], MC_PARTIAL_HALF, 500),
        (BLANKS, ["15日", "行政机关"], MC_PARTIAL_HALF, 250),
        (BLANKS, ["", ""], MC_PARTIAL_HALF, 0),
        (BLANKS, ["当事人", "十五日"], MC_PARTIAL_HALF, 0),
    ],
)
def test_grading_table(key, response, rule, mark):
    assert grade(key, response, 5, rule) == mark


def test_case_and_width_in_blanks():
    key = compile_key("fill_blank", [["PM2.5"]])
    assert grade(key, ["ｐｍ２．５"], 2) == 200
    assert is_correct(key, [" pm2.5 "]) and not is_correct(key, ["pm25"])


@pytest.mark.parametrize(
    ("qtype", "raw", "ok"),
    [
        ("single", 1, 1),
        ("single", 4, None),
        ("single", True, None),
        ("single", "1", None),
        ("multiple", [2, 0], [0, 2]),
        ("multiple", [0, 0], None),
        ("multiple", [9], None),
        ("multiple", 1, None),
        ("true_false", False, False),
        ("true_false", 0, None),
        ("fill_blank", [" 十五日 ", "甲"], ["十五日", "甲"]),
        ("fill_blank", ["only one"], None),
        ("fill_blank", ["a", "x" * 201], None),
    ],
)
def test_check_response(qtype, raw, ok):
    value, problem = check_response(qtype, raw, 4, "在___日内由___承担")
    if ok is None:
        assert value is None and problem is not None and problem.field == "response"
    else:
        assert (value, problem) == (ok, None)
    assert check_response(qtype, None, 4, "___") == (None, None)


@pytest.mark.parametrize(("centipoints", "number", "text"), [
    (8500, 85, "85"),  # a whole score has no trailing ".0"
    (8550, 85.5, "85.5"),
    (8525, 85.25, "85.25"),
    (0, 0, "0"),
    (None, None, "–"),
])
def test_scores_are_shown_without_a_trailing_point_zero(centipoints, number, text):
    assert points_number(centipoints) == number and type(points_number(centipoints)) is type(number)
    assert points_text(centipoints) == text
