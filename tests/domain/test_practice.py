"""Practice rules, as tables of cases: the order of a round, the daily set, the book, progress, input."""

from datetime import UTC, date, datetime, timedelta

import pytest

from eduapp.domain.grading import compile_key
from eduapp.domain.practice import (
    BOOK,
    CATEGORY,
    DAILY,
    EXAM,
    LAW,
    MISSED,
    PLAIN,
    PRACTICE,
    RIGHT,
    TAG,
    WRONG,
    AnswerRecord,
    CategoryCount,
    LawProgress,
    Scope,
    answers_in_round,
    blank_marks,
    category_counts,
    china_day,
    daily_draw,
    daily_set,
    day_bounds,
    last_seq,
    latest_answers,
    mastered,
    new_round,
    next_question,
    option_marks,
    parse_question_id,
    parse_response,
    parse_scope,
    practice_order,
    progress_by_law,
    round_mark,
    round_progress,
    wrong_book,
)

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def rec(question_id: int, correct: bool, minutes: int, seq: int = 0, source: str = PRACTICE) -> AnswerRecord:
    return AnswerRecord(question_id, correct, at(minutes), seq or minutes + 1, source)


# --- the book and mastery --------------------------------------------------------------------------------

BOOK_CASES = [
    # (answers, published or None, in the book, most recently missed first)
    ([], None, []),
    ([rec(1, False, 0)], None, [1]),
    ([rec(1, False, 0), rec(1, True, 5)], None, []),  # answered correctly later: out
    ([rec(1, True, 0), rec(1, False, 5)], None, [1]),  # wrong again: back in
    ([rec(1, False, 0), rec(2, False, 3)], None, [2, 1]),
    ([rec(1, False, 0), rec(1, True, 1, source=EXAM)], None, []),  # an exam answer counts too
    ([rec(1, True, 0), rec(1, False, 1, source=DAILY)], None, [1]),  # and a daily one
    ([rec(1, False, 0), rec(2, False, 1)], {2}, [2]),  # retired questions are left out
    # two answers at the same instant: the later row wins
    ([AnswerRecord(1, True, at(0), 8), AnswerRecord(1, False, at(0), 9)], None, [1]),
    ([AnswerRecord(1, False, at(0), 8), AnswerRecord(1, True, at(0), 9)], None, []),
    # the order of the list does not matter, the times do
    ([rec(1, True, 5), rec(1, False, 0)], None, []),
]


@pytest.mark.parametrize(("records", "published", "expected"), BOOK_CASES)
def test_wrong_book(records, published, expected):
    assert wrong_book(records, published) == expected


def test_the_book_as_it_stood_when_a_round_started():
    records = [rec(1, False, 0, seq=1), rec(2, False, 1, seq=2), rec(1, True, 10, seq=3), rec(3, False, 11, seq=4)]
    assert wrong_book(records, upto=2) == [2, 1]
    assert wrong_book(records, upto=0) == []
    assert wrong_book(records) == [3, 2]


@pytest.mark.parametrize(
    ("records", "expected"),
    [
        ([], set()),
        ([rec(1, False, 0)], set()),
        ([rec(1, False, 0), rec(1, True, 1)], {1}),
        ([rec(1, True, 0), rec(1, False, 1)], {1}),  # once right is mastered, even if missed since
        ([rec(1, True, 0), rec(1, True, 1), rec(2, True, 2, source=EXAM)], {1, 2}),
    ],
)
def test_mastered(records, expected):
    assert mastered(records) == expected


def test_latest_answers_up_to_a_row():
    records = [rec(1, False, 0, seq=1), rec(1, True, 10, seq=2)]
    assert latest_answers(records)[1].correct is True
    assert latest_answers(records, upto=1)[1].correct is False
    assert latest_answers(records, upto=0) == {}


# --- rounds ------------------------------------------------------------------------------------------


def test_not_yet_mastered_questions_come_first_then_the_rest():
    candidates = list(range(1, 21))
    known = {2, 4, 6, 8, 10}
    order = practice_order(candidates, known, "seed")
    assert sorted(order) == candidates
    assert set(order[:15]) == set(candidates) - known
    assert set(order[15:]) == known


def test_the_order_is_random_but_reproducible():
    candidates = list(range(1, 51))
    first = practice_order(candidates, set(), "1772416800.aa11bb22")
    assert practice_order(reversed(candidates), set(), "1772416800.aa11bb22") == first
    assert practice_order(candidates, set(), "1772416800.cc33dd44") != first
    assert first != sorted(first)


