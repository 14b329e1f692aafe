"""The ledger's rules as tables of cases: FIFO lots, expiry, balances, caps, reconciliation."""

from datetime import UTC, date, datetime, timedelta

import pytest

from eduapp.domain import points as rules
from eduapp.domain.points import (
    AccountFigures,
    Allocation,
    Balance,
    LotFigures,
    ReservationFigures,
    Rule,
    add_months,
    adjustment_problems,
    allocate,
    balance,
    capped,
    expired_lots,
    expiry_for,
    is_expired,
    period_start,
    pool_share,
    reconcile,
    rule_problems,
    void_plan,
)

# 10:00 in China on 15 March 2026.
NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)
TODAY_END = datetime(2026, 3, 15, 15, 59, 59, 999999, tzinfo=UTC)  # the last microsecond of 15 March in China
YESTERDAY_END = TODAY_END - timedelta(days=1)


def days(n: int) -> datetime:
    return TODAY_END + timedelta(days=n)


@pytest.mark.parametrize(
    ("lots", "amount", "expected"),
    [
        # soonest-expiring first, whatever the order given
        ([(1, 5, days(30)), (2, 5, days(3)), (3, 5, days(90))], 7, Allocation(((2, 5), (1, 2)))),
        # a lot expiring today is still usable, and goes first
        ([(1, 5, days(30)), (2, 3, TODAY_END)], 4, Allocation(((2, 3), (1, 1)))),
        # a lot that expired yesterday is ignored
        ([(1, 5, days(30)), (2, 3, YESTERDAY_END)], 4, Allocation(((1, 4),))),
        # exactly everything there is
        ([(1, 5, days(30)), (2, 3, days(1))], 8, Allocation(((2, 3), (1, 5)))),
        # short by one: nothing taken, the shortfall named
        ([(1, 5, days(30)), (2, 3, days(1))], 9, Allocation((), 1)),
        # short because the big lot expired
        ([(1, 50, YESTERDAY_END), (2, 3, days(1))], 4, Allocation((), 1)),
        # ties on expiry: the older (lower id) lot first
        ([(9, 2, days(5)), (4, 2, days(5))], 3, Allocation(((4, 2), (9, 1)))),
        # empty lots are skipped
        ([(1, 0, days(1)), (2, 4, days(2))], 4, Allocation(((2, 4),))),
        # no lots at all
        ([], 1, Allocation((), 1)),
    ],
)
def test_allocate_takes_the_soonest_expiring_lots_first(lots, amount, expected):
    assert allocate(lots, amount, NOW) == expected
    assert allocate(lots, amount, NOW).ok is (expected.shortfall == 0)


@pytest.mark.parametrize("amount", [0, -1, 1.5, True, "3", rules.MAX_POINTS + 1])
def test_allocate_refuses_amounts_that_are_not_positive_whole_points(amount):
    with pytest.raises(ValueError):
        allocate([(1, 5, days(1))], amount, NOW)


@pytest.mark.parametrize(
    ("awarded_at", "months", "expires_at"),
    [
        # 10:00 on 15 March 2026 in China + 12 months: usable through 15 March 2027
        (NOW, 12, datetime(2027, 3, 15, 15, 59, 59, 999999, tzinfo=UTC)),
        # 23:30 on 31 January in China is already 31 January there: + 1 month is the end of February
        (datetime(2026, 1, 31, 15, 30, tzinfo=UTC), 1, datetime(2026, 2, 28, 15, 59, 59, 999999, tzinfo=UTC)),
        # 00:30 on 1 February in China (still 31 January in UTC): + 1 month is 1 March
        (datetime(2026, 1, 31, 16, 30, tzinfo=UTC), 1, datetime(2026, 3, 1, 15, 59, 59, 999999, tzinfo=UTC)),
        # leap day + 12 months
        (datetime(2028, 2, 29, 4, 0, tzinfo=UTC), 12, datetime(2029, 2, 28, 15, 59, 59, 999999, tzinfo=UTC)),
    ],
)
def test_expiry_is_the_end_of_the_day_in_china(awarded_at, months, expires_at):
    assert expiry_for(awarded_at, months) == expires_at


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(date(2026, 1, 31), 1, date(2026, 2, 28)), (date(2026, 11, 30), 3, date(2027, 2, 28)),
     (date(2026, 12, 15), 12, date(2027, 12, 15)), (date(2024, 2, 29), 24, date(2026, 2, 28))],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_a_lot_expiring_today_expires_at_midnight_in_china():
    assert not is_expired(TODAY_END, NOW)
    assert not is_expired(TODAY_END, TODAY_END - timedelta(microseconds=1))
    assert is_expired(TODAY_END, TODAY_END)
    assert is_expired(TODAY_END, TODAY_END + timedelta(seconds=1))


