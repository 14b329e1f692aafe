"""Delivery rules, table-driven: SMS quiet hours (22:00-08:00 China time by default), full-jitter
backoff, mobile numbers, Message-IDs and the error classes."""

import pickle
import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from eduapp.domain.delivery import (
    CHINA,
    DeliveryError,
    PermanentDeliveryError,
    TransientDeliveryError,
    backoff_seconds,
    message_id_for,
    normalise_mobile,
    quiet_until,
)


def china(*args) -> datetime:
    return datetime(*args, tzinfo=CHINA)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (china(2026, 3, 10, 21, 59, 59), None),
        (china(2026, 3, 10, 21, 59, 59, 999999), None),
        (china(2026, 3, 10, 22, 0), china(2026, 3, 11, 8, 0)),
        (china(2026, 3, 10, 23, 59, 59), china(2026, 3, 11, 8, 0)),
        (china(2026, 3, 11, 0, 0), china(2026, 3, 11, 8, 0)),
        (china(2026, 3, 11, 3, 30), china(2026, 3, 11, 8, 0)),
        (china(2026, 3, 11, 7, 59, 59), china(2026, 3, 11, 8, 0)),
        (china(2026, 3, 11, 7, 59, 59, 999999), china(2026, 3, 11, 8, 0)),
        (china(2026, 3, 11, 8, 0), None),
        (china(2026, 3, 11, 12, 0), None),
        # across a month and a year end
        (china(2026, 2, 28, 23, 0), china(2026, 3, 1, 8, 0)),
        (china(2026, 12, 31, 22, 30), china(2027, 1, 1, 8, 0)),
        # given in UTC: 14:00 UTC is 22:00 in China, 23:59:59 UTC the day before is 07:59:59
        (utc(2026, 3, 10, 14, 0), utc(2026, 3, 11, 0, 0)),
        (utc(2026, 3, 10, 13, 59, 59), None),
        (utc(2026, 3, 10, 23, 59, 59), utc(2026, 3, 11, 0, 0)),
        (utc(2026, 3, 11, 0, 0), None),
        # a zone with daylight saving for the caller's clock changes nothing: China has none
        (datetime(2026, 3, 29, 16, 0, tzinfo=ZoneInfo("Europe/Berlin")), china(2026, 3, 30, 8, 0)),  # 16:00 CEST
        (datetime(2026, 3, 29, 16, 0, tzinfo=ZoneInfo("Europe/Berlin")) - timedelta(minutes=1), None),
        (datetime(2026, 3, 29, 17, 0, tzinfo=ZoneInfo("Europe/Berlin")), china(2026, 3, 30, 8, 0)),
    ],
)
def test_quiet_hours_in_china(now, expected):
    result = quiet_until(now)
    assert result == expected
    if result is not None:
        assert result.tzinfo is UTC
        assert result.astimezone(CHINA).time() == time(8)


def test_china_has_no_daylight_saving():
    winter, summer = china(2026, 1, 15, 12), china(2026, 7, 15, 12)
    assert winter.utcoffset() == summer.utcoffset() == timedelta(hours=8)
    # every night of the year the quiet hours end at 00:00 UTC
    night = china(2026, 1, 1, 23)
    for _ in range(365):
        assert quiet_until(night) == (night + timedelta(days=1)).replace(hour=8).astimezone(UTC)
        assert quiet_until(night).time() == time(0)
        night += timedelta(days=1)


@pytest.mark.parametrize(
    ("start", "end", "now", "expected"),
    [
        # a window that does not cross midnight: 12:00-14:00
        (time(12), time(14), china(2026, 5, 1, 11, 59, 59), None),
        (time(12), time(14), china(2026, 5, 1, 12, 0), china(2026, 5, 1, 14, 0)),
        (time(12), time(14), china(2026, 5, 1, 13, 59, 59), china(2026, 5, 1, 14, 0)),
        (time(12), time(14), china(2026, 5, 1, 14, 0), None),
        (time(12), time(14), china(2026, 5, 1, 23, 0), None),
        # from midnight: 00:00-06:30
        (time(0), time(6, 30), china(2026, 5, 1, 0, 0), china(2026, 5, 1, 6, 30)),
        (time(0), time(6, 30), china(2026, 5, 1, 23, 59), None),
        # until midnight: 21:00-00:00 ends at the next day's start
        (time(21), time(0), china(2026, 5, 1, 21, 0), china(2026, 5, 2, 0, 0)),
        (time(21), time(0), china(2026, 5, 1, 0, 0), None),
        # an empty window: no quiet hours
        (time(8), time(8), china(2026, 5, 1, 8, 0), None),
        (time(8), time(8), china(2026, 5, 1, 3, 0), None),
    ],
)
def test_other_windows(start, end, now, expected):
    assert quiet_until(now, start, end) == expected


