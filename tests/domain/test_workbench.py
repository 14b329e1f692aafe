"""The study streak of the 工作台 (docs/workbench.md, "Study streak")."""

from datetime import date

import pytest

from eduapp.domain.workbench import STREAK_WINDOW, attempts_left, oldest_first, study_streak

TODAY = date(2026, 6, 10)


@pytest.mark.parametrize(
    ("days", "expected", "rule"),
    [
        ([], 0, "no activity: no streak"),
        ([date(2026, 6, 10)], 1, "today only"),
        ([date(2026, 6, 8), date(2026, 6, 9), date(2026, 6, 10)], 3, "three days up to today"),
        ([date(2026, 6, 8), date(2026, 6, 9)], 2, "today not over: a streak up to yesterday still runs"),
        ([date(2026, 6, 7), date(2026, 6, 8)], 0, "yesterday missed: the streak ended"),
        ([date(2026, 6, 6), date(2026, 6, 8), date(2026, 6, 9), date(2026, 6, 10)], 3, "a gap ends it"),
        ([date(2026, 6, 10), date(2026, 6, 10), date(2026, 6, 9)], 2, "several activities a day count once"),
        ([date(2026, 6, 11), date(2026, 6, 10)], 1, "a day after today does not count"),
    ],
)
def test_study_streak(days, expected, rule):
    assert study_streak(days, TODAY) == expected, rule


def test_the_streak_looks_back_at_most_a_window():
    from datetime import timedelta

    days = [TODAY - timedelta(days=n) for n in range(STREAK_WINDOW + 50)]
    assert study_streak(days, TODAY) == STREAK_WINDOW


def test_attempts_left_never_negative():
    assert (attempts_left(2, 1), attempts_left(2, 3)) == (1, 0)


def test_oldest_first_puts_undated_last():
    items = [("b", date(2026, 6, 2)), ("none", None), ("a", date(2026, 6, 1))]
    assert [i[0] for i in oldest_first(items, key=lambda i: i[1])] == ["a", "b", "none"]
