"""The case's statutory dates, table-driven: the §60 decision deadline and its extensions, the §67
payment period counted from service (§61), the §72 late-fee wording (行政强制法 §45)."""

from datetime import date

import pytest

from eduapp.domain import case_deadlines as d
from eduapp.domain.case_deadlines import Extension

OPENED = date(2026, 3, 2)
DEADLINE = date(2026, 5, 31)  # 2026-03-02 + 90 days
TODAY = date(2026, 5, 1)


@pytest.mark.parametrize(
    ("opened_on", "deadline"),
    [
        (date(2026, 3, 2), date(2026, 5, 31)),
        (date(2026, 1, 1), date(2026, 4, 1)),
        (date(2024, 1, 1), date(2024, 3, 31)),  # a leap year: 90 calendar days, not working days (§85)
        (date(2026, 12, 15), date(2027, 3, 15)),
    ],
)
def test_art60_deadline_is_the_90th_day_after_filing(opened_on, deadline):
    assert d.statutory_deadline(opened_on) == deadline
    assert d.decision_deadline(opened_on) == deadline


@pytest.mark.parametrize(
    ("decided_on", "in_time"),
    [(date(2026, 5, 30), True), (DEADLINE, True), (date(2026, 6, 1), False)],
    ids=["day_89", "day_90_itself", "day_91"],
)
def test_art60_a_decision_on_day_90_itself_is_in_time(decided_on, in_time):
    assert d.decided_in_time(decided_on, d.decision_deadline(OPENED)) is in_time


@pytest.mark.parametrize(
    ("extended_to", "deadline"),
    [
        ((), DEADLINE),
        ((date(2026, 6, 30),), date(2026, 6, 30)),
        ((date(2026, 6, 30), date(2026, 7, 30)), date(2026, 7, 30)),
        ((date(2026, 7, 30), date(2026, 6, 30)), date(2026, 7, 30)),  # the latest, whatever the order given
    ],
)
def test_art60_extended_deadline_is_the_latest_extension(extended_to, deadline):
    assert d.decision_deadline(OPENED, extended_to) == deadline


@pytest.mark.parametrize(
    ("today", "left", "overdue"),
    [(date(2026, 5, 16), 15, False), (date(2026, 5, 26), 5, False), (DEADLINE, 0, False),
     (date(2026, 6, 1), -1, True)],
    ids=["15_days_left", "5_days_left", "deadline_day_not_overdue", "day_after_overdue"],
)  # fmt: skip
def test_art60_days_left(today, left, overdue):
    assert d.days_left(DEADLINE, today) == left
    assert d.overdue("investigating", DEADLINE, today) is overdue


@pytest.mark.parametrize(
    ("status", "running"),
    [("filed", True), ("investigating", True), ("notified", True), ("decided", False), ("paid", False),
     ("closed", False), ("not_penalised", False), ("transferred", False)],
)  # fmt: skip
def test_art60_clock_stops_at_decision_not_penalised_or_transfer(status, running):
    assert d.is_running(status) is running
    assert d.overdue(status, DEADLINE, date(2026, 12, 31)) is running


def test_art60_the_moves_that_stop_the_clock():
    assert {"decided", "not_penalised", "transferred"} == d.DECIDING_MOVES


GOOD = Extension(new_due_on=date(2026, 6, 30), reason="需补充监测", approver_ok=True, approved_on=TODAY)
AFTER = date(2026, 6, 2)  # checked after the deadline