@pytest.mark.parametrize(
    ("lots", "now", "expected"),
    [
        ([(1, 5, YESTERDAY_END), (2, 3, TODAY_END), (3, 0, YESTERDAY_END)], NOW, [(1, 5)]),
        ([(1, 5, YESTERDAY_END), (2, 3, TODAY_END)], TODAY_END + timedelta(minutes=5), [(1, 5), (2, 3)]),
        ([(1, 5, days(1))], NOW, []),
    ],
)
def test_what_expires_at_a_given_time(lots, now, expected):
    assert expired_lots(lots, now) == expected


@pytest.mark.parametrize(
    ("lots", "reserved", "expected"),
    [
        ([(5, days(40)), (3, days(29)), (2, TODAY_END)], 4, Balance(10, 4, 5)),
        # the 30-day window is inclusive at its end; an expired lot counts for nothing
        ([(7, NOW + timedelta(days=30)), (1, YESTERDAY_END), (4, NOW + timedelta(days=30, seconds=1))], 0,
         Balance(11, 0, 7)),
        ([], 0, Balance(0, 0, 0)),
    ],
)
def test_balance(lots, reserved, expected):
    assert balance(lots, reserved, NOW) == expected


@pytest.mark.parametrize(
    ("points", "cap", "used", "expected"),
    [
        (1, 5, 4, 1),  # reaching the cap exactly
        (1, 5, 5, 0),  # at the cap: nothing more
        (3, 5, 4, 1),  # cut to what is left
        (1, 5, 7, 0),  # over the cap (the cap was lowered): nothing, never negative
        (4, None, 1000, 4),  # no cap
        (2, 0, 0, 0),  # a cap of 0 stops the activity earning
        (0, 5, 0, 0),
    ],
)
def test_daily_cap(points, cap, used, expected):
    assert capped(points, cap, used) == expected


def test_activity_points_use_the_rule_the_cap_and_an_activity_s_own_points():
    practice = Rule(rules.PRACTICE, 2, daily_cap=5)
    assert rules.activity_points(practice, earned_today=0) == 2
    assert rules.activity_points(practice, earned_today=4) == 1
    assert rules.activity_points(practice, earned_today=5) == 0
    study = Rule(rules.STUDY_TIME, 1, daily_cap=4)
    assert rules.activity_points(study, units=rules.study_units(95), earned_today=2) == 2
    assert rules.study_units(29) == 0 and rules.study_units(60) == 2
    exam = Rule(rules.EXAM_PASS, 0)
    assert rules.activity_points(exam, points=5) == 5  # the exam's own points; no daily cap
    assert rules.activity_points(Rule(rules.TRAINING, 5), points=0) == 0


@pytest.mark.parametrize(
    ("points", "contributed", "expected"),
    [(10, 190, 10), (10, 195, 5), (10, 200, 0), (10, 0, 10), (250, 0, 200)],
)
def test_pool_share_is_capped_per_person_per_period(points, contributed, expected):
    assert pool_share(points, Rule(rules.POOL_PERSON_CAP, 200, period_days=365), contributed) == expected