@pytest.mark.parametrize(
    ("candidates", "known", "done", "expected_in"),
    [
        ([1, 2, 3], set(), set(), {1, 2, 3}),
        ([1, 2, 3], {1, 2}, set(), {3}),  # the one not mastered
        ([1, 2, 3], {1, 2}, {3}, {1, 2}),  # then the rest
        ([1, 2, 3], set(), {1, 2, 3}, {None}),  # round over
        ([], set(), set(), {None}),
    ],
)
def test_next_question(candidates, known, done, expected_in):
    assert next_question(candidates, known, done, "s") in expected_in


def test_a_round_visits_every_question_once():
    candidates = [5, 6, 7, 8]
    done: set[int] = set()
    seen = []
    while (q := next_question(candidates, {6}, done, "r")) is not None:
        seen.append(q)
        done.add(q)
    assert sorted(seen) == candidates and seen[-1] == 6


@pytest.mark.parametrize(
    ("candidates", "answers", "total", "answered", "right_first_time", "position", "finished"),
    [
        ([1, 2, 3], [], 3, 0, 0, 1, False),
        ([1, 2, 3], [rec(1, True, 1)], 3, 1, 1, 2, False),
        ([1, 2, 3], [rec(1, False, 1), rec(1, True, 2)], 3, 1, 0, 2, False),  # the first try counts
        ([1, 2, 3], [rec(9, True, 1)], 3, 0, 0, 1, False),  # another scope's question
        ([1, 2], [rec(1, True, 1), rec(2, False, 2)], 2, 2, 1, 2, True),
        ([], [], 0, 0, 0, 0, True),
    ],
)
def test_round_progress(candidates, answers, total, answered, right_first_time, position, finished):
    p = round_progress(candidates, answers)
    assert (p.total, p.answered, p.right_first_time, p.position, p.finished) == (
        total,
        answered,
        right_first_time,
        position,
        finished,
    )


def test_only_practice_answers_stored_since_the_start_belong_to_a_round():
    records = [
        rec(1, True, 0, seq=5),
        rec(2, True, 0, seq=6),  # the same instant as the one before, but stored after the round started
        rec(3, True, 11, seq=7, source=DAILY),
        rec(4, True, 12, seq=8, source=EXAM),
    ]
    assert [r.question_id for r in answers_in_round(records, 5)] == [2]
    assert last_seq(records) == 8 and last_seq([]) == 0


@pytest.mark.parametrize(
    ("token", "latest", "mark"),
    [
        (new_round(0, "aa11bb22"), 0, 0),
        (new_round(41, "aa11bb22"), 41, 41),
        ("41.0123456789abcdef", 50, 41),
        ("42.aa11bb22", 41, None),  # past the learner's latest answer
        ("", 0, None),
        (None, 0, None),
        ("abc", 0, None),
        ("41", 50, None),
        ("41.XYZ", 50, None),
        ("-1.aa11bb22", 50, None),
        ("41.aa11bb22; drop", 50, None),
        ("9" * 400 + ".aa11bb22", 10**500, None),
    ],
)
def test_round_tokens(token, latest, mark):
    assert round_mark(token, latest) == mark


# --- the daily set -------------------------------------------------------------------------------------

POOL = [(n, ("single", "multiple", "true_false", "fill_blank")[n % 4]) for n in range(1, 41)]
TYPE = dict(POOL)


def test_the_daily_set_is_ten_questions_mixing_the_types():
    chosen = daily_set(7, date(2026, 3, 2), POOL)
    assert len(chosen) == len(set(chosen)) == 10
    counts = {t: sum(1 for q in chosen if TYPE[q] == t) for t in set(TYPE.values())}
    assert sorted(counts.values()) == [2, 2, 3, 3]


def test_the_daily_set_is_the_same_all_day_and_changes_with_the_day_and_the_learner():
    day = date(2026, 3, 2)
    assert daily_set(7, day, POOL) == daily_set(7, day, list(reversed(POOL)))
    assert daily_set(7, day, POOL) != daily_set(7, day + timedelta(days=1), POOL)
    assert daily_set(7, day, POOL) != daily_set(8, day, POOL)