def test_quiet_hours_in_a_zone_with_daylight_saving():
    berlin = ZoneInfo("Europe/Berlin")
    # the night the clocks go forward (29 March 2026, 02:00 -> 03:00): 08:00 local is 06:00 UTC
    assert quiet_until(datetime(2026, 3, 28, 23, 0, tzinfo=berlin), tz=berlin) == utc(2026, 3, 29, 6, 0)
    # the night they go back (25 October 2026): 08:00 local is 07:00 UTC
    assert quiet_until(datetime(2026, 10, 24, 23, 0, tzinfo=berlin), tz=berlin) == utc(2026, 10, 25, 7, 0)


def test_quiet_hours_need_an_aware_time():
    with pytest.raises(ValueError, match="aware"):
        quiet_until(datetime(2026, 3, 10, 23, 0))


@pytest.mark.parametrize(
    ("attempt", "base", "cap", "ceiling"),
    [
        (0, 30, 3600, 30),
        (1, 30, 3600, 60),
        (2, 30, 3600, 120),
        (6, 30, 3600, 1920),
        (7, 30, 3600, 3600),  # 3840 capped
        (20, 30, 3600, 3600),
        (5000, 30, 3600, 3600),  # 2**5000 does not fit a float: still the cap
        (0, 0.1, 3600, 1),  # below a second: one second
        (3, 2.5, 15, 15),
    ],
)
def test_backoff_stays_between_one_second_and_the_ceiling(attempt, base, cap, ceiling):
    rng = random.Random(attempt)
    values = [backoff_seconds(attempt, base, cap, rng) for _ in range(2000)]
    assert all(1 <= v <= max(1, ceiling) for v in values)
    if ceiling > 10:
        # full jitter: spread over the whole range, not bunched at the top
        assert min(values) < ceiling * 0.1
        assert max(values) > ceiling * 0.9


def test_backoff_is_reproducible_with_a_seeded_rng_and_grows_on_average():
    assert backoff_seconds(3, rng=random.Random(7)) == backoff_seconds(3, rng=random.Random(7))
    rng = random.Random(1)
    means = [sum(backoff_seconds(a, rng=rng) for _ in range(500)) / 500 for a in range(8)]
    assert means == sorted(means)
    assert 1 <= backoff_seconds(4) <= 480  # the module's own random source


@pytest.mark.parametrize(("attempt", "base", "cap"), [(-1, 30, 3600), (0, 0, 3600), (0, 30, 0)])
def test_backoff_rejects_nonsense(attempt, base, cap):
    with pytest.raises(ValueError):
        backoff_seconds(attempt, base, cap)


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("13800138000", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        (" 199 0000 1111 ", "19900001111"),
    ],
)
def test_mainland_mobile_numbers(phone, expected):
    assert normalise_mobile(phone) == expected


@pytest.mark.parametrize("phone", ["", "1380013800", "138001380001", "23800138000", "12800138000",
                                   "+85213800138000", "010-12345678", "1380013800x"])
def test_other_numbers_are_permanent_errors_naming_the_number(phone):
    with pytest.raises(PermanentDeliveryError, match="mainland mobile") as info:
        normalise_mobile(phone)
    assert repr(phone) in str(info.value)
    assert info.value.transient is False


def test_message_ids_are_deterministic_per_key():
    first = message_id_for("exam_closing:42:user:7:3d")
    assert first == message_id_for("exam_closing:42:user:7:3d")
    assert first != message_id_for("exam_closing:42:user:7:1d")
    assert first.startswith("<reminder.") and first.endswith("@eduapp.local>")
    assert message_id_for("考试:1", "hbj.gov.cn").endswith("@hbj.gov.cn>")
    assert message_id_for("考试:1").isascii()


def test_error_classes():
    assert TransientDeliveryError("busy").transient is True
    assert PermanentDeliveryError("refused").transient is False
    assert issubclass(TransientDeliveryError, DeliveryError) and issubclass(PermanentDeliveryError, DeliveryError)
    assert DeliveryError("x", transient=True).transient is True
    # short, one line
    long = DeliveryError("line one\nline two " + "x" * 1000)
    assert "\n" not in str(long) and len(str(long)) <= 300
    # they survive pickling (Celery passes exceptions between processes)
    error = TransientDeliveryError("503 busy", retry_after=30)
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own bytes)
    assert type(copy) is TransientDeliveryError
    assert (copy.message, copy.transient, copy.retry_after) == ("503 busy", True, 30)
