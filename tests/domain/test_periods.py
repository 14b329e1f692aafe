"""Reporting periods: what a user types, the presets, and the months a period is charted in."""

from datetime import date

import pytest

from eduapp.domain import periods
from eduapp.domain.periods import Period

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(("raw_from", "raw_to", "expected"), [
    ("", "", Period(date(2026, 1, 1), TODAY)),
    ("2026-03-01", "2026-03-31", Period(date(2026, 3, 1), date(2026, 3, 31))),
    (" 2025-01-01 ", None, Period(date(2025, 1, 1), TODAY)),
    ("", "2025-06-30", Period(date(2025, 1, 1), date(2025, 6, 30))),  # the year of the end date
    ("2027-02-01", "", Period(date(2027, 2, 1), date(2027, 2, 1))),  # a start after today: that day
    ("2026-05-05", "2026-05-05", Period(date(2026, 5, 5), date(2026, 5, 5))),
])
def test_good_periods(raw_from, raw_to, expected):
    choice = periods.choose(raw_from, raw_to, TODAY)
    assert (choice.period, choice.problems) == (expected, [])


@pytest.mark.parametrize(("raw_from", "raw_to", "field"), [
    ("2026-13-01", "", "from"),
    ("yesterday", "2026-01-01", "from"),
    ("2026-01-01", "2026/02/01", "to"),
    ("1999-12-31", "", "from"),
    ("", "2100-01-01", "to"),
    ("2026-05-01", "2026-04-30", "to"),
    ("2000-01-01", "2026-01-01", "from"),  # over ten years
])
def test_bad_periods_name_the_field_and_give_the_default(raw_from, raw_to, field):
    choice = periods.choose(raw_from, raw_to, TODAY)
    assert choice.period == periods.default(TODAY)
    assert [p.field for p in choice.problems][:1] == [field]


def test_presets_and_years():
    assert periods.preset(periods.THIS_YEAR, TODAY) == Period(date(2026, 1, 1), TODAY)
    assert periods.preset(periods.LAST_YEAR, TODAY) == Period(date(2025, 1, 1), date(2025, 12, 31))
    assert periods.preset(periods.LAST_30_DAYS, TODAY) == Period(date(2026, 10, 27), TODAY)
    assert periods.preset(periods.LAST_30_DAYS, TODAY).days == 30
    assert periods.choose_year("2024", TODAY) == (2024, [])
    assert periods.choose_year("", TODAY) == (2026, [])
    for bad in ("20x6", "1999", "-1", "99999", "²", "２０２４", "٢٠٢٤"):
        year, problems = periods.choose_year(bad, TODAY)
        assert year == 2026 and problems[0].field == "year"


def test_buckets_are_the_months_cut_to_the_period():
    found = periods.buckets(Period(date(2025, 11, 15), date(2026, 2, 10)))
    assert [(b.year, b.month, b.start, b.end) for b in found] == [
        (2025, 11, date(2025, 11, 15), date(2025, 11, 30)),
        (2025, 12, date(2025, 12, 1), date(2025, 12, 31)),
        (2026, 1, date(2026, 1, 1), date(2026, 1, 31)),
        (2026, 2, date(2026, 2, 1), date(2026, 2, 10)),
    ]
    assert len(periods.buckets(Period(date(2024, 1, 1), date(2025, 12, 31)))) == 24
    by_year = periods.buckets(Period(date(2023, 7, 1), date(2025, 12, 31)))
    assert [(b.year, b.month, b.start) for b in by_year] == [
        (2023, None, date(2023, 7, 1)), (2024, None, date(2024, 1, 1)), (2025, None, date(2025, 1, 1))]
