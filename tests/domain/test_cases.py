"""Penalty cases, table-driven: stages and moves, the field checks, money. The catalogue file is
tested in test_catalogue.py, the case register's rows in test_case_register.py."""

from datetime import date

import pytest

from eduapp.domain import cases as c
from eduapp.domain.cases import CaseFacts, FineRange

AIR_99 = FineRange(10_000_000, 100_000_000)  # 十万元以上一百万元以下
TODAY = date(2026, 6, 30)
FILED_CASE = CaseFacts(status="filed", harm_level="minor", corrected=True, opened_on=date(2026, 3, 2),
                       proposed_fine=15_000_000, discovered_on=date(2026, 2, 27))  # fmt: skip


def fields_of(problems):
    return sorted((p.field, p.msgid) for p in problems)


# --- stages ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        ("filed", {"investigating", "not_penalised", "transferred"}),
        ("investigating", {"notified", "not_penalised", "transferred"}),
        ("notified", {"decided", "not_penalised", "transferred"}),
        ("decided", {"paid"}),
        ("paid", {"closed"}),
        ("not_penalised", {"closed"}),
        ("transferred", {"closed"}),
        ("closed", set()),
        ("nonsense", set()),
    ],
)
def test_allowed_transitions(status, allowed):
    assert set(c.allowed_transitions(status)) == allowed


def test_every_status_has_a_label_and_its_date_rules():
    for status in c.STATUSES:
        assert status in c.STATUS_LABELS and status in c.TRANSITIONS
        assert set(c.REQUIRED_DATES[status]) <= c.ALLOWED_DATES[status]
    assert set(c.RECORDS_DATE) <= set(c.STATUSES)


@pytest.mark.parametrize(
    ("status", "open_"),
    [("filed", True), ("investigating", True), ("notified", True), ("decided", False), ("paid", False),
     ("closed", False), ("not_penalised", False), ("transferred", False)],
)  # fmt: skip
def test_is_open_for_offset(status, open_):
    assert c.is_open_for_offset(status) is open_


# (from status, to, the date it records)
MOVES = [
    ("filed", "investigating", None),
    ("investigating", "notified", "notified_on"),
    ("notified", "decided", "decided_on"),
    ("decided", "paid", "paid_on"),
    ("paid", "closed", "closed_on"),
    ("filed", "not_penalised", "decided_on"),
    ("notified", "not_penalised", "decided_on"),
    ("investigating", "transferred", None),
    ("not_penalised", "closed", "closed_on"),
    ("transferred", "closed", "closed_on"),
]

# A case at each status with the dates it needs, to start a move from.
AT = {
    "filed": FILED_CASE,
    "investigating": CaseFacts(**{**FILED_CASE.__dict__, "status": "investigating"}),
    "notified": CaseFacts(**{**FILED_CASE.__dict__, "status": "notified", "notified_on": date(2026, 4, 1)}),
    "decided": CaseFacts(**{**FILED_CASE.__dict__, "status": "decided", "notified_on": date(2026, 4, 1),
                            "decided_on": date(2026, 4, 20), "final_fine": 15_000_000}),
    "paid": CaseFacts(**{**FILED_CASE.__dict__, "status": "paid", "notified_on": date(2026, 4, 1),
                         "decided_on": date(2026, 4, 20), "paid_on": date(2026, 5, 1), "final_fine": 15_000_000}),
    "not_penalised": CaseFacts(**{**FILED_CASE.__dict__, "status": "not_penalised", "decided_on": date(2026, 4, 20)}),
    "transferred": CaseFacts(**{**FILED_CASE.__dict__, "status": "transferred"}),
}  # fmt: skip


@pytest.mark.parametrize(("start", "to", "date_field"), MOVES)
def test_each_move_records_its_date(start, to, date_field):
    on = date(2026, 6, 1)
    final = 12_000_000 if to == "decided" else None
    plan = c.plan_transition(AT[start], to, on, AIR_99, final_fine=final, today=TODAY)
    assert plan.check.errors == []
    expected = {"status": to}
    if date_field:
        expected[date_field] = on
    if to == "decided":
        expected["final_fine"] = 12_000_000
    assert plan.changes == expected


