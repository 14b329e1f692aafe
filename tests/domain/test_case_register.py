"""The case register file's rows (eduapp cases import): each row checked on its own, problems naming
the row and the field; the Chinese names of the stages and harm levels read as their codes."""

from datetime import date

import pytest

from eduapp.domain import cases
from eduapp.domain.case_register import STATUS_CHINESE, STATUS_NAMES, parse_case_rows
from eduapp.domain.tabular import Row


def test_every_status_has_a_chinese_name_the_register_reads_back():
    for status in cases.STATUSES:
        assert STATUS_NAMES[STATUS_CHINESE[status]] == status


# --- the case register's rows ------------------------------------------------------------------------------------


def _row(number=2, **values):
    base = {"case_number": "示环罚〔2026〕1号", "enterprise": "甲企业", "violation_code": "air-99-2",
            "opened_on": "2026/3/2", "proposed_fine": "150,000.50"}  # fmt: skip
    base.update(values)
    return Row(number, base)


def test_a_good_row_becomes_a_record_with_defaults():
    records, problems = parse_case_rows([_row()])
    assert problems == []
    (r,) = records
    assert (r.case_number, r.violation_code, r.opened_on, r.proposed_fine) == (
        "示环罚〔2026〕1号", "AIR-99-2", date(2026, 3, 2), 15_000_050)  # fmt: skip
    assert (r.status, r.harm_level, r.corrected, r.final_fine) == ("filed", "minor", False, None)
    assert (r.correction_due_on, r.has_correction_due) == (None, False)


@pytest.mark.parametrize(
    ("values", "due", "given"),
    [({"correction_due_on": "2026年4月30日"}, date(2026, 4, 30), True), ({"correction_due_on": ""}, None, True)],
)
def test_the_correction_deadline_column_is_read(values, due, given):
    (r,), _ = parse_case_rows([_row(**values)])
    assert (r.correction_due_on, r.has_correction_due, r.facts().correction_due_on) == (due, given, due)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"case_number": ""}, "case_number"),
        ({"case_number": "x" * 65}, "case_number"),
        ({"enterprise": ""}, "enterprise"),
        ({"violation_code": ""}, "violation_code"),
        ({"opened_on": "2026-02-30"}, "opened_on"),
        ({"opened_on": ""}, "opened_on"),
        ({"decided_on": "昨天"}, "decided_on"),
        ({"correction_due_on": "2026-04-31"}, "correction_due_on"),
        ({"proposed_fine": "1.234"}, "proposed_fine"),
        ({"proposed_fine": "十万元"}, "proposed_fine"),
        ({"final_fine": "abc"}, "final_fine"),
        ({"status": "审理"}, "status"),
        ({"harm_level": "巨大"}, "harm_level"),
        ({"corrected": "也许"}, "corrected"),
        ({"description": "长" * 4001}, "description"),
    ],
)
def test_row_problems_name_row_and_field(values, field):
    records, problems = parse_case_rows([_row(7, **values)])
    assert records == []
    assert [(p.row, p.field) for p in problems] == [(7, field)]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"status": "告知", "harm_level": "一般", "corrected": "是"}, ("notified", "general", True)),
        ({"status": "不予处罚", "harm_level": "无", "corrected": "否"}, ("not_penalised", "none", False)),
        ({"status": "closed", "harm_level": "serious", "corrected": "yes"}, ("closed", "serious", True)),
        ({"status": "已移送", "harm_level": "严重", "corrected": "已改正"}, ("transferred", "serious", True)),
    ],
)
def test_chinese_names_and_codes_are_read(values, expected):
    (r,), _ = parse_case_rows([_row(**values)])
    assert (r.status, r.harm_level, r.corrected) == expected


def test_a_repeated_case_number_names_the_first_row():
    records, problems = parse_case_rows([_row(2), _row(3)])
    assert len(records) == 1
    assert [(p.row, p.field, p.params) for p in problems] == [(3, "case_number", {"other": 2})]
