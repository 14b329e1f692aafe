"""The eligibility engine, table-driven. Base case: a ¥200,000 proposed fine (statutory minimum
¥100,000) for AIR-99-1, notified, minor harm, corrected; 30,000 points usable at ¥1 each; the rule
caps an offset at 20% of the fine. Today is 2026-11-25."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from eduapp.domain.offsets import (
    Case,
    History,
    KeyPerson,
    Points,
    RuleSet,
    Study,
    evaluate,
    four_eyes_conflict,
    months_before,
)

TODAY = date(2026, 11, 25)
RULE = RuleSet(code="HB-XFJF", version=2, name="学法积分抵扣罚款规则", doc_number="示环规〔2026〕3号",
               effective_from=date(2026, 1, 1), effective_to=None, status="active",
               eligible_codes=("AIR-99-1", "WATER-83-2"), excluded_codes=("AIR-99-3",))
CASE = Case(violation_code="AIR-99-1", status="notified", harm_level="minor", corrected=True,
            proposed_fine=20_000_000, statutory_min=10_000_000, opened_on=date(2026, 9, 1))
PASSED = ((date(2026, 6, 1), 85, frozenset({"中华人民共和国大气污染防治法"})),)
STUDY = Study(key_people=(KeyPerson("legal_representative", "王建国", PASSED), KeyPerson("env_manager", "李环保", PASSED)),
              staff_total=10, staff_passed=6)
POINTS = Points(lots=((30_000, date(2027, 6, 30)),))


NO_HISTORY = History()


def ev(rule=RULE, case=CASE, history=NO_HISTORY, study=STUDY, points=POINTS, today=TODAY, conditions=None, maths=None):
    if conditions:
        rule = replace(rule, conditions=replace(rule.conditions, **conditions))
    if maths:
        rule = replace(rule, maths=replace(rule.maths, **maths))
    return evaluate(rule, case, history, study, points, today)


def failing(result):
    return sorted(c.key for c in result.failed())


def lots(*pairs):
    return Points(lots=tuple(pairs))


W = months_before(CASE.opened_on, 24)  # 2024-09-01: the first day outside the look-back window

# (id, arguments, eligible, failing checks, offset in fen, points)
TABLE = [
    ("base: the points bind", {}, True, [], 3_000_000, 30_000),
    ("more points: 20% of the fine binds", {"points": lots((50_000, date(2027, 1, 1)))}, True, [], 4_000_000, 40_000),
    ("exactly at the 20% cap", {"points": lots((40_000, date(2027, 1, 1)))}, True, [], 4_000_000, 40_000),
    ("one point short of the cap", {"points": lots((39_999, date(2027, 1, 1)))}, True, [], 3_999_900, 39_999),
    ("points short by one of the minimum", {"points": lots((99, date(2027, 1, 1))), "maths": {"min_points": 100}},
     False, ["points_minimum"], 0, 0),
    ("exactly the minimum points", {"points": lots((100, date(2027, 1, 1))), "maths": {"min_points": 100}},
     True, [], 10_000, 100),
    ("a lot expiring today still counts", {"points": lots((500, TODAY), (100, date(2027, 1, 1)))}, True, [], 60_000, 600),
    ("a lot that expired yesterday does not", {"points": lots((500, TODAY - timedelta(days=1)))}, False,
     ["offset_amount", "points_minimum"], 0, 0),
    ("filed: before the decision", {"case": replace(CASE, status="filed")}, True, [], 3_000_000, 30_000),
    ("investigating", {"case": replace(CASE, status="investigating")}, True, [], 3_000_000, 30_000),
    ("a case decided yesterday", {"case": replace(CASE, status="decided")}, False, ["before_decision"], 0, 0),
    ("paid", {"case": replace(CASE, status="paid")}, False, ["before_decision"], 0, 0),
    ("transferred to the judicial organs", {"case": replace(CASE, status="transferred")}, False,
     ["before_decision", "not_transferred"], 0, 0),
    ("a violation type outside the rule", {"case": replace(CASE, violation_code="NOISE-75")}, False,
     ["violation_type"], 0, 0),
    ("an excluded type", {"case": replace(CASE, violation_code="AIR-99-3"),
                          "rule": replace(RULE, eligible_codes=("AIR-99-1", "AIR-99-3"))}, False, ["violation_type"], 0, 0),
    ("a prior violation on the last day inside the window",
     {"history": History(prior_cases=(("AIR-99-1", W + timedelta(days=1)),))},
     False, ["first_violation"], 0, 0),
    ("a prior violation on the first day outside the window", {"history": History(prior_cases=(("AIR-99-1", W),))},
     True, [], 3_000_000, 30_000),
    ("a prior violation of another type does not count", {"history": History(prior_cases=(("NOISE-75", TODAY),))},
     True, [], 3_000_000, 30_000),
    ("…unless the rule counts every type", {"history": History(prior_cases=(("NOISE-75", date(2026, 8, 1)),)),
                                           "conditions": {"first_violation_any_type": True}},
     False, ["first_violation"], 0, 0),
    ("a later case does not count as prior", {"history": History(prior_cases=(("X", CASE.opened_on + timedelta(days=1)),))},
     True, [], 3_000_000, 30_000),
    ("general harm", {"case": replace(CASE, harm_level="general")}, False, ["harm_level"], 0, 0),
    ("no harm at all", {"case": replace(CASE, harm_level="none")}, True, [], 3_000_000, 30_000),
    ("not corrected", {"case": replace(CASE, corrected=False)}, False, ["corrected"], 0, 0),
    ("not corrected, but the rule does not ask", {"case": replace(CASE, corrected=False),
                                                  "conditions": {"require_corrected": False}}, True, [], 3_000_000, 30_000),
    ("fraud in earlier study", {"history": History(study_fraud=True)}, False, ["no_fraud"], 0, 0),
    ("an offset 364 days ago", {"history": History(offsets_granted=((TODAY - timedelta(days=364), 100_000),))},
     False, ["cooling_period"], 0, 0),
    ("an offset exactly 365 days ago", {"history": History(offsets_granted=((TODAY - timedelta(days=365), 100_000),))},
     True, [], 3_000_000, 30_000),
    ("no environmental manager account", {"study": replace(STUDY, key_people=STUDY.key_people[:1])}, False,
     ["study_env_manager"], 0, 0),
    ("the manager scored 59", {"study": replace(STUDY, key_people=(STUDY.key_people[0], KeyPerson(
        "env_manager", "李环保", ((date(2026, 6, 1), 59, frozenset()),))))}, False, ["study_env_manager"], 0, 0),
    ("the manager scored exactly 60", {"study": replace(STUDY, key_people=(STUDY.key_people[0], KeyPerson(
        "env_manager", "李环保", ((date(2026, 6, 1), 60, frozenset()),))))}, True, [], 3_000_000, 30_000),
    ("a pass 366 days ago", {"study": replace(STUDY, key_people=(STUDY.key_people[0], KeyPerson(
        "env_manager", "李环保", ((TODAY - timedelta(days=366), 90, frozenset()),))))}, False, ["study_env_manager"], 0, 0),
    ("a pass exactly 365 days ago", {"study": replace(STUDY, key_people=(STUDY.key_people[0], KeyPerson(
        "env_manager", "李环保", ((TODAY - timedelta(days=365), 90, frozenset()),))))}, True, [], 3_000_000, 30_000),
    ("the exam did not cover the required law", {"conditions": {"study_topics": ("中华人民共和国水污染防治法",)}}, False,
     ["study_env_manager", "study_legal_representative"], 0, 0),
    ("staff share below 50%", {"conditions": {"min_staff_share_percent": 50},
                               "study": replace(STUDY, staff_total=3, staff_passed=1)}, False, ["staff_share"], 0, 0),
    ("staff share exactly 50%", {"conditions": {"min_staff_share_percent": 50},
                                 "study": replace(STUDY, staff_total=4, staff_passed=2)}, True, [], 3_000_000, 30_000),
    ("the fine is already the statutory minimum", {"case": replace(CASE, proposed_fine=10_000_000)}, False,
     ["offset_amount"], 0, 0),
    ("减轻 allowed: below the minimum", {"case": replace(CASE, proposed_fine=10_000_000),
                                       "maths": {"allow_below_minimum": True}}, True, [], 2_000_000, 20_000),
    ("the statutory minimum binds", {"case": replace(CASE, proposed_fine=10_500_000)}, True, [], 500_000, 5_000),
    ("the cap per case binds", {"maths": {"cap_per_case_fen": 1_000_000}}, True, [], 1_000_000, 10_000),
    ("what is left of the yearly cap binds", {"maths": {"cap_per_enterprise_year_fen": 5_000_000},
                                              "conditions": {"cooling_days": 0},
                                              "history": History(offsets_granted=((date(2026, 3, 1), 4_500_000),))},
     True, [], 500_000, 5_000),
    ("last year's offsets do not count against this year's cap", {
        "maths": {"cap_per_enterprise_year_fen": 5_000_000}, "conditions": {"cooling_days": 0},
        "history": History(offsets_granted=((date(2025, 12, 31), 5_000_000),))}, True, [], 3_000_000, 30_000),
    ("rounding down to whole yuan at ¥1.50 a point", {"maths": {"fen_per_point": 150},
                                                      "points": lots((10_001, date(2027, 1, 1)))},
     True, [], 1_500_100, 10_001),
    ("an odd fine: 20% rounds down to the yuan", {"case": replace(CASE, proposed_fine=12_345_678, statutory_min=None),
                                                  "points": lots((99_999, date(2027, 1, 1)))}, True, [], 2_469_100, 24_691),
    ("a draft rule", {"rule": replace(RULE, status="draft")}, False, ["rule_in_force"], 0, 0),
    ("a rule that ended yesterday", {"rule": replace(RULE, effective_to=TODAY - timedelta(days=1))}, False,
     ["rule_in_force"], 0, 0),
    ("a rule in force from today", {"rule": replace(RULE, effective_from=TODAY)}, True, [], 3_000_000, 30_000),
]


@pytest.mark.parametrize(("title", "args", "eligible", "fails", "offset", "points"), TABLE, ids=[t[0] for t in TABLE])
def test_table(title, args, eligible, fails, offset, points):
    result = ev(**args)
    assert (result.eligible, failing(result), result.max_offset, result.points) == (eligible, fails, offset, points)
    assert result.fine_after == result.fine_before - result.max_offset
    assert all(c.reason and c.basis for c in result.checks)
    if eligible:
        assert result.fine_after >= (CASE.statutory_min if not (args.get("maths") or {}).get("allow_below_minimum")
                                     and args.get("case", CASE).statutory_min else 0)


def test_every_check_is_reported_with_its_basis_in_chinese():
    result = ev()
    keys = [c.key for c in result.checks]
    assert keys == ["rule_in_force", "not_transferred", "before_decision", "violation_type", "first_violation",
                    "harm_level", "corrected", "no_fraud", "cooling_period", "study_legal_representative",
                    "study_env_manager", "points_minimum", "offset_amount"]
    by_key = {c.key: c for c in result.checks}
    assert "第五十七条" in by_key["before_decision"].basis and "第三十二条、第三十四条" in by_key["first_violation"].basis
    assert all("第三十三条" not in c.basis for c in by_key.values())
    assert "¥30,000.00" in by_key["offset_amount"].reason and "¥170,000.00" in by_key["offset_amount"].reason
    assert result.binding_cap == "可用积分折算"
    decided = ev(case=replace(CASE, status="decided"))
    assert "全额缴纳" in {c.key: c for c in decided.checks}["before_decision"].reason


def test_the_same_inputs_give_the_same_answer():
    assert ev() == ev() and ev().as_dict() == ev().as_dict()
    assert ev().as_dict()["today"] == "2026-11-25"


def test_months_before_clamps_to_the_month_end():
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)
    assert months_before(date(2026, 1, 15), 24) == date(2024, 1, 15)


def test_four_eyes():
    assert four_eyes_conflict(1, applicant_id=1, deciders=[]) == "applicant"
    assert four_eyes_conflict(2, applicant_id=1, deciders=[2]) == "decided"
    assert four_eyes_conflict(3, applicant_id=1, deciders=[2]) is None


def test_failed_reasons_read_as_sentences_without_doubled_stops():
    from eduapp.domain.offsets import sentences

    assert sentences(["危害后果超过“轻微”。", "违法行为尚未改正", ""]) == "危害后果超过“轻微”。违法行为尚未改正。"
