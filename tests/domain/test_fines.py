"""Fines set as multiples or per occurrence, and one act under several codes (行政处罚法第二十九条),
table-driven against the packaged catalogue. Each id names the article it implements."""

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import yaml

from eduapp.domain import fines
from eduapp.domain.catalogue import fine_rule, parse_catalogue
from eduapp.domain.offsets import Case, History, KeyPerson, Points, RuleSet, Study, evaluate

CATALOGUE = Path(__file__).resolve().parents[2] / "eduapp" / "data" / "violations.yaml"
RECORDS, _ = parse_catalogue(yaml.safe_load(CATALOGUE.read_text(encoding="utf-8")))
RULES = {r.code: fine_rule(r) for r in RECORDS}
ALL = list(RULES.values())
YUAN = 100  # fen


@pytest.mark.parametrize(
    ("code", "basis", "occurrences", "low", "high"),
    [
        pytest.param("SOLID-102-7", 50_000 * YUAN, None, 100_000 * YUAN, 300_000 * YUAN,
                     id="固体废物污染环境防治法第一百零二条_处置费用不足十万元按十万元计算"),
        pytest.param("SOLID-102-7", 250_000 * YUAN + 1, None, 25_000_001, 75_000_003,
                     id="固体废物污染环境防治法第一百零二条_一倍以上三倍以下"),
        pytest.param("SOLID-112-3", 50_000 * YUAN, None, 600_000 * YUAN, 1_000_000 * YUAN,
                     id="固体废物污染环境防治法第一百一十二条_不足二十万元按二十万元计算_最低六十万元"),
        pytest.param("SOLID-112-3", 300_000 * YUAN, None, 900_000 * YUAN, 1_500_000 * YUAN,
                     id="固体废物污染环境防治法第一百一十二条_三倍以上五倍以下"),
        pytest.param("AIR-105", 1_234_567, None, 1_234_567, 3_703_701,
                     id="大气污染防治法第一百零五条_货值金额一倍以上三倍以下"),
        # 1% of ¥1,000,000.01 is ¥10,000.0001: the minimum rounds UP to the fen, the maximum
        # (5%: ¥50,000.0005) DOWN, so the range never leaves the statute's.
        pytest.param("EIA-31-K1", 100_000_001, None, 1_000_001, 5_000_000,
                     id="环境影响评价法第三十一条_总投资额百分之一以上百分之五以下_取整不出法定幅度"),
        pytest.param("EIA-31-K1", 300_000_000 * YUAN, None, 3_000_000 * YUAN, 15_000_000 * YUAN,
                     id="环境影响评价法第三十一条_投资额大于罚款字段上限也能计算"),
        pytest.param("PERMIT-37-1", None, 3, 15_000 * YUAN, 60_000 * YUAN,
                     id="排污许可管理条例第三十七条_每次五千元以上二万元以下_三次"),
        pytest.param("PERMIT-37-3", None, 1, 5_000 * YUAN, 20_000 * YUAN,
                     id="排污许可管理条例第三十七条_每次_一次"),
        pytest.param("AIR-99-1", None, None, 100_000 * YUAN, 1_000_000 * YUAN,
                     id="大气污染防治法第九十九条_固定幅度不需要基数"),
        pytest.param("EIA-31-K3", None, None, None, 50_000 * YUAN, id="环境影响评价法第三十一条第三款_五万元以下无下限"),
    ],
)
def test_statutory_range(code, basis, occurrences, low, high):
    found = fines.statutory_range(RULES[code], basis, occurrences)
    assert (found.fine_min, found.fine_max, found.computable) == (low, high, True)
    assert code in found.reason


