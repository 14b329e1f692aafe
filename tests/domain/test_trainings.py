"""Trainings' rules as tables: the kinds the annual report counts (2024 report: "累计开展集中学法4次 …
组织各类法律培训讲座5次 … 开展'一把手讲法'"), the kind a title names (migration 0018), when a training
starts, what a training form may hold, and when a registration is refused."""

from datetime import UTC, date, datetime, time

import pytest

from eduapp.domain import trainings as rules
from eduapp.domain.dashboard import TrainingRow, by_kind

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in China


@pytest.mark.parametrize(("title", "kind"), [
    ("2024年第一次集中学法", rules.COLLECTIVE_STUDY),
    ("法律培训讲座：海洋环境保护法", rules.LECTURE),
    ("“一把手讲法”普法讲堂", rules.HEAD_LECTURE),
    ("集中学法暨专家讲座", rules.COLLECTIVE_STUDY),  # the first hint wins: 集中学法 > 讲法 > 讲座
    ("局长讲法：专题讲座", rules.HEAD_LECTURE),
    ("排污许可专题培训", rules.OTHER),
    ("", rules.OTHER),
])
def test_the_kind_a_title_names(title, kind):
    assert rules.kind_from_title(title) == kind


@pytest.mark.parametrize(("day", "at", "utc"), [
    (date(2026, 6, 3), time(14, 30), datetime(2026, 6, 3, 6, 30, tzinfo=UTC)),  # China is UTC+8
    (date(2026, 6, 3), None, datetime(2026, 6, 2, 16, 0, tzinfo=UTC)),  # no time: the day's start in China
])
def test_a_training_starts_at_its_time_in_china(day, at, utc):
    assert rules.starts_at(day, at) == utc


@pytest.mark.parametrize(("kind", "place", "capacity", "fields"), [
    (rules.LECTURE, "局一楼报告厅", 40, []),
    (rules.OTHER, None, None, []),  # place and capacity are optional
    ("party", None, None, ["kind"]),
    (rules.LECTURE, "会" * 201, None, ["place"]),
    (rules.LECTURE, None, 0, ["capacity"]),
    (rules.LECTURE, None, 10001, ["capacity"]),
    (rules.LECTURE, None, True, ["capacity"]),  # a boolean is not a number of people
])
def test_what_a_training_may_hold(kind, place, capacity, fields):
    found = rules.problems("集中学法", date(2026, 6, 3), 2, kind, place, capacity)
    assert [p.field for p in found] == fields


@pytest.mark.parametrize(("held_at", "registered", "capacity", "refusal"), [
    (datetime(2026, 6, 3, tzinfo=UTC), 0, None, None),
    (datetime(2026, 6, 3, tzinfo=UTC), 1, 2, None),
    (datetime(2026, 6, 3, tzinfo=UTC), 2, 2, rules.FULL),
    (NOW, 0, None, rules.STARTED),  # it starts now: closed
    (datetime(2026, 5, 1, tzinfo=UTC), 5, 2, rules.STARTED),  # started wins over full
])
def test_when_a_registration_is_refused(held_at, registered, capacity, refusal):
    assert rules.refusal(held_at, NOW, registered, capacity) == refusal


@pytest.mark.parametrize(("capacity", "registered", "left"), [(None, 7, None), (2, 0, 2), (2, 2, 0), (2, 3, 0)])
def test_places_left(capacity, registered, left):
    assert rules.places_left(capacity, registered) == left


def test_sessions_are_counted_for_every_kind_in_the_reports_order():
    rows = [TrainingRow(1, "a", date(2026, 3, 1), 5, 0, rules.COLLECTIVE_STUDY),
            TrainingRow(2, "b", date(2026, 4, 1), 3, 0, rules.LECTURE),
            TrainingRow(3, "c", date(2026, 5, 1), 2, 0, rules.COLLECTIVE_STUDY)]
    counted = by_kind(rows)
    assert list(counted) == list(rules.KINDS)
    assert {k: (v.sessions, v.attendance) for k, v in counted.items()} == {
        rules.COLLECTIVE_STUDY: (2, 7), rules.LECTURE: (1, 3), rules.HEAD_LECTURE: (0, 0), rules.OTHER: (0, 0)}
