"""The violation catalogue's fields for how a fine is computed (fine_method and the rest) and its
§29 groups (行政处罚法第二十九条): a bad entry is refused with its entry number and field."""

from pathlib import Path

import pytest
import yaml

from eduapp.domain import cases
from eduapp.domain.catalogue import CATALOGUE_FIELDS, clause_position, parse_catalogue
from eduapp.domain.laws import parse_law

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "eduapp" / "data" / "violations.yaml"
LAWS_DIR = ROOT.parent / "shared" / "laws"

SOLID = {"code": "SOLID-112-3", "name": "擅自倾倒、堆放危险废物", "law": "中华人民共和国固体废物污染环境防治法",
         "article": "第一百一十二条", "clause": "第（三）项", "fine_min": None, "fine_max": None,
         "fine_method": "multiple", "basis": "所需处置费用", "basis_floor": 20_000_000, "multiple_min_percent": 300,
         "multiple_max_percent": 500,
         "fine_note": "处所需处置费用三倍以上五倍以下的罚款，所需处置费用不足二十万元的，按二十万元计算"}  # fmt: skip
PERMIT = {"code": "PERMIT-37-1", "name": "未按照排污许可证规定记录", "law": "排污许可管理条例", "article": "第三十七条",
          "clause": "第（一）项", "fine_min": 500_000, "fine_max": 2_000_000, "fine_method": "per_occurrence",
          "fine_note": "处每次5千元以上2万元以下的罚款"}  # fmt: skip
AIR = {"code": "AIR-99-1", "name": "未依法取得排污许可证排放大气污染物", "law": "中华人民共和国大气污染防治法",
       "article": "第九十九条", "clause": "第（一）项", "fine_min": 10_000_000, "fine_max": 100_000_000,
       "same_act_group": "no_permit_discharge", "fine_note": "并处十万元以上一百万元以下的罚款"}  # fmt: skip
WATER = {"code": "WATER-83-1", "name": "未依法取得排污许可证排放水污染物", "law": "中华人民共和国水污染防治法",
         "article": "第八十三条", "clause": "第（一）项", "fine_min": 10_000_000, "fine_max": 100_000_000,
         "same_act_group": "no_permit_discharge", "fine_note": "并处十万元以上一百万元以下的罚款"}  # fmt: skip
GOOD = [SOLID, PERMIT, AIR, WATER]


def test_good_entries_carry_their_method_fields():
    records, problems = parse_catalogue({"violations": GOOD})
    assert problems == []
    solid, permit, air, _ = records
    assert (solid.fine_method, solid.basis, solid.basis_floor, solid.multiple_min_percent,
            solid.multiple_max_percent) == ("multiple", "所需处置费用", 20_000_000, 300, 500)
    assert (permit.fine_method, permit.basis) == ("per_occurrence", None)
    assert (air.fine_method, air.same_act_group, air.min_harm) == ("range", "no_permit_discharge", None)
    assert set(CATALOGUE_FIELDS) >= {"fine_method", "basis", "basis_floor", "multiple_min_percent",
                                          "multiple_max_percent", "same_act_group", "min_harm"}