@pytest.mark.parametrize(
    ("code", "words"),
    [
        pytest.param("AIR-105", "货值金额", id="大气污染防治法第一百零五条_未记录货值金额"),
        pytest.param("SOLID-102-7", "所需处置费用", id="固体废物污染环境防治法第一百零二条_未记录处置费用"),
        pytest.param("SOLID-112-3", "所需处置费用", id="固体废物污染环境防治法第一百一十二条_未记录处置费用"),
        pytest.param("EIA-31-K1", "建设项目总投资额", id="环境影响评价法第三十一条_未记录总投资额"),
        pytest.param("PERMIT-37-1", "违法次数", id="排污许可管理条例第三十七条_未记录违法次数"),
    ],
)
def test_without_its_basis_the_range_cannot_be_computed_and_no_offset_floor_is_known(code, words):
    found = fines.statutory_range(RULES[code])
    assert (found.fine_min, found.fine_max, found.computable) == (None, None, False)
    assert words in found.reason
    floor = fines.offset_floor(RULES[code], ALL, None, None, "minor")
    assert floor.known is False and floor.amount is None
    (check,) = [c for c in floor.checks if c[0] == "fine_basis"]
    assert check[1] is False and words in check[2] and "不提供学法从轻" in check[2]
    assert check[3].startswith("《")  # cites the statute article


def test_the_catalogue_states_how_every_fine_that_is_not_a_fixed_range_is_computed():
    """固体废物污染环境防治法第一百零二条、第一百一十二条, 大气污染防治法第一百零五条, 环境影响评价法第三十一条,
    排污许可管理条例第三十七条: every 倍 / 百分之 / 每次 entry says so."""
    methods = {code: rule.method for code, rule in RULES.items() if rule.method != fines.RANGE}
    assert methods == {"AIR-105": "multiple", "SOLID-102-7": "multiple", "SOLID-112-3": "multiple",
                       "EIA-31-K1": "multiple", "PERMIT-37-1": "per_occurrence", "PERMIT-37-3": "per_occurrence"}
    assert (RULES["SOLID-102-7"].basis_floor, RULES["SOLID-112-3"].basis_floor) == (10_000_000, 20_000_000)
    assert RULES["WATER-93-1"].min_harm == "serious"


# --- 行政处罚法第二十九条: one act, several codes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "harm", "floor", "top"),
    [
        pytest.param("AIR-99-1", "minor", 200_000 * YUAN, "PERMIT-33-1",
                     id="行政处罚法第二十九条_无证排污_取排污许可管理条例第三十三条的二十万元"),
        pytest.param("NOISE-75", "minor", 200_000 * YUAN, "PERMIT-33-1",
                     id="行政处罚法第二十九条_噪声无证排污_取组内最高最低额"),
        pytest.param("PERMIT-33-1", "minor", 200_000 * YUAN, "PERMIT-33-1",
                     id="行政处罚法第二十九条_本身即最高"),
        pytest.param("AIR-100-2", "minor", 20_000 * YUAN, "AIR-100-2",
                     id="行政处罚法第二十九条_自行监测_各规定最低额相同"),
        pytest.param("AIR-98", "minor", 50_000 * YUAN, "SOLID-103",
                     id="行政处罚法第二十九条_拒绝监督检查_取固体废物污染环境防治法第一百零三条的五万元"),
        pytest.param("AIR-117-1", "minor", 10_000 * YUAN, None, id="行政处罚法第二十九条_不在任何组_按本条最低额"),
    ],
)
def test_art29_the_floor_is_the_highest_applicable_minimum_of_the_group(code, harm, floor, top):
    found = fines.offset_floor(RULES[code], ALL, None, None, harm)
    assert (found.amount, found.known) == (floor, True)
    same_act = [c for c in found.checks if c[0] == "same_act"]
    if top is None:
        assert same_act == []
    else:
        (check,) = same_act
        assert check[1] is True and top in check[2] and "罚款数额高的规定" in check[2]
        assert "第二十九条" in check[3]