@pytest.mark.parametrize(
    ("start", "to", "on", "final", "field", "msgid_part"),
    [
        ("filed", "decided", date(2026, 6, 1), 10_000_000, "to", "cannot move"),
        ("filed", "paid", date(2026, 6, 1), None, "to", "cannot move"),
        ("decided", "not_penalised", date(2026, 6, 1), None, "to", "cannot move"),
        ("decided", "transferred", date(2026, 6, 1), None, "to", "cannot move"),
        ("closed", "filed", date(2026, 6, 1), None, "to", "cannot move"),
        ("filed", "investigating", None, None, "on", "required"),
        ("filed", "investigating", date(2026, 3, 1), None, "on", "filing date"),  # before 立案 (3-02)
        ("notified", "decided", date(2026, 3, 31), 10_000_000, "on", "notification date"),
        ("filed", "investigating", date(2026, 7, 1), None, "on", "future"),
        ("notified", "decided", date(2026, 6, 1), None, "final_fine", "Required once"),
        ("notified", "decided", date(2026, 6, 1), 100_000_001, "final_fine", "maximum"),
        ("notified", "decided", date(2026, 6, 1), -1, "final_fine", "negative"),
        ("filed", "investigating", date(2026, 6, 1), 100, "final_fine", "only with the penalty decision"),
    ],
)
def test_refused_moves_name_the_field(start, to, on, final, field, msgid_part):
    facts = AT.get(start) or CaseFacts(**{**AT["paid"].__dict__, "status": start})
    plan = c.plan_transition(facts, to, on, AIR_99, final_fine=final, today=TODAY)
    assert plan.changes == {}
    assert any(p.field == field and msgid_part in p.msgid for p in plan.check.errors), plan.check.errors


def test_a_decision_below_the_minimum_is_a_warning_not_an_error():
    plan = c.plan_transition(AT["notified"], "decided", date(2026, 6, 1), AIR_99, final_fine=5_000_000)
    assert plan.check.errors == [] and plan.changes["final_fine"] == 5_000_000
    assert [p.field for p in plan.check.warnings] == ["final_fine"]
    assert plan.check.warnings[0].params == {"min": "100,000"}


# --- field checks -----------------------------------------------------------------------------------------


def _facts(**changes):
    return CaseFacts(**{**FILED_CASE.__dict__, **changes})


@pytest.mark.parametrize(
    ("changes", "errors", "warnings"),
    [
        ({}, [], []),
        ({"proposed_fine": 10_000_000}, [], []),  # exactly the minimum
        ({"proposed_fine": 100_000_000}, [], []),  # exactly the maximum
        ({"proposed_fine": 100_000_001}, ["proposed_fine"], []),
        ({"proposed_fine": 9_999_999}, [], ["proposed_fine"]),  # 减轻: lawful only after legal review
        ({"proposed_fine": 0}, [], ["proposed_fine"]),
        ({"proposed_fine": -100}, ["proposed_fine"], []),
        ({"proposed_fine": None}, ["proposed_fine"], []),
        ({"proposed_fine": c.MAX_FEN + 1}, ["proposed_fine"], []),
        ({"harm_level": "catastrophic"}, ["harm_level"], []),
        ({"status": "archived"}, ["status"], []),
        ({"opened_on": None}, ["opened_on"], []),
        ({"discovered_on": date(2026, 3, 3)}, ["opened_on"], []),  # found after it was filed
        ({"discovered_on": date(2026, 3, 2)}, [], []),  # the same day is fine
        ({"opened_on": date(2026, 7, 1), "discovered_on": None}, ["opened_on"], []),  # in the future
        ({"notified_on": date(2026, 4, 1)}, ["notified_on"], []),  # a filed case is not notified yet
        ({"final_fine": 10_000_000}, ["final_fine"], []),  # no fine before the decision
        ({"status": "notified"}, ["notified_on"], []),  # the date its status records is required
        ({"status": "decided", "decided_on": date(2026, 4, 1)}, ["final_fine"], []),
        ({"status": "decided", "decided_on": date(2026, 4, 1), "final_fine": 100_000_001}, ["final_fine"], []),
        ({"status": "decided", "decided_on": date(2026, 4, 1), "final_fine": 1}, [], ["final_fine"]),
        ({"status": "paid", "decided_on": date(2026, 4, 1), "paid_on": date(2026, 3, 30), "final_fine": 10_000_000},
         ["paid_on"], []),
        ({"status": "closed", "closed_on": date(2026, 5, 1)}, [], []),
        ({"status": "not_penalised", "decided_on": date(2026, 4, 1), "final_fine": 0}, ["final_fine"], []),
        ({"status": "transferred", "decided_on": date(2026, 4, 1)}, ["decided_on"], []),
        # the correction deadline: any stage, in the future too, never before the filing
        ({"correction_due_on": date(2026, 3, 2)}, [], []),
        ({"correction_due_on": date(2027, 1, 31)}, [], []),
        ({"correction_due_on": date(2026, 3, 1)}, ["correction_due_on"], []),
        ({"correction_due_on": date(2026, 2, 28), "opened_on": None}, ["opened_on"], []),
        ({"status": "closed", "closed_on": date(2026, 5, 1), "correction_due_on": date(2026, 12, 1)}, [], []),
        ({"status": "decided", "decided_on": date(2026, 4, 1), "final_fine": 10_000_000,
          "correction_due_on": date(2026, 3, 10)}, [], []),  # before the decision: not a stage date
    ],
)  # fmt: skip
def test_check_case(changes, errors, warnings):
    check = c.check_case(_facts(**changes), AIR_99, today=TODAY)
    assert sorted(p.field for p in check.errors) == sorted(errors), check.errors
    assert sorted(p.field for p in check.warnings) == sorted(warnings)