def test_answering_does_not_change_the_set():
    day = date(2026, 3, 2)
    drawn = daily_set(7, day, POOL)
    for n in range(11):
        assert daily_set(7, day, POOL, drawn[:n]) == drawn


def test_questions_answered_today_stay_in_the_set_whatever_happens_to_the_bank():
    day = date(2026, 3, 2)
    drawn = daily_set(7, day, POOL)
    answered = [drawn[0], drawn[4], drawn[2]]  # answered in another order than shown
    # two answered questions retired, one unanswered retired, and new questions published
    later = [item for item in POOL if item[0] not in (drawn[0], drawn[2], drawn[1])]
    later += [(100 + n, "single") for n in range(20)]
    again = daily_set(7, day, later, answered)
    assert len(again) == 10
    assert set(answered) <= set(again)
    assert again[:2] == [drawn[0], drawn[2]]  # no longer in the bank: first, as answered
    assert drawn[1] not in again


def test_the_draw_takes_the_types_in_turn():
    drawn = daily_draw(3, date(2026, 3, 2), POOL)
    assert sorted(drawn) == sorted(q for q, _ in POOL)
    first_round = [TYPE[q] for q in drawn[:4]]
    assert sorted(first_round) == ["fill_blank", "multiple", "single", "true_false"]
    assert [TYPE[q] for q in drawn[4:8]] == first_round


@pytest.mark.parametrize(
    ("pool", "size", "expected"),
    [
        ([], 10, 0),
        ([(1, "single"), (2, "true_false")], 10, 2),  # a small bank: all of it
        (POOL, 5, 5),
    ],
)
def test_daily_set_size(pool, size, expected):
    assert len(daily_set(1, date(2026, 1, 1), pool, size=size)) == expected


@pytest.mark.parametrize(
    ("now", "day"),
    [
        (datetime(2026, 3, 1, 15, 59, tzinfo=UTC), date(2026, 3, 1)),  # 23:59 in Beijing
        (datetime(2026, 3, 1, 16, 0, tzinfo=UTC), date(2026, 3, 2)),  # midnight in Beijing
        (datetime(2026, 3, 2, 2, 0, tzinfo=UTC), date(2026, 3, 2)),
    ],
)
def test_the_day_is_the_day_in_china(now, day):
    assert china_day(now) == day


def test_day_bounds():
    start, end = day_bounds(date(2026, 3, 2))
    assert start == datetime(2026, 3, 1, 16, 0, tzinfo=UTC)
    assert end - start == timedelta(days=1)


# --- progress ----------------------------------------------------------------------------------------


def test_progress_by_law_counts_distinct_questions():
    pool = [(1, "甲法"), (2, "甲法"), (3, "甲法"), (4, "乙条例"), (5, None), (6, "乙法")]
    assert progress_by_law(pool, {1, 3, 4, 5, 99}) == [
        LawProgress("乙法", 1, 0),
        LawProgress("甲法", 3, 2),
        LawProgress("乙条例", 1, 1),  # laws before regulations
    ]
    assert [p.percent for p in progress_by_law(pool, {1, 3, 4})] == [0, 66, 100]


def test_category_counts_include_sub_categories():
    paths = ["行政法律/行政处罚法", "行政法律/行政许可法", "行政法律", "生态环境法律/大气", None, "行政法律/行政处罚法"]
    assert category_counts(paths) == [
        CategoryCount("生态环境法律", "生态环境法律", 0, 1),
        CategoryCount("生态环境法律/大气", "大气", 1, 1),
        CategoryCount("行政法律", "行政法律", 0, 4),
        CategoryCount("行政法律/行政处罚法", "行政处罚法", 1, 2),
        CategoryCount("行政法律/行政许可法", "行政许可法", 1, 1),
    ]


# --- input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "scope", "field"),
    [
        ("law", "中华人民共和国行政处罚法", Scope(LAW, "中华人民共和国行政处罚法"), None),
        ("category", "/行政法律/", Scope(CATEGORY, "行政法律"), None),
        ("tag", " 单选 ", Scope(TAG, "单选"), None),
        ("book", "", Scope(BOOK), None),
        ("book", "anything", Scope(BOOK), None),
        ("law", "", None, "value"),
        ("tag", "x" * 301, None, "value"),
        ("", "x", None, "kind"),
        ("exam", "x", None, "kind"),
        (None, None, None, "kind"),
    ],
)
def test_parse_scope(kind, value, scope, field):
    parsed, problem = parse_scope(kind, value)
    assert parsed == scope
    assert (problem.field if problem else None) == field


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12", 12), (" 7 ", 7), ("", None), (None, None), ("-1", None), ("1.5", None), ("١٢", None), ("9" * 13, None)],
)
def test_parse_question_id(raw, expected):
    value, problem = parse_question_id(raw)
    assert value == expected
    assert (problem is None) == (expected is not None)
    if problem:
        assert problem.field == "question_id"


