"""不予行政处罚 (行政处罚法 §33): does the law say this case is not to be penalised, and on which ground?

§33 ¶1 has two sentences. The first is mandatory: 违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚.
The second is discretionary (首违不罚): 初次违法且危害后果轻微并及时改正的，可以不予行政处罚, applied by the
bureau to the violation types on its published list (免罚清单). ¶2 (no subjective fault, 没有主观过错) and
¶3 (education, 教育) are the officer's: ¶2 rests on the party's evidence, which the product cannot weigh,
and ¶3 is what the officer records with the decision.

How the product judges "轻微" for the mandatory ground: the violation code is a 轻微违法 entry
("minor") of the list in force AND the case records no harmful consequence (harm level "none") AND
the violation is corrected (the case's ``corrected``: the officer's record that it was corrected in
time, i.e. within the order to correct). Where the harm is none and the violation corrected but the code
is not on the list, the law may still apply (a list cannot narrow §33): the answer then says the
officer must judge whether the violation is minor (``officer_review``), and blocks nothing.

首违不罚 is discretionary: while the case is filed or under investigation the finding stands and no
offset is offered (not penalising at all is the better outcome for the party); once the officer has
told the party of the intended penalty (告知, §44), the bureau has chosen to penalise, the finding no
longer applies and the party may ask for 从轻. The mandatory ground applies at every open stage.

What the product never decides: it never closes a case as 不予处罚 by itself. The answer is what the
case page and the enterprise's preview show (and why no offset is offered); the case officer decides,
with the reason, the legal basis and the education given (§33 ¶3).

Pure functions; the reasons are Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from eduapp.domain.offsets import HARM_NAMES, HARM_ORDER, OPEN_STAGES, months_before, sentences

NOTIFIED = "notified"  # 告知 (§44): the party has been told of the intended penalty

LAW = "《中华人民共和国行政处罚法》"
SHORT_LAW = "《行政处罚法》"
BASIS_PARA1 = f"{LAW}第三十三条第一款"
BASIS_PARA2 = f"{LAW}第三十三条第二款"
BASIS_PARA3 = f"{LAW}第三十三条第三款"

MINOR, FIRST = "minor", "first"  # the list's entry kinds: 轻微违法不予处罚, 首违不罚
ENTRY_KINDS = (MINOR, FIRST)
ENTRY_KIND_NAMES = {MINOR: "轻微违法不予处罚", FIRST: "首违不罚"}

# The grounds a decision not to penalise may rest on.
GROUND_MINOR = "minor_no_harm"  # §33 ¶1, first sentence: mandatory
GROUND_FIRST = "first_violation"  # §33 ¶1, second sentence: discretionary (首违不罚)
GROUND_NO_FAULT = "no_fault"  # §33 ¶2: no subjective fault, on the party's evidence
GROUNDS = (GROUND_MINOR, GROUND_FIRST, GROUND_NO_FAULT)
GROUND_BASIS = {GROUND_MINOR: BASIS_PARA1, GROUND_FIRST: BASIS_PARA1, GROUND_NO_FAULT: BASIS_PARA2}
GROUND_NAMES = {GROUND_MINOR: "违法行为轻微并及时改正，没有造成危害后果",
                GROUND_FIRST: "初次违法且危害后果轻微并及时改正（首违不罚）",
                GROUND_NO_FAULT: "当事人有证据足以证明没有主观过错"}

MANDATORY_FINDING = f"符合不予处罚条件（{SHORT_LAW}第三十三条第一款）"
FIRST_FINDING = f"可以不予处罚（首违不罚，{SHORT_LAW}第三十三条第一款）"

FIRST_MAX_HARM = "minor"  # 危害后果轻微: the second sentence allows harm up to "minor"


@dataclass(frozen=True)
class Entry:
    """One line of the list: a violation code, the kind, and its conditions."""

    violation_code: str
    kind: str  # minor | first
    lookback_months: int = 24  # first: no earlier violation within so many months before the filing
    any_type: bool = False  # first: earlier cases of any violation type count (False: the same type only)
    conditions: str = ""  # the list's own wording of the conditions


@dataclass(frozen=True)
class NonPenaltyList:
    code: str
    version: int
    name: str
    doc_number: str  # 文号
    authority: str
    effective_from: date
    effective_to: date | None
    status: str  # draft | active | retired
    entries: tuple[Entry, ...] = ()
    legal_basis: tuple[str, ...] = ()

    def in_force(self, today: date) -> bool:
        return self.status == "active" and self.effective_from <= today and (
            self.effective_to is None or today <= self.effective_to)

    def entry(self, violation_code: str, kind: str) -> Entry | None:
        return next((e for e in self.entries if e.violation_code == violation_code and e.kind == kind), None)


@dataclass(frozen=True)
class Facts:
    violation_code: str
    status: str
    harm_level: str  # none | minor | general | serious
    corrected: bool  # the officer's record: corrected in time
    opened_on: date
    prior_cases: tuple[tuple[str, date], ...] = ()  # (violation code, opened on) of the enterprise's other cases


@dataclass(frozen=True)
class Condition:
    key: str
    passed: bool
    reason: str
    basis: str


@dataclass(frozen=True)
class Answer:
    applies: bool  # §33 ¶1 applies on one of its grounds: no offset is offered
    mandatory: bool  # the first sentence (shall not be penalised); False: the discretionary 首违不罚
    ground: str | None  # GROUND_MINOR | GROUND_FIRST | None
    finding: str  # the one line the pages show ("" when nothing applies)
    reason: str  # why, in a sentence
    basis: str  # the article, and the list's 文号 where the list was used
    officer_review: bool = False  # no harm and corrected, but "轻微" is the officer's judgement
    list_label: str | None = None  # the list version used
    conditions: tuple[Condition, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        return {"applies": self.applies, "mandatory": self.mandatory, "ground": self.ground,
                "finding": self.finding, "reason": self.reason, "basis": self.basis,
                "officer_review": self.officer_review, "list": self.list_label,
                "conditions": [vars(c) for c in self.conditions]}


def list_label(lst: NonPenaltyList) -> str:
    return f"{lst.name}（{lst.doc_number}）第{lst.version}版"


def _basis(lst: NonPenaltyList | None) -> str:
    return f"{BASIS_PARA1}；{lst.doc_number}" if lst is not None else BASIS_PARA1


def _first_violation(entry: Entry, facts: Facts) -> Condition:
    window_start = months_before(facts.opened_on, entry.lookback_months)
    earlier = sorted(d for code, d in facts.prior_cases if window_start < d <= facts.opened_on
                     and (entry.any_type or code == facts.violation_code))
    kind = "违法" if entry.any_type else "同类违法"
    window = f"立案前{entry.lookback_months}个月内"
    return Condition(
        "first_violation", not earlier,
        f"{window}（{window_start.isoformat()} 之后）无其他{kind}记录，属初次违法。" if not earlier
        else f"{window}已有{kind}记录（{earlier[-1].isoformat()} 立案），不属初次违法。",
        BASIS_PARA1,
    )


def assess(facts: Facts, lst: NonPenaltyList | None, today: date) -> Answer:
    """The §33 ¶1 answer for an open case under the list in force today (``lst`` None: no list)."""
    if lst is not None and not lst.in_force(today):
        lst = None
    label = list_label(lst) if lst is not None else None
    harm = HARM_NAMES.get(facts.harm_level, facts.harm_level)
    if facts.status not in OPEN_STAGES:
        return Answer(False, False, None, "", "案件已不在作出处罚决定前的阶段，不再审查是否不予处罚。", BASIS_PARA1,
                      list_label=label)
    no_harm = facts.harm_level == "none"
    harm_cond = Condition("no_harm", no_harm,
                          f"危害后果为“{harm}”" + ("。" if no_harm else "，不属于没有造成危害后果。"), BASIS_PARA1)
    corrected = Condition("corrected", facts.corrected,
                          "违法行为已及时改正。" if facts.corrected
                          else "违法行为尚未改正（或未在责令改正期限内改正）。", BASIS_PARA1)
    minor_entry = lst.entry(facts.violation_code, MINOR) if lst is not None else None
    listed = Condition(
        "listed_minor", minor_entry is not None,
        f"违法类型 {facts.violation_code} 列入{label}的轻微违法行为。" if minor_entry is not None
        else f"违法类型 {facts.violation_code} 未列入现行免罚清单的轻微违法行为。",
        _basis(lst),
    )
    if minor_entry is not None and no_harm and facts.corrected:
        return Answer(True, True, GROUND_MINOR, MANDATORY_FINDING,
                      "违法行为轻微（列入免罚清单）并及时改正，没有造成危害后果，依法不予行政处罚。",
                      _basis(lst), list_label=label, conditions=(listed, harm_cond, corrected))
    first_entry = lst.entry(facts.violation_code, FIRST) if lst is not None else None
    review = no_harm and facts.corrected and minor_entry is None
    if first_entry is not None:
        first = _first_violation(first_entry, facts)
        harm_ok = facts.harm_level in HARM_ORDER and HARM_ORDER.index(facts.harm_level) <= HARM_ORDER.index(
            FIRST_MAX_HARM)
        minor_harm = Condition("minor_harm", harm_ok,
                               f"危害后果为“{harm}”，" + ("属于" if harm_ok else "超过了") + "危害后果轻微。",
                               BASIS_PARA1)
        listed_first = Condition("listed_first", True, f"违法类型 {facts.violation_code} 列入{label}的首违不罚事项。",
                                 _basis(lst))
        conditions = (listed_first, first, minor_harm, corrected)
        if all(c.passed for c in conditions) and facts.status == NOTIFIED:
            # 首违不罚 is discretionary (可以): once the party has been told of the intended penalty (§44),
            # the bureau has chosen to penalise, and the party may then ask for 从轻 instead.
            return Answer(False, False, None, "",
                          "初次违法且危害后果轻微并及时改正，可以不予行政处罚；承办人已告知拟作出的行政处罚"
                          f"（{LAW}第四十四条），未适用首违不罚，可依学法情况申请从轻处罚。", _basis(lst),
                          officer_review=review, list_label=label, conditions=conditions)
        if all(c.passed for c in conditions):
            return Answer(True, False, GROUND_FIRST, FIRST_FINDING,
                          "初次违法且危害后果轻微并及时改正，可以不予行政处罚，由承办人决定。",
                          _basis(lst), officer_review=review, list_label=label, conditions=conditions)
        failed = sentences(c.reason for c in conditions if not c.passed)
        return Answer(False, False, None, "", f"不符合首违不罚条件：{failed}", _basis(lst), officer_review=review,
                      list_label=label, conditions=conditions)
    if review:
        return Answer(False, False, None, "",
                      "没有造成危害后果且已及时改正，但违法类型未列入免罚清单：违法行为是否“轻微”由承办人依法判断；"
                      "属于轻微的，应当不予行政处罚。", BASIS_PARA1, officer_review=True, list_label=label,
                      conditions=(listed, harm_cond, corrected))
    return Answer(False, False, None, "", "不符合第三十三条第一款规定的不予处罚条件。", _basis(lst), list_label=label,
                  conditions=(listed, harm_cond, corrected))


def refusal(answer: Answer) -> str | None:
    """Why an offset is not offered for this case, or None when §33 does not stand in the way."""
    if not answer.applies:
        return None
    return f"{answer.finding}：本案不适用学法从轻处罚，由承办人依法决定不予行政处罚。"


# --- checking a list and a decision --------------------------------------------------------------------


def check_entries(entries: list[Entry], known_codes: set[str] | None = None) -> list[tuple[str, int | None]]:
    """Problems of a list's entries as (what, entry position 1-based): "kind", "code", "duplicate",
    "lookback", "unknown_code"."""
    problems: list[tuple[str, int | None]] = []
    seen = set()
    for position, entry in enumerate(entries, 1):
        if entry.kind not in ENTRY_KINDS:
            problems.append(("kind", position))
        if not entry.violation_code.strip():
            problems.append(("code", position))
        elif known_codes is not None and entry.violation_code not in known_codes:
            problems.append(("unknown_code", position))
        if (entry.violation_code, entry.kind) in seen:
            problems.append(("duplicate", position))
        seen.add((entry.violation_code, entry.kind))
        if not 1 <= entry.lookback_months <= 120:
            problems.append(("lookback", position))
    return problems


def default_basis(ground: str) -> str:
    return GROUND_BASIS.get(ground, BASIS_PARA1)
