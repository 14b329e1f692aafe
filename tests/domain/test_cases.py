"""Penalty cases, table-driven: stages and moves, the field checks, money, the catalogue file (and
its every entry against the statute texts of ../shared/laws), and the case register's rows."""

from datetime import date
from pathlib import Path

import pytest
import yaml

from eduapp.domain import cases as c
from eduapp.domain.cases import CaseFacts, FineRange
from eduapp.domain.laws import parse_law
from eduapp.domain.tabular import Row

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "eduapp" / "data" / "violations.yaml"
LAWS_DIR = ROOT.parent / "shared" / "laws"

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


def test_every_status_has_a_label_a_chinese_name_and_its_date_rules():
    for status in c.STATUSES:
        assert status in c.STATUS_LABELS and status in c.STATUS_CHINESE and status in c.TRANSITIONS
        assert c.STATUS_NAMES[c.STATUS_CHINESE[status]] == status
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


# --- the catalogue file ---------------------------------------------------------------------------------------


def _catalogue():
    return yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))


def test_the_packaged_catalogue_parses_and_has_enough_types():
    records, problems = c.parse_catalogue(_catalogue())
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
    records, problems = c.parse_catalogue({"violations": [good, {**good, "code": "AIR-99-2", "clause": "第（二）项",
                                                                 **entry}]})  # fmt: skip
    assert [r.code for r in records] == ["AIR-99-1"]
    assert [(p.row, p.field) for p in problems][:1] == [(2, field)], problems


def test_a_repeated_code_names_the_first_entry():
    entry = {"code": "NOISE-75", "name": "x", "law": "中华人民共和国噪声污染防治法", "article": "第七十五条",
             "fine_min": None, "fine_max": None, "fine_note": "x"}  # fmt: skip
    _, problems = c.parse_catalogue({"violations": [entry, entry]})
    assert [(p.row, p.field, p.params) for p in problems] == [(2, "code", {"other": 1})]


@pytest.mark.parametrize("data", [None, [], {"violations": []}, {"violations": "AIR"}])
def test_a_catalogue_without_entries_is_refused(data):
    records, problems = c.parse_catalogue(data)
    assert records == [] and len(problems) == 1


@pytest.mark.parametrize(
    ("clause", "position"),
    [(None, None), ("第（一）项", ("item", 1)), ("第（十三）项", ("item", 13)), ("第三款", ("paragraph", 3))],
)
def test_clause_position(clause, position):
    assert c.clause_position(clause) == position


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
    records, problems = c.parse_catalogue(_catalogue())
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
        position = c.clause_position(r.clause)
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
            if amount is not None and not any(w in r.fine_note for w in c.yuan_wordings(amount)):
                wrong.append(f"{r.code}: {label} {c.format_yuan(amount)} yuan is not what “{r.fine_note}” says")
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


# --- the case register's rows ------------------------------------------------------------------------------------


def _row(number=2, **values):
    base = {"case_number": "示环罚〔2026〕1号", "enterprise": "甲企业", "violation_code": "air-99-2",
            "opened_on": "2026/3/2", "proposed_fine": "150,000.50"}  # fmt: skip
    base.update(values)
    return Row(number, base)


def test_a_good_row_becomes_a_record_with_defaults():
    records, problems = c.parse_case_rows([_row()])
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
    (r,), _ = c.parse_case_rows([_row(**values)])
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
    records, problems = c.parse_case_rows([_row(7, **values)])
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
    (r,), _ = c.parse_case_rows([_row(**values)])
    assert (r.status, r.harm_level, r.corrected) == expected


def test_a_repeated_case_number_names_the_first_row():
    records, problems = c.parse_case_rows([_row(2), _row(3)])
    assert len(records) == 1
    assert [(p.row, p.field, p.params) for p in problems] == [(3, "case_number", {"other": 2})]
