"""The ledger as people read it: one reservation (taken from several lots) is one line."""

from datetime import UTC, datetime
from types import SimpleNamespace

from eduapp.domain.ledger_lines import lines

T1 = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
T2 = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)


def _entry(id, kind, amount, reservation_id=None, created_at=T1):
    return SimpleNamespace(id=id, kind=kind, amount=amount, reason=kind, created_at=created_at, expires_at=None,
                           reservation_id=reservation_id)


def test_the_entries_of_one_reservation_are_one_line_with_their_sum():
    entries = [_entry(9, "void", 15, 7, T2), _entry(8, "void", 15, 7, T2),  # newest first
               _entry(6, "reserve", -15, 7), _entry(5, "reserve", -10, 7), _entry(4, "reserve", -5, 7),
               _entry(3, "award", 20), _entry(2, "award", 10)]
    shown = [(line.kind, line.amount, line.entry_ids) for line in lines(entries)]
    assert shown == [("void", 30, (9, 8)), ("reserve", -30, (6, 5, 4)), ("award", 20, (3,)), ("award", 10, (2,))]
    assert lines(entries)[1].id == 6  # links and actions use the first entry's id


def test_two_reservations_or_two_awards_at_one_moment_stay_apart():
    entries = [_entry(4, "reserve", -3, 2), _entry(3, "reserve", -4, 1), _entry(2, "award", 5), _entry(1, "award", 5)]
    assert [line.amount for line in lines(entries)] == [-3, -4, 5, 5]
    assert lines([]) == []