@pytest.mark.parametrize(
    ("entry", "changes", "field"),
    [
        pytest.param(SOLID, {"fine_method": "multiply"}, "fine_method", id="unknown_method"),
        pytest.param(SOLID, {"fine_method": "range", "basis": None, "basis_floor": None,
                             "multiple_min_percent": None, "multiple_max_percent": None},
                     "fine_method", id="固体废物污染环境防治法第一百一十二条_倍_must_be_multiple"),
        pytest.param(PERMIT, {"fine_method": "range"}, "fine_method", id="排污许可管理条例第三十七条_每次_must_be_per_occurrence"),
        pytest.param(SOLID, {"basis": None}, "basis", id="multiple_needs_basis"),
        pytest.param(SOLID, {"basis": "货值金额"}, "basis", id="basis_not_in_note"),
        pytest.param(SOLID, {"basis": "费" * 51}, "basis", id="basis_too_long"),
        pytest.param(SOLID, {"multiple_min_percent": None}, "multiple_min_percent", id="percent_required"),
        pytest.param(SOLID, {"multiple_min_percent": 0}, "multiple_min_percent", id="percent_zero"),
        pytest.param(SOLID, {"multiple_max_percent": 2.5}, "multiple_max_percent", id="percent_fraction"),
        pytest.param(SOLID, {"multiple_max_percent": True}, "multiple_max_percent", id="percent_boolean"),
        pytest.param(SOLID, {"multiple_min_percent": 600}, "multiple_min_percent", id="percent_min_above_max"),
        pytest.param(SOLID, {"basis_floor": -1}, "basis_floor", id="floor_negative"),
        pytest.param(SOLID, {"basis_floor": "二十万元"}, "basis_floor", id="floor_not_fen"),
        pytest.param(SOLID, {"fine_min": 60_000_000}, "fine_min", id="multiple_with_fixed_min"),
        pytest.param(PERMIT, {"basis": "次数"}, "basis", id="basis_only_for_multiple"),
        pytest.param(AIR, {"multiple_max_percent": 300}, "multiple_max_percent", id="percent_only_for_multiple"),
        pytest.param(PERMIT, {"fine_max": None}, "fine_max", id="per_occurrence_needs_amount"),
        pytest.param(AIR, {"same_act_group": "No Permit"}, "same_act_group", id="group_name"),
        pytest.param(AIR, {"same_act_group": 7}, "same_act_group", id="group_not_text"),
        pytest.param(AIR, {"min_harm": "severe"}, "min_harm", id="min_harm_unknown"),
        pytest.param(AIR, {"min_harm": "none"}, "min_harm", id="min_harm_none_is_meaningless"),
    ],
)
def test_bad_method_fields_name_entry_and_field(entry, changes, field):
    entries = [e if e is not entry else {**e, **changes} for e in GOOD]
    records, problems = parse_catalogue({"violations": entries})
    number = GOOD.index(entry) + 1
    assert entry["code"] not in [r.code for r in records]
    assert (number, field) in [(p.row, p.field) for p in problems], problems


def test_art29_a_group_of_one_code_is_refused_naming_its_entry():
    records, problems = parse_catalogue({"violations": [SOLID, AIR, {**WATER, "same_act_group": "no_permit"}]})
    assert [(p.row, p.field, p.params) for p in problems] == [
        (2, "same_act_group", {"value": "no_permit_discharge"}),
        (3, "same_act_group", {"value": "no_permit"}),
    ]


# --- the catalogue file ---------------------------------------------------------------------------------------


def _catalogue():
    return yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))


def test_the_packaged_catalogue_parses_and_has_enough_types():
    records, problems = parse_catalogue(_catalogue())
    assert problems == []
    assert len(records) >= 20
    assert {"AIR-99-1", "AIR-99-2", "AIR-99-3", "WATER-83-2"} <= {r.code for r in records}
    assert len({r.law for r in records}) >= 8


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"code": "air-99-1"}, "code"),
        ({"code": "AIR-98-1"}, "code"),  # the article of the code is not the entry's
        ({"code": "AIR-99"}, "code"),  # the entry names an item the code does not
        ({"code": "AIR-99-K1"}, "code"),
        ({"law": "中华人民共和国水污染防治法"}, "law"),  # AIR stands for the air law
        ({"article": "第99条"}, "article"),
        ({"clause": "第1项"}, "clause"),
        ({"fine_min": 100_000_001}, "fine_min"),  # above the maximum
        ({"fine_min": 12.5}, "fine_min"),
        ({"fine_max": "十万元"}, "fine_max"),
        ({"fine_note": ""}, "fine_note"),
        ({"name": ""}, "name"),
        ({"active": "yes"}, "active"),
    ],
)
def test_catalogue_entry_problems_name_entry_and_field(entry, field):
    good = {"code": "AIR-99-1", "name": "未依法取得排污许可证排放大气污染物", "law": "中华人民共和国大气污染防治法",
            "article": "第九十九条", "clause": "第（一）项", "fine_min": 10_000_000, "fine_max": 100_000_000,
            "fine_note": "并处十万元以上一百万元以下的罚款"}  # fmt: skip
    records, problems = parse_catalogue({"violations": [good, {**good, "code": "AIR-99-2", "clause": "第（二）项",
                                                                 **entry}]})  # fmt: skip
    assert [r.code for r in records] == ["AIR-99-1"]
    assert [(p.row, p.field) for p in problems][:1] == [(2, field)], problems


