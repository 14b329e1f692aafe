"""Table tests of eduapp.domain.rule_limits: what an offset rule set may do under 行政处罚法 (2021)."""

from dataclasses import replace

import pytest

from eduapp.domain import offsets as rules
from eduapp.domain import rule_limits

BASIS = "《某某省生态环境保护条例》第三十条"


@pytest.mark.parametrize("maths, authorised", [
    pytest.param(rules.Maths(allow_below_minimum=True), False, id="art32_study_is_no_ground_for_jianqing"),
    pytest.param(rules.Maths(allow_below_minimum=True, below_minimum_basis="示环规〔2026〕3号",
                             below_minimum_level="local_regulation"), False,
                 id="art32_item5_a_normative_document_names_no_provision"),
    pytest.param(rules.Maths(allow_below_minimum=True, below_minimum_basis=BASIS), False,
                 id="art32_item5_the_level_must_be_recorded"),
    pytest.param(rules.Maths(allow_below_minimum=True, below_minimum_basis=BASIS,
                             below_minimum_level="normative_document"), False,
                 id="art32_item5_only_law_regulation_or_rule_levels"),
    pytest.param(rules.Maths(allow_below_minimum=True, below_minimum_basis=BASIS,
                             below_minimum_level="local_regulation"), True,
                 id="art32_item5_a_local_regulation_provision_authorises"),
    pytest.param(rules.Maths(allow_below_minimum=False, below_minimum_basis=BASIS,
                             below_minimum_level="law"), False, id="art34_default_is_congqing_within_range"),
])
def test_art32_jianqing_only_on_a_named_provision_of_law_regulation_or_rule(maths, authorised):
    assert rule_limits.reduction_authorised(maths) is authorised
    assert rule_limits.effective_maths(maths).allow_below_minimum is authorised
    assert rule_limits.needs_collective_discussion(maths) is authorised


@pytest.mark.parametrize("cap, effective, problem", [
    (0, 0, False), (20, 20, False), (50, 50, False), (51, 50, True), (100, 50, True),
], ids=lambda v: f"{v}")
def test_art5_cap_percent_is_bounded_at_50(cap, effective, problem):
    maths = rules.Maths(cap_percent=cap)
    assert rule_limits.effective_maths(maths).cap_percent == effective
    assert bool([p for p in rule_limits.maths_problems(maths) if p.field == "cap_percent"]) is problem


def _rule(maths: rules.Maths) -> rules.RuleSet:
    from datetime import date

    return rules.RuleSet(code="RS-001", version=1, name="规则", doc_number="示环规〔2026〕3号",
                         effective_from=date(2026, 1, 1), effective_to=None, status="active",
                         eligible_codes=("AIR-99-1",), conditions=rules.Conditions(key_roles=(), cooling_days=0),
                         maths=maths)


@pytest.mark.parametrize("maths, fine_after", [
    pytest.param(rules.Maths(cap_percent=50), 10_000_000, id="art34_floor_is_the_statutory_minimum"),
    pytest.param(rules.Maths(cap_percent=50, allow_below_minimum=True), 10_000_000,
                 id="art32_unfounded_flag_keeps_the_floor"),
    pytest.param(rules.Maths(cap_percent=50, allow_below_minimum=True, below_minimum_basis=BASIS,
                             below_minimum_level="local_regulation"), 6_000_000,
                 id="art32_item5_founded_jianqing_goes_below"),
    pytest.param(rules.Maths(cap_percent=100, allow_below_minimum=True), 10_000_000,
                 id="art5_cap_100_never_zeroes_the_fine"),
])
def test_art34_offset_floor_under_effective_maths(maths, fine_after):
    from datetime import date

    case = rules.Case(violation_code="AIR-99-1", status="notified", harm_level="minor", corrected=True,
                      proposed_fine=12_000_000, statutory_min=10_000_000, opened_on=date(2026, 9, 1))
    result = rules.evaluate(_rule(rule_limits.effective_maths(maths)), case, rules.History(), rules.Study(),
                            rules.Points(lots=((1_000_000, date(2027, 1, 1)),)), date(2026, 10, 1))
    assert result.eligible and result.fine_after == fine_after


@pytest.mark.parametrize("fine_now, offset, expected", [
    pytest.param(12_000_000, 2_000_000, 10_000_000, id="art45_para2_offset_from_the_current_fine"),
    pytest.param(12_000_000, 0, 12_000_000, id="art45_para2_no_offset_never_raises"),
    pytest.param(12_000_000, -5, 12_000_000, id="art45_para2_never_above_the_current_fine"),
    pytest.param(100, 500, 0, id="never_below_zero"),
])
def test_art45_approval_never_raises_the_current_fine(fine_now, offset, expected):
    assert rule_limits.approved_fine(fine_now, offset) == expected


@pytest.mark.parametrize("offset, pts, reserved, expected", [
    pytest.param(2_000_000, 20_000, 30_000, (2_000_000, 20_000), id="fewer_than_reserved_kept"),
    pytest.param(4_000_000, 40_000, 30_000, (3_000_000, 30_000), id="never_more_than_reserved"),
])
def test_points_within_the_reservation(offset, pts, reserved, expected):
    assert rule_limits.within_reservation(offset, pts, reserved, 100, True) == expected


@pytest.mark.parametrize("recorded, needs, passed", [
    pytest.param(False, False, True, id="art57_para2_congqing_needs_no_collective_discussion"),
    pytest.param(False, True, False, id="art57_para2_jianqing_without_discussion_refused"),
    pytest.param(True, True, True, id="art57_para2_jianqing_with_discussion_approvable"),
])
def test_art57_para2_collective_discussion(recorded, needs, passed):
    maths = rules.Maths(allow_below_minimum=needs, below_minimum_basis=BASIS, below_minimum_level="law")
    ok, reason, basis = rule_limits.collective_discussion_check(maths, recorded)
    assert ok is passed and basis.endswith("第五十七条第二款")
    if not passed:
        assert "集体讨论" in reason and BASIS in reason


def test_the_levels_are_those_of_law_regulation_and_rule():
    assert set(rule_limits.LEVELS.values()) == {"法律", "行政法规", "地方性法规", "部门规章", "地方政府规章"}
    assert rule_limits.effective_maths(replace(rules.Maths(), cap_percent=-3)).cap_percent == 0
