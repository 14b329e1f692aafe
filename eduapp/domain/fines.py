"""How a violation type's fine is set, and the statutory range of one case (issue 14, items 3 and 8).

A statute sets a fine in one of three ways, and the violation catalogue says which
(``fine_method``, see eduapp/domain/catalogue.py):

- ``range``: a fixed range, ``fine_min`` to ``fine_max`` (either may be null: "处五万元以下的罚款"
  has no minimum);
- ``multiple``: a multiple (or a percentage) of an amount the case must establish, its *basis*
  (货值金额, 所需处置费用, 建设项目总投资额), from ``multiple_min_percent`` to ``multiple_max_percent``
  (integer percent: 100 is 1×, 1 is 1%), the basis counted as at least ``basis_floor`` where the
  statute says so (固体废物污染环境防治法第一百零二条: 所需处置费用不足十万元的，按十万元计算);
- ``per_occurrence``: ``fine_min`` to ``fine_max`` each time (排污许可管理条例第三十七条 "每次"),
  times the number of occurrences.

Rounding: the computed minimum is rounded UP to the fen and the maximum DOWN, so the range never
reaches below the law's minimum nor above its maximum.

One act, several provisions (行政处罚法第二十九条: 一个违法行为违反多个法律规范应当给予罚款处罚的，
按照罚款数额高的规定处罚): codes that can describe one act share a ``same_act_group``. For an offset
the floor is the HIGHEST of the group's applicable minimums (those computable for this case), a
conservative reading: the product never proposes a fine below what any of the provisions requires.
A code that applies only "情节严重的" (``min_harm: serious``) applies at no lower harm level.

Pure functions: no Flask, no database. Money is integer fen."""

from __future__ import annotations

from dataclasses import dataclass

from eduapp.domain.problems import N_, Problem

RANGE, MULTIPLE, PER_OCCURRENCE = "range", "multiple", "per_occurrence"
FINE_METHODS = (RANGE, MULTIPLE, PER_OCCURRENCE)
MAX_FEN = 2_147_483_647  # the fine columns are 32-bit integers: ¥21,474,836.47
MAX_BASIS_FEN = 10**14  # ¥1,000,000,000,000: a total investment may be far above any fine
MAX_OCCURRENCES = 10_000
HARM_ORDER = ("none", "minor", "general", "serious")
HARM_WORDS = {"none": "无危害后果", "minor": "轻微", "general": "一般", "serious": "严重"}
LAW = "《中华人民共和国行政处罚法》"
ART29 = f"{LAW}第二十九条"


def yuan(fen: int) -> str:
    """12345678 → '¥123,456.78' (the reasons' money format)."""
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def percent_words(percent: int) -> str:
    """100 → '1倍', 300 → '3倍', 5 → '5%'."""
    return f"{percent // 100}倍" if percent % 100 == 0 else f"{percent}%"


@dataclass(frozen=True)
class FineRule:
    """A catalogue entry as far as its fine goes."""

    code: str
    citation: str  # 《中华人民共和国大气污染防治法》第一百零五条
    method: str = RANGE
    fine_min: int | None = None  # fen; per occurrence for per_occurrence
    fine_max: int | None = None
    basis: str | None = None  # the amount a multiple applies to, e.g. 货值金额
    basis_floor: int | None = None  # fen: the basis counts as at least this much
    multiple_min_percent: int | None = None  # 100 = 1×
    multiple_max_percent: int | None = None
    same_act_group: str | None = None
    min_harm: str | None = None  # applies only from this harm level (情节严重的: serious)
    active: bool = True

    def needs(self) -> str | None:
        """The case field the range needs: 'fine_basis_fen', 'occurrences' or None."""
        return {MULTIPLE: "fine_basis_fen", PER_OCCURRENCE: "occurrences"}.get(self.method)

    def how(self) -> str:
        """How the statute sets the fine, in Chinese: '货值金额的1倍至3倍'."""
        if self.method == MULTIPLE:
            floor = f"（不足{yuan(self.basis_floor)}的按{yuan(self.basis_floor)}计算）" if self.basis_floor else ""
            return (f"{self.basis}{floor}的{percent_words(self.multiple_min_percent or 0)}至"
                    f"{percent_words(self.multiple_max_percent or 0)}")
        if self.method == PER_OCCURRENCE:
            return f"每次{_span(self.fine_min, self.fine_max)}"
        return _span(self.fine_min, self.fine_max)