def test_art29_group_members_that_do_not_apply_or_are_retired_do_not_raise_the_floor():
    air = RULES["AIR-99-1"]
    permit = replace(RULES["PERMIT-33-1"], active=False)
    serious_only = replace(RULES["PERMIT-33-1"], code="PERMIT-33-9", active=True, min_harm="serious")
    group = [air, RULES["WATER-83-1"], permit, serious_only]
    assert fines.offset_floor(air, group, None, None, "minor").amount == 100_000 * YUAN
    assert fines.offset_floor(air, group, None, None, "serious").amount == 200_000 * YUAN


def test_art29_a_multiple_of_another_basis_is_not_computable_and_is_left_out():
    own = replace(RULES["AIR-105"], same_act_group="g")
    other = replace(RULES["EIA-31-K1"], same_act_group="g")
    same_basis = replace(RULES["AIR-105"], code="AIR-105-9", same_act_group="g", multiple_min_percent=200)
    minimums = fines.group_minimums(own, [own, other, same_basis], 1_000_000, None, "minor")
    assert minimums[0][:2] == ("AIR-105", 1_000_000)
    assert ("EIA-31-K1", None) in [m[:2] for m in minimums]
    assert ("AIR-105-9", 2_000_000) in [m[:2] for m in minimums]
    assert fines.offset_floor(own, [own, other, same_basis], 1_000_000, None, "minor").amount == 2_000_000


@pytest.mark.parametrize(
    ("harm", "applies"),
    [
        pytest.param("none", False, id="水污染防治法第九十三条_情节严重的_无危害不适用"),
        pytest.param("minor", False, id="水污染防治法第九十三条_情节严重的_轻微不适用"),
        pytest.param("general", False, id="水污染防治法第九十三条_情节严重的_一般不适用"),
        pytest.param("serious", True, id="水污染防治法第九十三条_情节严重的_严重适用"),
    ],
)
def test_a_code_for_serious_circumstances_only_applies_only_then(harm, applies):
    rule = RULES["WATER-93-1"]
    assert fines.applies_at(rule, harm) is applies
    (check,) = [c for c in fines.offset_floor(rule, ALL, None, None, harm).checks if c[0] == "violation_applies"]
    assert check[1] is applies and "情节严重" in check[2] and "第九十三条" in check[3]
    warnings = fines.case_warnings(rule, ALL, None, None, harm)
    assert [w.field for w in warnings] == ([] if applies else ["harm_level"])


@pytest.mark.parametrize(
    ("code", "basis", "occurrences", "chosen", "fields"),
    [
        pytest.param("AIR-99-1", None, None, True, ["violation_type_id"], id="行政处罚法第二十九条_选择组内编码时提示"),
        pytest.param("AIR-99-1", None, None, False, [], id="行政处罚法第二十九条_编码未改变不再提示"),
        pytest.param("AIR-105", None, None, True, ["fine_basis_fen"], id="大气污染防治法第一百零五条_提示记录货值金额"),
        pytest.param("AIR-105", 1_000_000, None, True, [], id="大气污染防治法第一百零五条_已记录"),
        pytest.param("PERMIT-37-1", None, None, True, ["occurrences"], id="排污许可管理条例第三十七条_提示记录次数"),
        pytest.param("PERMIT-37-1", None, 2, True, [], id="排污许可管理条例第三十七条_已记录次数"),
    ],
)
def test_case_warnings(code, basis, occurrences, chosen, fields):
    warnings = fines.case_warnings(RULES[code], ALL, basis, occurrences, "minor", chosen)
    assert [w.field for w in warnings] == fields


def test_art29_warning_names_the_group_codes_and_their_minimums():
    (warning,) = fines.case_warnings(RULES["AIR-99-1"], ALL, None, None, "minor")
    codes = warning.params["codes"]
    for code in ("AIR-99-1", "WATER-83-1", "NOISE-75", "PERMIT-33-1"):
        assert code in codes
    assert "PERMIT-33-1 ¥200,000.00" in codes and "AIR-99-1 ¥100,000.00" in codes


