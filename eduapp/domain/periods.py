"""Reporting periods: the dates a user types (or a preset), checked, and the buckets a period is
charted in. Dates are days in China; a period [start, end] includes both days."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from eduapp.domain.digits import is_digits
from eduapp.domain.problems import N_, Problem

MAX_DAYS = 3660  # ten years: longer periods are a typing mistake, not a report
EARLIEST = date(2000, 1, 1)
MONTHLY_UP_TO = 24  # a period spanning more months is charted by year

THIS_YEAR, LAST_YEAR, LAST_30_DAYS = "this_year", "last_year", "last_30_days"
PRESETS = (THIS_YEAR, LAST_YEAR, LAST_30_DAYS)


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Choice:
    """The period to show, and what was wrong with what was asked (then the default is shown)."""

    period: Period
    problems: list[Problem] = field(default_factory=list)


def default(today: date) -> Period:
    """This year up to today."""
    return Period(date(today.year, 1, 1), today)


def preset(name: str, today: date) -> Period:
    if name == THIS_YEAR:
        return Period(date(today.year, 1, 1), today)
    if name == LAST_YEAR:
        return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    if name == LAST_30_DAYS:
        return Period(today - timedelta(days=29), today)
    raise ValueError(f"unknown preset {name!r}")


def year(value: int) -> Period:
    return Period(date(value, 1, 1), date(value, 12, 31))


def _parse(raw: str | None, name: str, problems: list[Problem]) -> date | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        problems.append(Problem(N_("“%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31."),
                                {"value": text[:40]}, name))
        return None
    if day < EARLIEST or day.year > 2099:
        problems.append(Problem(N_("Choose a date from 2000-01-01 to 2099-12-31."), {}, name))
        return None
    return day


def choose(raw_from: str | None, raw_to: str | None, today: date) -> Choice:
    """The period for ``from`` and ``to`` as typed: a missing ``from`` is the first of this year, a
    missing ``to`` is today. Anything wrong gives the default period and problems naming the field."""
    problems: list[Problem] = []
    start = _parse(raw_from, "from", problems)
    end = _parse(raw_to, "to", problems)
    if problems:
        return Choice(default(today), problems)
    start = start or date((end or today).year, 1, 1)
    end = end or max(today, start)
    if end < start:
        return Choice(default(today), [Problem(N_("The end date %(end)s is before the start date %(start)s."),
                                               {"end": end.isoformat(), "start": start.isoformat()}, "to")])
    if (end - start).days + 1 > MAX_DAYS:
        return Choice(default(today), [Problem(N_("Choose a period of at most ten years."), {}, "from")])
    return Choice(Period(start, end))


def choose_year(raw: str | None, today: date) -> tuple[int, list[Problem]]:
    """The year of the annual summary (this year when missing or wrong)."""
    text = (raw or "").strip()
    if not text:
        return today.year, []
    if not is_digits(text) or not EARLIEST.year <= int(text) <= 2099:
        return today.year, [Problem(N_("“%(value)s” is not a year from 2000 to 2099."), {"value": text[:20]}, "year")]
    return int(text), []


@dataclass(frozen=True)
class Bucket:
    """A month (or a year) of a period, cut to the period: [start, end]."""

    year: int
    month: int | None  # None for a whole year
    start: date
    end: date


def buckets(period: Period) -> list[Bucket]:
    """The months a period touches, each cut to the period; by year when it spans more than
    MONTHLY_UP_TO months."""
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1
    out: list[Bucket] = []
    if months > MONTHLY_UP_TO:
        for y in range(period.start.year, period.end.year + 1):
            out.append(Bucket(y, None, max(period.start, date(y, 1, 1)), min(period.end, date(y, 12, 31))))
        return out
    y, m = period.start.year, period.start.month
    for _ in range(months):
        first = date(y, m, 1)
        following = date(y + (m == 12), m % 12 + 1, 1)
        out.append(Bucket(y, m, max(period.start, first), min(period.end, following - timedelta(days=1))))
        y, m = following.year, following.month
    return out