def test_a_repeated_code_names_the_first_entry():
    entry = {"code": "NOISE-75", "name": "x", "law": "中华人民共和国噪声污染防治法", "article": "第七十五条",
             "fine_min": None, "fine_max": None, "fine_note": "x"}  # fmt: skip
    _, problems = parse_catalogue({"violations": [entry, entry]})
    assert [(p.row, p.field, p.params) for p in problems] == [(2, "code", {"other": 1})]


@pytest.mark.parametrize("data", [None, [], {"violations": []}, {"violations": "AIR"}])
def test_a_catalogue_without_entries_is_refused(data):
    records, problems = parse_catalogue(data)
    assert records == [] and len(problems) == 1


@pytest.mark.parametrize(
    ("clause", "position"),
    [(None, None), ("第（一）项", ("item", 1)), ("第（十三）项", ("item", 13)), ("第三款", ("paragraph", 3))],
)
def test_clause_position(clause, position):
    assert clause_position(clause) == position


# --- every catalogue entry against the statute it cites ---------------------------------------------------------


@pytest.fixture(scope="module")
def statutes():
    if not LAWS_DIR.is_dir():
        pytest.skip("the shared statutes (../shared/laws) are absent")
    found = {}
    for path in LAWS_DIR.glob("*.md"):
        doc, problems = parse_law(path.read_text(encoding="utf-8"), path.stem)
        assert problems == [], path.name
        found[doc.title] = {a.label: a for a in doc.articles}
    return found


def _compact(text: str) -> str:
    return "".join(text.split())


def test_every_entry_cites_a_penalty_article_that_states_its_fine(statutes):
    records, problems = parse_catalogue(_catalogue())
    assert problems == []
    wrong = []
    for r in records:
        articles = statutes.get(r.law)
        if articles is None:
            wrong.append(f"{r.code}: no statute titled {r.law}")
            continue
        article = articles.get(r.article)
        if article is None:
            wrong.append(f"{r.code}: {r.law} has no {r.article}")
            continue
        if "法律责任" not in (article.chapter or ""):
            wrong.append(f"{r.code}: {r.article} is not in the legal-liability chapter ({article.chapter})")
        # where the fine is stated: the paragraph the entry cites, else the whole article
        scope = article.text
        position = clause_position(r.clause)
        if position and position[0] == "paragraph":
            paragraphs = article.paragraphs
            if position[1] > len(paragraphs):
                wrong.append(f"{r.code}: {r.article} has no {r.clause}")
                continue
            scope = paragraphs[position[1] - 1]
        elif position:
            numeral = r.clause.removeprefix("第（").removesuffix("）项")
            if not any(p.startswith((f"（{numeral}）", f"({numeral})")) for p in article.paragraphs):
                wrong.append(f"{r.code}: {r.article} has no item {r.clause}")
        if _compact(r.fine_note) not in _compact(scope):
            wrong.append(f"{r.code}: “{r.fine_note}” is not in {r.article} {r.clause or ''}")
        for label, amount in (("fine_min", r.fine_min), ("fine_max", r.fine_max)):
            if amount is not None and not any(w in r.fine_note for w in cases.yuan_wordings(amount)):
                wrong.append(f"{r.code}: {label} {cases.format_yuan(amount)} yuan is not what “{r.fine_note}” says")
        if r.fine_min is None and r.fine_max is not None and "以上" in r.fine_note:
            wrong.append(f"{r.code}: the statute sets a minimum ({r.fine_note}) but fine_min is null")
        if (
            r.fine_max is None
            and "以下的罚款" in r.fine_note
            and "倍" not in r.fine_note
            and "百分之" not in r.fine_note
        ):
            wrong.append(f"{r.code}: the statute sets a maximum ({r.fine_note}) but fine_max is null")
    assert wrong == []