@pytest.mark.parametrize(
    ("status", "ext", "today", "fields"),
    [
        ("investigating", GOOD, TODAY, []),
        ("investigating", Extension(date(2026, 6, 1), "x", True, DEADLINE), AFTER, []),  # approved on day 90
        ("decided", GOOD, TODAY, ["status"]),
        ("transferred", GOOD, TODAY, ["status"]),
        ("investigating", Extension(None, "x", True, TODAY), TODAY, ["new_due_on"]),
        ("investigating", Extension(DEADLINE, "x", True, TODAY), TODAY, ["new_due_on"]),  # the same day: none
        ("investigating", Extension(date(2026, 5, 1), "x", True, TODAY), TODAY, ["new_due_on"]),  # earlier
        ("investigating", Extension(date(2027, 6, 2), "x", True, TODAY), TODAY, ["new_due_on"]),  # a typo
        ("investigating", Extension(date(2026, 6, 30), "  ", True, TODAY), TODAY, ["reason"]),
        ("investigating", Extension(date(2026, 6, 30), "x" * 2001, True, TODAY), TODAY, ["reason"]),
        ("investigating", Extension(date(2026, 6, 30), "x", False, TODAY), TODAY, ["approved_by"]),
        ("investigating", Extension(date(2026, 6, 30), "x", True, None), TODAY, ["approved_on"]),
        ("investigating", Extension(date(2026, 6, 30), "x", True, date(2026, 5, 2)), TODAY, ["approved_on"]),
        ("investigating", Extension(date(2026, 6, 30), "x", True, date(2026, 6, 1)), AFTER, ["approved_on"]),
        ("paid", Extension(None, "", False, None), TODAY,
         ["status", "new_due_on", "reason", "approved_by", "approved_on"]),
    ],
    ids=["good", "one_day_later", "decided", "transferred", "no_date", "same_day", "earlier", "typo_year",
         "no_reason", "long_reason", "not_an_approver", "no_approval_day", "approved_in_future",
         "approved_after_deadline", "everything_wrong"],
)
def test_art60_extension_checks(status, ext, today, fields):
    assert [p.field for p in d.check_extension(status, DEADLINE, ext, today)] == fields


# --- §61, §67: service and payment ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("served_on", "due"),
    [(date(2026, 6, 1), date(2026, 6, 16)), (date(2026, 12, 20), date(2027, 1, 4))],
)
def test_art67_para3_fine_due_15_days_after_service(served_on, due):
    assert d.payment_due(served_on) == due
    assert d.days_since_service(served_on, due) == d.PAYMENT_DAYS  # the due day itself is still in time


DECIDED_ON = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("status", "decided_on", "served_on", "fields"),
    [
        ("decided", DECIDED_ON, None, []),
        ("decided", DECIDED_ON, DECIDED_ON, []),  # handed over when announced (§61 ¶1)
        ("paid", DECIDED_ON, date(2026, 6, 5), []),
        ("not_penalised", DECIDED_ON, date(2026, 6, 5), []),
        ("decided", DECIDED_ON, date(2026, 5, 31), ["served_on"]),  # before the decision
        ("decided", DECIDED_ON, date(2026, 7, 1), ["served_on"]),  # in the future
        ("notified", None, date(2026, 6, 5), ["served_on"]),  # no decision yet
        ("transferred", None, date(2026, 6, 5), ["served_on"]),
    ],
)
def test_art61_service_date_checks(status, decided_on, served_on, fields):
    problems = d.check_service(status, decided_on, served_on, date(2026, 6, 30))
    assert [p.field for p in problems] == fields


@pytest.mark.parametrize(
    ("status", "final_fine", "served_on", "missing"),
    [("decided", 100, None, True), ("decided", 100, DECIDED_ON, False), ("paid", 100, None, False),
     ("notified", None, None, False)],
)  # fmt: skip
def test_art67_para3_service_date_missing_for_a_decided_unpaid_fine(status, final_fine, served_on, missing):
    assert d.service_missing(status, final_fine, served_on) is missing


@pytest.mark.parametrize(("notified", "has_text"), [(True, True), (False, False)])
def test_art72_late_fee_only_if_the_decision_told_the_party_compulsion_law_art45(notified, has_text):
    text = d.late_fee_text(notified)
    assert bool(text) is has_text
    if has_text:
        assert "可以" in text and "每日按罚款数额的百分之三加处罚款" in text and "第七十二条" in text
        assert "不得超出罚款的数额" in text