def test_a_type_without_a_fixed_range_accepts_any_amount():
    multiple = FineRange(None, None)
    assert c.check_case(_facts(proposed_fine=1), multiple).ok
    assert c.check_case(_facts(proposed_fine=2_000_000_000), multiple).ok
    upto = FineRange(None, 5_000_000)  # 处五万元以下的罚款
    assert c.check_case(_facts(proposed_fine=1), upto).warnings == []
    assert not c.check_case(_facts(proposed_fine=5_000_001), upto).ok


def test_a_deadline_before_the_filing_names_the_filing_date():
    (problem,) = c.check_case(_facts(correction_due_on=date(2026, 3, 1)), AIR_99).errors
    assert problem.field == "correction_due_on"
    assert problem.msgid.startswith("Cannot be before the filing date") and problem.params == {"date": "2026-03-02"}


def test_a_later_correction_deadline_does_not_hold_back_a_move():
    plan = c.plan_transition(_facts(correction_due_on=date(2026, 12, 1)), "investigating", date(2026, 3, 5), AIR_99,
                             today=TODAY)  # fmt: skip
    assert plan.check.errors == [] and plan.changes == {"status": "investigating"}


@pytest.mark.parametrize(
    ("due", "corrected", "overdue"),
    [(None, False, False), (date(2026, 6, 30), False, False), (date(2026, 6, 29), False, True),
     (date(2026, 6, 29), True, False), (date(2026, 7, 1), False, False)],
)  # fmt: skip
def test_correction_overdue(due, corrected, overdue):
    assert c.correction_overdue(due, corrected, TODAY) is overdue


def test_the_date_order_message_names_the_earlier_date():
    check = c.check_case(_facts(discovered_on=date(2026, 3, 3)), AIR_99)
    assert check.errors[0].msgid.startswith("Cannot be before the date of discovery")
    assert check.errors[0].params == {"date": "2026-03-03"}


# --- money ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fen"),
    [("150000", 15_000_000), ("150000.5", 15_000_050), ("150,000.05", 15_000_005), ("¥1,234.56", 123_456),
     ("100000元", 10_000_000), (" 0.01 ", 1), ("0", 0), ("19.99", 1999), ("1.005", None), ("1e5", None),
     ("-5", None), ("", None), ("十万元", None), ("12.", None), (".5", None)],
)  # fmt: skip
def test_parse_yuan_is_exact(text, fen):
    assert c.parse_yuan(text) == fen


@pytest.mark.parametrize(
    ("fen", "text"), [(0, "0"), (15_000_000, "150,000"), (123_456, "1,234.56"), (5, "0.05"), (None, "")]
)
def test_format_yuan(fen, text):
    assert c.format_yuan(fen) == text


@pytest.mark.parametrize(
    ("fen", "words"),
    [
        (10_000_000, {"十万元", "10万元", "100000元"}),
        (100_000_000, {"一百万元", "100万元", "1000000元"}),
        (2_000_000, {"二万元", "2万元", "20000元"}),
        (20_000_000, {"二十万元", "20万元", "200000元"}),
        (500_000, {"五千元", "5千元", "5000元"}),
        (200_000, {"二千元", "2千元", "2000元"}),
        (50_000, {"五百元", "500元"}),
        (500_000_000, {"五百万元", "500万元", "5000000元"}),
        (150, set()),  # not whole yuan: no statute writes that
    ],
)
def test_yuan_wordings(fen, words):
    assert c.yuan_wordings(fen) == words
