"""行政处罚法 §33 ¶1, table-driven: the mandatory ground (minor, corrected in time, no harm) and the
discretionary 首违不罚 ground for listed codes. List in force from 2026-01-01: AIR-100-2 is a 轻微违法
entry and a 首违不罚 entry, WATER-82-1 a 首违不罚 entry only. Today is 2026-11-25."""

from dataclasses import replace
from datetime import date

import pytest

from eduapp.domain.non_penalty import (
    FIRST_FINDING,
    GROUND_FIRST,
    GROUND_MINOR,
    MANDATORY_FINDING,
    Entry,
    Facts,
    NonPenaltyList,
    assess,
    check_entries,
    refusal,
)

TODAY = date(2026, 11, 25)
LIST = NonPenaltyList(code="NPL-001", version=1, name="生态环境轻微违法行为免罚清单", doc_number="示环规〔2026〕5号",
                      authority="示例市生态环境局", effective_from=date(2026, 1, 1), effective_to=None, status="active",
                      entries=(Entry("AIR-100-2", "minor"), Entry("AIR-100-2", "first"),
                               Entry("WATER-82-1", "first", lookback_months=12)))
CASE = Facts(violation_code="AIR-100-2", status="investigating", harm_level="none", corrected=True,
             opened_on=date(2026, 9, 1))

# (id, case changes, list, applies, mandatory, ground, officer_review)
TABLE = [
    ("art33_para1_minor_corrected_no_harm_is_not_penalised", {}, LIST, True, True, GROUND_MINOR, False),
    ("art33_para1_minor_harm_first_violation_may_go_unpunished", {"harm_level": "minor"}, LIST, True, False,
     GROUND_FIRST, False),
    ("art33_para1_not_corrected_is_neither", {"corrected": False}, LIST, False, False, None, False),
    ("art33_para1_general_harm_is_neither", {"harm_level": "general"}, LIST, False, False, None, False),
    ("art33_para1_earlier_same_violation_is_not_first",
     {"harm_level": "minor", "prior_cases": (("AIR-100-2", date(2025, 12, 1)),)}, LIST, False, False, None, False),
    ("art33_para1_earlier_other_violation_still_first",
     {"harm_level": "minor", "prior_cases": (("WATER-82-1", date(2025, 12, 1)),)}, LIST, True, False, GROUND_FIRST,
     False),
    ("art33_para1_earlier_violation_outside_lookback_is_first",
     {"harm_level": "minor", "prior_cases": (("AIR-100-2", date(2024, 9, 1)),)}, LIST, True, False, GROUND_FIRST,
     False),
    ("art33_para1_first_only_entry_no_harm_is_discretionary_and_officer_judges_minor",
     {"violation_code": "WATER-82-1"}, LIST, True, False, GROUND_FIRST, True),
    ("art33_para1_unlisted_no_harm_corrected_the_officer_judges", {"violation_code": "AIR-99-1"}, LIST, False, False,
     None, True),
    ("art33_para1_no_list_no_harm_corrected_the_officer_judges", {}, None, False, False, None, True),
    ("art33_para1_draft_list_is_not_in_force", {}, replace(LIST, status="draft"), False, False, None, True),
    ("art33_para1_list_not_yet_in_force", {}, replace(LIST, effective_from=date(2027, 1, 1)), False, False, None,
     True),
    ("art33_para1_only_before_the_decision", {"status": "decided"}, LIST, False, False, None, False),
    ("art33_para1_mandatory_also_once_notified", {"status": "notified"}, LIST, True, True, GROUND_MINOR, False),
    ("art33_para1_art44_first_violation_passed_over_once_notified", {"harm_level": "minor", "status": "notified"},
     LIST, False, False, None, False),
]


@pytest.mark.parametrize(("changes", "lst", "applies", "mandatory", "ground", "review"),
                         [row[1:] for row in TABLE], ids=[row[0] for row in TABLE])
def test_art33_para1(changes, lst, applies, mandatory, ground, review):
    answer = assess(replace(CASE, **changes), lst, TODAY)
    assert (answer.applies, answer.mandatory, answer.ground, answer.officer_review) == (
        applies, mandatory, ground, review)
    assert "第三十三条第一款" in answer.basis


def test_art33_para1_mandatory_finding_is_the_text_the_pages_show():
    answer = assess(CASE, LIST, TODAY)
    assert answer.finding == "符合不予处罚条件（《行政处罚法》第三十三条第一款）" == MANDATORY_FINDING
    assert "示环规〔2026〕5号" in answer.basis
    assert refusal(answer).startswith(MANDATORY_FINDING)


def test_art33_para1_first_violation_finding_names_the_discretion():
    answer = assess(replace(CASE, harm_level="minor"), LIST, TODAY)
    assert answer.finding == "可以不予处罚（首违不罚，《行政处罚法》第三十三条第一款）" == FIRST_FINDING
    assert [c.key for c in answer.conditions] == ["listed_first", "first_violation", "minor_harm", "corrected"]


def test_art33_para1_failing_first_violation_names_what_failed_and_offers_no_refusal():
    answer = assess(replace(CASE, harm_level="minor", corrected=False), LIST, TODAY)
    assert not answer.applies and "尚未改正" in answer.reason and refusal(answer) is None


@pytest.mark.parametrize(("entries", "found"), [
    ([Entry("AIR-100-2", "minor")], []),
    ([Entry("AIR-100-2", "other")], [("kind", 1)]),
    ([Entry(" ", "minor")], [("code", 1)]),
    ([Entry("AIR-100-2", "minor"), Entry("AIR-100-2", "minor")], [("duplicate", 2)]),
    ([Entry("AIR-100-2", "first", lookback_months=0)], [("lookback", 1)]),
    ([Entry("NOPE-1", "first")], [("unknown_code", 1)]),
], ids=["art33_para1_list_ok", "kind", "code", "duplicate", "lookback", "unknown_code"])
def test_art33_para1_list_entries_are_checked(entries, found):
    assert check_entries(entries, {"AIR-100-2"}) == found


def test_art44_once_notified_a_passed_over_first_violation_names_the_notice_and_blocks_no_offset():
    answer = assess(replace(CASE, harm_level="minor", status="notified"), LIST, TODAY)
    assert "第四十四条" in answer.reason and "从轻" in answer.reason and refusal(answer) is None
    assert all(c.passed for c in answer.conditions)  # the conditions held: the bureau chose to penalise