def _span(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{yuan(low)}至{yuan(high)}"
    if high is not None:
        return f"{yuan(high)}以下"
    if low is not None:
        return f"{yuan(low)}以上"
    return "法律未规定具体数额"


@dataclass(frozen=True)
class StatutoryRange:
    fine_min: int | None  # fen; None: no minimum (or not computable)
    fine_max: int | None
    computable: bool  # False: the basis or the number of occurrences is missing
    reason: str  # Chinese: how the range was computed, or what is missing


def applies_at(rule: FineRule, harm_level: str) -> bool:
    """A code with ``min_harm`` applies only at that harm level or above."""
    if rule.min_harm is None:
        return True
    if harm_level not in HARM_ORDER:
        return False
    return HARM_ORDER.index(harm_level) >= HARM_ORDER.index(rule.min_harm)


def _ceil_percent(amount: int, percent: int) -> int:
    return -(-amount * percent // 100)


def statutory_range(rule: FineRule, basis_fen: int | None = None, occurrences: int | None = None) -> StatutoryRange:
    """The range (fen) the statute allows for this case."""
    if rule.method == MULTIPLE:
        if basis_fen is None:
            return StatutoryRange(None, None, False,
                                  f"{rule.code} 的罚款为{rule.how()}，案件尚未记录{rule.basis}（罚款计算基数），"
                                  f"无法计算法定罚款幅度。")
        counted = max(basis_fen, rule.basis_floor or 0)
        low = _ceil_percent(counted, rule.multiple_min_percent or 0)
        high = counted * (rule.multiple_max_percent or 0) // 100
        floor = (f"，不足{yuan(rule.basis_floor)}按{yuan(rule.basis_floor)}计算"
                 if rule.basis_floor and basis_fen < rule.basis_floor else "")
        return StatutoryRange(low, high, True,
                              f"{rule.code} 的罚款为{rule.how()}：{rule.basis}{yuan(basis_fen)}{floor}，"
                              f"法定罚款幅度为{yuan(low)}至{yuan(high)}。")
    if rule.method == PER_OCCURRENCE:
        if occurrences is None:
            return StatutoryRange(None, None, False,
                                  f"{rule.code} 的罚款为{rule.how()}，案件尚未记录违法次数，无法计算法定罚款幅度。")
        low = rule.fine_min * occurrences if rule.fine_min is not None else None
        high = rule.fine_max * occurrences if rule.fine_max is not None else None
        return StatutoryRange(low, high, True, f"{rule.code} 的罚款为{rule.how()}：违法{occurrences}次，"
                                               f"法定罚款幅度为{_span(low, high)}。")
    return StatutoryRange(rule.fine_min, rule.fine_max, True,
                          f"{rule.code} 的法定罚款幅度为{_span(rule.fine_min, rule.fine_max)}。")


def _member_range(member: FineRule, own: FineRule, basis_fen: int | None,
                  occurrences: int | None) -> StatutoryRange | None:
    """A group member's range for this case, when it can be computed: a fixed range always; a
    multiple only of the same basis as the case's own code; per occurrence only when the case's own
    code counts occurrences too (the case records one basis, for its own code)."""
    if member.method == RANGE:
        return statutory_range(member)
    if member.method == MULTIPLE and own.method == MULTIPLE and member.basis == own.basis:
        return statutory_range(member, basis_fen)
    if member.method == PER_OCCURRENCE and own.method == PER_OCCURRENCE:
        return statutory_range(member, occurrences=occurrences)
    return None


def group_minimums(rule: FineRule, group: list[FineRule], basis_fen: int | None, occurrences: int | None,
                   harm_level: str) -> list[tuple[str, int | None, str]]:
    """(code, minimum in fen or None, how) of each code of the rule's §29 group, the rule first.
    Members that are retired or do not apply at this harm level are left out; a minimum that cannot
    be computed for this case is None."""
    out: list[tuple[str, int | None, str]] = []
    own = statutory_range(rule, basis_fen, occurrences)
    out.append((rule.code, own.fine_min, rule.how()))
    if rule.same_act_group is None:
        return out
    for member in sorted(group, key=lambda m: m.code):
        if member.code == rule.code or member.same_act_group != rule.same_act_group or not member.active:
            continue
        if not applies_at(member, harm_level):
            continue
        found = _member_range(member, rule, basis_fen, occurrences)
        out.append((member.code, found.fine_min if found else None, member.how()))
    return out


@dataclass(frozen=True)
class Floor:
    """The lowest fine an offset may lead to (从轻 stays within the statutory range)."""

    amount: int | None  # fen; None: no statutory minimum applies, or it cannot be computed
    known: bool  # False: the basis is missing, so no offset is offered
    checks: tuple[tuple[str, bool, str, str], ...]  # (key, passed, reason, basis) for the eligibility


def offset_floor(rule: FineRule, group: list[FineRule], basis_fen: int | None, occurrences: int | None,
                 harm_level: str) -> Floor:
    """The floor for an offset: the case's own computed minimum, raised to the highest applicable
    minimum of its §29 group. The checks explain it (and fail when the basis is missing or the code
    does not apply at the case's harm level); a plain fixed-range code without a group has none."""
    checks: list[tuple[str, bool, str, str]] = []
    own = statutory_range(rule, basis_fen, occurrences)
    if rule.min_harm is not None:
        ok = applies_at(rule, harm_level)
        needed = HARM_WORDS.get(rule.min_harm, rule.min_harm)
        have = HARM_WORDS.get(harm_level, harm_level)
        checks.append(("violation_applies", ok,
                       f"{rule.code} 仅适用于情节{needed}的情形，本案危害后果为“{have}”" +
                       ("，适用该条款。" if ok else "，不适用该条款，不得据此从轻处罚。"), rule.citation))
    if not own.computable:
        what = f"{rule.basis}（罚款计算基数）" if rule.method == MULTIPLE else "违法次数"
        checks.append(("fine_basis", False,
                       f"{own.reason}须先在案件中记录{what}，才能确定法定最低罚款；记录之前不提供学法从轻。",
                       rule.citation))
        return Floor(None, False, tuple(checks))
    minimums = group_minimums(rule, group, basis_fen, occurrences, harm_level)
    known = [(code, amount) for code, amount, _ in minimums if amount is not None]
    floor = max((amount for _, amount in known), default=None)
    if rule.method != RANGE:
        checks.append(("fine_basis", True, own.reason, rule.citation))
    if len(minimums) > 1:
        listed = "、".join(f"{code}（最低{yuan(amount) if amount is not None else how}）"
                          for code, amount, how in minimums)
        top = "、".join(code for code, amount in known if amount == floor)
        reason = (f"同一违法行为可能同时违反 {listed}：一个违法行为违反多个法律规范应当给予罚款处罚的，"
                  f"按照罚款数额高的规定处罚。" +
                  (f"从轻处罚不低于其中最高的法定最低罚款，即 {top} 的{yuan(floor)}。" if floor is not None
                   else "均无法定最低罚款。"))
        checks.append(("same_act", True, reason, f"{ART29}；{rule.citation}"))
    return Floor(floor, True, tuple(checks))


def case_warnings(rule: FineRule, group: list[FineRule], basis_fen: int | None, occurrences: int | None,
                  harm_level: str, code_chosen: bool = True) -> list[Problem]:
    """What the case form warns of (the case is saved all the same): §29 when the code of a group is
    chosen (``code_chosen``: a new case, or its code changed), a code that does not apply at this harm
    level, and a missing basis."""
    found: list[Problem] = []
    minimums = group_minimums(rule, group, basis_fen, occurrences, harm_level)
    if code_chosen and rule.same_act_group is not None and len(minimums) > 1:
        listed = "; ".join(f"{code} {yuan(amount)}" if amount is not None else f"{code} {how}"
                           for code, amount, how in minimums)
        found.append(Problem(
            N_("One act may fall under several of these codes: %(codes)s (lowest fines). An act that violates "
               "several provisions is fined under the one with the higher fine (Administrative Penalty Law, "
               "art. 29); an offset never goes below the highest of these minimums."),
            {"codes": listed}, "violation_type_id"))
    if not applies_at(rule, harm_level):
        found.append(Problem(
            N_("%(code)s applies only where the circumstances are serious (情节严重): at this harm level the code "
               "does not apply and the case is never eligible for an offset."),
            {"code": rule.code}, "harm_level"))
    needs = rule.needs()
    if needs == "fine_basis_fen" and basis_fen is None:
        found.append(Problem(
            N_("The fine is %(how)s: record %(basis)s to compute the statutory range; until then no offset is "
               "offered."), {"how": rule.how(), "basis": rule.basis}, needs))
    elif needs == "occurrences" and occurrences is None:
        found.append(Problem(
            N_("The fine is %(how)s: record the number of occurrences to compute the statutory range; until "
               "then no offset is offered."), {"how": rule.how()}, needs))
    return found


def check_basis(fine_basis_fen: object, occurrences: object) -> list[Problem]:
    """The case's basis fields: a whole number of fen, and a count of occurrences; both optional."""
    found: list[Problem] = []
    if fine_basis_fen is not None and (isinstance(fine_basis_fen, bool) or not isinstance(fine_basis_fen, int)
                                       or fine_basis_fen < 0):
        found.append(Problem(N_("Write a whole number of fen (1 yuan = 100 fen), or null."), {}, "fine_basis_fen"))
    elif fine_basis_fen is not None and fine_basis_fen > MAX_BASIS_FEN:
        found.append(Problem(N_("At most ¥%(max)s."), {"max": f"{MAX_BASIS_FEN // 100:,}"}, "fine_basis_fen"))
    if occurrences is not None and (isinstance(occurrences, bool) or not isinstance(occurrences, int)
                                    or not 1 <= occurrences <= MAX_OCCURRENCES):
        found.append(Problem(N_("Write a whole number from 1 to %(max)s."), {"max": MAX_OCCURRENCES}, "occurrences"))
    return found