STEM = "应当在___日内"
TWO_BLANKS = "___和___"


@pytest.mark.parametrize(
    ("qtype", "values", "stem", "expected", "problem"),
    [
        ("single", ["1"], "", 1, None),
        ("single", ["3"], "", 3, None),
        ("single", ["4"], "", None, "Choose one of the options."),  # forged index
        ("single", ["-1"], "", None, "Choose options from the list."),
        # typed as letters (full-width and Chinese separators too), A the first option
        ("single", ["B"], "", 1, None),
        ("single", ["ｂ"], "", 1, None),
        ("single", ["E"], "", None, "Choose options from the list."),  # no fifth option
        ("single", ["AB"], "", None, "Choose one of the options."),
        ("multiple", ["Ａ，Ｃ"], "", [0, 2], None),
        ("multiple", ["c、a"], "", [0, 2], None),
        ("multiple", ["A A"], "", None, "Choose options from the list."),  # repeated
        ("multiple", ["A", "x"], "", None, "Choose options from the list."),
        ("single", ["0", "1"], "", None, "Choose one of the options."),
        ("single", [], "", None, "Choose an answer."),
        ("single", [""], "", None, "Choose an answer."),
        ("multiple", ["2", "0"], "", [0, 2], None),
        ("multiple", ["0", "0"], "", None, "Choose options from the list."),
        ("multiple", ["0", "9"], "", None, "Choose options from the list."),
        ("multiple", [], "", None, "Choose an answer."),
        ("true_false", ["true"], "", True, None),
        ("true_false", ["false"], "", False, None),
        ("true_false", ["yes"], "", None, "Answer true or false."),
        ("true_false", ["true", "false"], "", None, "Answer true or false."),
        ("true_false", [], "", None, "Answer true or false."),
        ("fill_blank", [" 十五 "], STEM, ["十五"], None),
        ("fill_blank", ["十五", ""], TWO_BLANKS, ["十五", ""], None),  # one blank left empty: an answer
        ("fill_blank", ["", " "], TWO_BLANKS, None, "Fill in the blanks."),
        ("fill_blank", [], STEM, None, "Fill in the blanks."),
        ("fill_blank", ["a", "b"], STEM, None, "Give one answer for each of the %(n)s blanks."),
        ("fill_blank", ["x" * 201], STEM, None, "An answer is longer than %(max)s characters."),
    ],
)
def test_parse_response(qtype, values, stem, expected, problem):
    response, found = parse_response(qtype, values, 4, stem)
    assert response == expected
    assert (found.msgid if found else None) == problem
    if found:
        assert found.field == "response"


# --- feedback ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qtype", "answer", "response", "marks"),
    [
        ("single", [1], 1, [PLAIN, RIGHT, PLAIN, PLAIN]),
        ("single", [1], 2, [PLAIN, MISSED, WRONG, PLAIN]),
        ("multiple", [0, 2, 3], [0, 2, 3], [RIGHT, PLAIN, RIGHT, RIGHT]),
        ("multiple", [0, 2, 3], [0, 1], [RIGHT, WRONG, MISSED, MISSED]),
        ("multiple", [0, 2, 3], [2], [MISSED, PLAIN, RIGHT, MISSED]),
    ],
)
def test_option_marks(qtype, answer, response, marks):
    assert option_marks(compile_key(qtype, answer), response, 4) == marks


@pytest.mark.parametrize(
    ("response", "marks"),
    [
        (["15日", "当事人"], [True, True]),
        (["１５日", " 当 事 人 "], [True, True]),  # full width and spaces are folded
        (["十五天", "当事人"], [False, True]),
        (["", ""], [False, False]),
        (["15日"], [True, False]),
    ],
)
def test_blank_marks(response, marks):
    key = compile_key("fill_blank", [["十五日", "15日"], ["当事人"]])
    assert blank_marks(key, response) == marks
