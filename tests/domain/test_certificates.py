"""Certificates (issue 16, item 2): the number, the verification code, and what the public check may
show (《个人信息保护法》第六条: the minimum for the purpose)."""

import random
from datetime import UTC, datetime

import pytest

from eduapp.domain import certificates as rules
from eduapp.domain.masking import mask_name


@pytest.mark.parametrize(
    ("issued_at", "serial", "number"),
    [
        (datetime(2026, 5, 1, 8, 0, tzinfo=UTC), 123, "ZS-2026-000123"),
        (datetime(2026, 5, 1, 8, 0, tzinfo=UTC), 1, "ZS-2026-000001"),
        # 31 December 17:00 UTC is already 1 January in China: the year of issue is China's
        (datetime(2026, 12, 31, 17, 0, tzinfo=UTC), 7, "ZS-2027-000007"),
        (datetime(2026, 12, 31, 15, 59, tzinfo=UTC), 7, "ZS-2026-000007"),
        (datetime(2030, 1, 2, tzinfo=UTC), 1234567, "ZS-2030-1234567"),
    ],
)
def test_number_is_prefix_china_year_and_serial(issued_at, serial, number):
    assert rules.number(issued_at, serial) == number


def test_a_serial_starts_at_one():
    with pytest.raises(ValueError):
        rules.number(datetime(2026, 1, 1, tzinfo=UTC), 0)


def test_codes_are_sixteen_unambiguous_characters_and_differ():
    rng = random.Random(7)
    codes = {rules.new_code(rng.choice) for _ in range(1000)}
    assert len(codes) == 1000
    assert all(rules.is_code(c) and len(c) == 16 for c in codes)
    assert not set("".join(codes)) & set("01ilo")


@pytest.mark.parametrize(
    ("text", "ok"),
    [("23456789abcdefgh", True), ("23456789abcdefg", False), ("23456789abcdefgho", False),
     ("0123456789abcdef", False), ("23456789ABCDEFGH", False), ("", False), ("../../etc/passwd", False)],
)
def test_only_well_formed_codes_are_looked_up(text, ok):
    assert rules.is_code(text) is ok


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三", "张*"), ("张三丰", "张*丰"), ("欧阳娜娜", "欧**娜"), ("王", "*"), ("", ""), (None, ""),
     ("John Smith", "J*** S****"), (" 李四 ", "李*")],
)
def test_pipl_art6_names_are_masked_to_first_and_last_character(name, masked):
    assert mask_name(name) == masked


def test_public_view_holds_the_masked_name_and_china_dates_only():
    view = rules.public_view("张三丰", "年度学法考试", datetime(2026, 3, 1, 20, 0, tzinfo=UTC), "ZS-2026-000001", None)
    assert view == rules.PublicView("张*丰", "年度学法考试", datetime(2026, 3, 2).date(), "ZS-2026-000001",
                                    rules.VALID, None)
    annulled = rules.public_view("张三", "考试", datetime(2026, 3, 1, tzinfo=UTC), "ZS-2026-000002",
                                 datetime(2026, 4, 1, 17, 0, tzinfo=UTC))
    assert annulled.status == rules.ANNULLED and annulled.annulled_on == datetime(2026, 4, 2).date()
    assert set(vars(view)) == {"holder", "exam", "issued_on", "number", "status", "annulled_on"}


@pytest.mark.parametrize(("reason", "problems"), [("代考", 0), ("", 1), ("   ", 1), ("x" * 500, 0), ("x" * 501, 1)])
def test_an_annulment_needs_a_reason_of_at_most_500_characters(reason, problems):
    found = rules.reason_problems(reason)
    assert len(found) == problems and all(p.field == "reason" for p in found)