@pytest.mark.parametrize(
    ("basis", "occurrences", "fields"),
    [
        (None, None, []),
        (0, 1, []),
        (fines.MAX_BASIS_FEN, fines.MAX_OCCURRENCES, []),
        (-1, None, ["fine_basis_fen"]),
        (fines.MAX_BASIS_FEN + 1, None, ["fine_basis_fen"]),
        (1.5, None, ["fine_basis_fen"]),
        (True, None, ["fine_basis_fen"]),
        (None, 0, ["occurrences"]),
        (None, fines.MAX_OCCURRENCES + 1, ["occurrences"]),
        (None, "3", ["occurrences"]),
    ],
)
def test_check_basis_names_the_field(basis, occurrences, fields):
    assert [p.field for p in fines.check_basis(basis, occurrences)] == fields


# --- the offset eligibility fed with the computed floor -------------------------------------------------------

TODAY = date(2026, 11, 25)
RULE = RuleSet(code="HB-XFJF", version=1, name="学法积分抵扣罚款规则", doc_number="示环规〔2026〕3号",
               effective_from=date(2026, 1, 1), effective_to=None, status="active",
               eligible_codes=("SOLID-112-3", "AIR-99-1", "WATER-93-1"))
PASSED = ((date(2026, 6, 1), 85, frozenset()),)
STUDY = Study(key_people=(KeyPerson("legal_representative", "王建国", PASSED), KeyPerson("env_manager", "李环保", PASSED)))
POINTS = Points(lots=((1_000_000, date(2027, 6, 30)),))


def _evaluate(code, proposed, basis=None, harm="minor"):
    floor = fines.offset_floor(RULES[code], ALL, basis, None, harm)
    case = Case(violation_code=code, status="notified", harm_level=harm, corrected=True, proposed_fine=proposed,
                statutory_min=floor.amount, opened_on=date(2026, 9, 1), fine_checks=floor.checks)
    return evaluate(RULE, case, History(), STUDY, POINTS, TODAY)


@pytest.mark.parametrize(
    ("basis", "proposed", "fine_after"),
    [
        pytest.param(50_000 * YUAN, 650_000 * YUAN, 600_000 * YUAN,
                     id="固体废物污染环境防治法第一百一十二条_从轻不低于六十万元"),
        pytest.param(300_000 * YUAN, 1_000_000 * YUAN, 900_000 * YUAN,
                     id="固体废物污染环境防治法第一百一十二条_从轻不低于三倍处置费用"),
        pytest.param(300_000 * YUAN, 2_000_000 * YUAN, 1_600_000 * YUAN,
                     id="固体废物污染环境防治法第一百一十二条_百分之二十封顶在最低额之上"),
    ],
)
def test_an_offset_never_takes_a_multiple_based_fine_below_its_computed_minimum(basis, proposed, fine_after):
    result = _evaluate("SOLID-112-3", proposed, basis)
    assert result.eligible and result.fine_after == fine_after
    assert result.fine_after >= fines.statutory_range(RULES["SOLID-112-3"], basis).fine_min


def test_without_the_basis_no_offset_is_offered_and_the_check_says_why():
    result = _evaluate("SOLID-112-3", 650_000 * YUAN)
    assert not result.eligible and result.max_offset == 0 and result.fine_after == 650_000 * YUAN
    (check,) = [c for c in result.failed() if c.key == "fine_basis"]
    assert "所需处置费用" in check.reason and "第一百一十二条" in check.basis


def test_art29_an_offset_on_a_grouped_code_stops_at_the_groups_highest_minimum():
    result = _evaluate("AIR-99-1", 220_000 * YUAN)  # AIR-99-1 alone would allow down to ¥176,000
    assert result.eligible and result.fine_after == 200_000 * YUAN


def test_water_art93_at_minor_harm_is_never_eligible():
    result = _evaluate("WATER-93-1", 50_000 * YUAN)
    assert not result.eligible
    assert "violation_applies" in [c.key for c in result.failed()]