def test_the_pool_period_is_a_rolling_window_of_whole_days_in_china():
    # 365 days ending on 15 March 2026 start at 00:00 on 16 March 2025 in China (16:00 UTC the day before)
    assert period_start(NOW, 365) == datetime(2025, 3, 15, 16, 0, tzinfo=UTC)
    assert period_start(NOW, 1) == datetime(2026, 3, 14, 16, 0, tzinfo=UTC)


def test_void_plan_expires_the_points_of_lots_that_expired_meanwhile():
    expiries = {1: YESTERDAY_END, 2: days(10)}
    assert void_plan([[1, 3], [2, 4]], expiries, NOW) == [(1, 3, True), (2, 4, False)]


@pytest.mark.parametrize(
    ("values", "fields"),
    [
        ({"practice": {"points": 1, "daily_cap": 5, "valid_months": 12}}, []),
        ({"practice": {"points": 1, "daily_cap": None, "valid_months": 12}}, []),
        ({"practice": {"points": -1, "daily_cap": 5, "valid_months": 12}}, ["practice-points"]),
        ({"practice": {"points": 1001, "daily_cap": -1, "valid_months": 0}},
         ["practice-points", "practice-daily_cap", "practice-valid_months"]),
        ({"training": {"points": 5, "valid_months": 121}}, ["training-valid_months"]),
        ({"pool_person_cap": {"points": 200, "period_days": 0}}, ["pool_person_cap-period_days"]),
        ({"pool_person_cap": {"points": 100_000, "period_days": 365}}, []),
    ],
)
def test_rule_problems_name_their_field(values, fields):
    assert [p.field for p in rule_problems(values)] == fields


@pytest.mark.parametrize(
    ("points", "reason", "fields"),
    [
        (5, "补录培训积分", []),
        (-5, "重复发放", []),
        (0, "x", ["points"]),
        (5, "   ", ["reason"]),
        (5, None, ["reason"]),
        (True, "x", ["points"]),
        (5, "x" * 501, ["reason"]),
    ],
)
def test_an_adjustment_needs_points_and_a_reason(points, reason, fields):
    assert [p.field for p in adjustment_problems(points, reason)] == fields


def test_reconcile_finds_every_difference():
    assert reconcile([AccountFigures(1, 10, 4, 10, 4)], [LotFigures(1, 10, 6, 10, -4)],
                     [ReservationFigures(1, 4, rules.RESERVED, 4, 4, 0, 0)]) == []
    found = reconcile(
        [AccountFigures(1, 10, 4, -2, 0)],
        [LotFigures(1, 10, 6, 10, -14)],
        [ReservationFigures(1, 4, rules.POSTED, 3, 4, 4, 0)],
    )
    assert {(d.what, d.field) for d in found} == {
        ("account", "available"), ("account", "reserved"), ("account", "available (from entries) below zero"),
        ("lot", "remaining"), ("lot", "remaining (from entries) below zero"),
        ("reservation", "allocations"), ("reservation", "voided by entries"), ("reservation", "post entries"),
    }
    assert "account #1: available is 10, the entries say -2" in {str(d) for d in found}


@pytest.mark.parametrize("allocations, unused, expected", [
    pytest.param([[1, 8], [2, 5], [3, 2]], 4, [(3, 2), (2, 2)], id="latest_taken_lots_get_the_unused_back_first"),
    pytest.param([[1, 8]], 0, [], id="nothing_unused_nothing_back"),
    pytest.param([[1, 8], [2, 5]], 13, [(2, 5), (1, 8)], id="everything_back"),
])
def test_release_plan_of_a_partial_post(allocations, unused, expected):
    assert rules.release_plan(allocations, unused) == expected


@pytest.mark.parametrize(("reason", "problems"), [("扣错了", 0), ("", 1), ("   ", 1), (None, 1), ("x" * 500, 0),
                                                  ("x" * 501, 1)])
def test_an_adjustment_needs_a_reason_of_at_most_500_characters(reason, problems):
    found = rules.reason_problems(reason)
    assert len(found) == problems and all(p.field == "reason" for p in found)
    if problems and (reason or "").strip():
        assert found[0].params == {"max": 500}
