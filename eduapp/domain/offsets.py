"""The eligibility engine: may this enterprise offset part of this case's fine with its study points,
and by how much?

``evaluate`` is a pure function of (rule set, case, enterprise history, study records, points,
today). It returns every check, passed or not, with the reason in Chinese and its legal basis, the
maximum offset in fen, the points it consumes and the proposed fine after the offset. The same
inputs always give the same answer, and the answer is stored with the application.

The legal frame (行政处罚法, 2021; see shared/DOMAIN.md): an offset is applied while the case is
open — before the penalty decision (§57), which then states the reduced fine; never for a case
transferred to the judicial organs (§27); the first-violation, harm and correction conditions are the
bureau's discretion benchmark for 从轻 (§32, §34: the rule set's 文号), not §33 — a case §33 ¶1 covers
is not penalised at all (eduapp/domain/non_penalty.py); 从轻 keeps the fine within the statutory range (§32), so the
offset never takes the fine below the statutory minimum unless the rule set allows 减轻, which
needs legal review (§58); the rule set is the published discretion benchmark (§34).

Money is integer fen; points are integers.
"""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

OPEN_STAGES = ("filed", "investigating", "notified")  # 立案、调查、告知: before the decision
HARM_ORDER = ("none", "minor", "general", "serious")
HARM_NAMES = {"none": "无危害后果", "minor": "轻微", "general": "一般", "serious": "严重"}
STAGE_NAMES = {"filed": "立案", "investigating": "调查", "notified": "告知", "decided": "决定", "paid": "缴纳",
               "closed": "结案", "not_penalised": "不予处罚", "transferred": "移送"}
KEY_ROLE_NAMES = {"legal_representative": "法定代表人", "env_manager": "环保负责人"}

LAW = "《中华人民共和国行政处罚法》"


@dataclass(frozen=True)
class Conditions:
    lookback_months: int = 24  # no earlier violation within this many months before the case was opened
    first_violation_any_type: bool = False  # False: only earlier cases of the same violation type count
    max_harm: str = "minor"
    require_corrected: bool = True
    exclude_fraud: bool = True
    cooling_days: int = 365  # no offset granted to the enterprise within this many days
    key_roles: tuple[str, ...] = ("legal_representative", "env_manager")
    study_topics: tuple[str, ...] = ()  # laws or tags the exam must cover; empty: any exam
    study_pass_percent: int = 60
    study_within_days: int = 365
    min_staff_share_percent: int = 0  # share of the enterprise's staff who passed an exam


@dataclass(frozen=True)
class Maths:
    fen_per_point: int = 100  # one point is worth ¥1.00
    cap_percent: int = 20  # of the proposed fine
    cap_per_case_fen: int | None = None
    cap_per_enterprise_year_fen: int | None = None
    min_points: int = 1
    round_down_to_yuan: bool = True
    allow_below_minimum: bool = False  # 减轻 below the statutory minimum: only with below_minimum_basis (rule_limits)
    # offset legality: the provision of a 法律、法规 or 规章 that authorises 减轻, and its level (rule_limits.LEVELS)
    below_minimum_basis: str = ""
    below_minimum_level: str = ""


@dataclass(frozen=True)
class RuleSet:
    code: str
    version: int
    name: str
    doc_number: str
    effective_from: date
    effective_to: date | None
    status: str
    eligible_codes: tuple[str, ...]
    excluded_codes: tuple[str, ...] = ()
    legal_basis: tuple[str, ...] = ()
    conditions: Conditions = field(default_factory=Conditions)
    maths: Maths = field(default_factory=Maths)


@dataclass(frozen=True)
class Case:
    violation_code: str
    status: str
    harm_level: str
    corrected: bool
    proposed_fine: int  # fen
    statutory_min: int | None  # fen: the floor, computed for the case (eduapp.domain.fines.offset_floor)
    opened_on: date
    # fines set as multiples or per occurrence, §29 groups (issue 14 items 3, 8): the checks of
    # eduapp.domain.fines.offset_floor as (key, passed, reason, basis); a failing one (the basis is
    # missing, the code does not apply at this harm level) means no offset.
    fine_checks: tuple[tuple[str, bool, str, str], ...] = ()


@dataclass(frozen=True)
class History:
    prior_cases: tuple[tuple[str, date], ...] = ()  # (violation code, opened on) of the enterprise's other cases
    offsets_granted: tuple[tuple[date, int], ...] = ()  # (approved on, offset in fen)
    study_fraud: bool = False


@dataclass(frozen=True)
class KeyPerson:
    role: str  # legal_representative | env_manager
    name: str
    passes: tuple[tuple[date, int, frozenset[str]], ...] = ()  # (passed on, score %, topics of the exam)


@dataclass(frozen=True)
class Study:
    key_people: tuple[KeyPerson, ...] = ()
    staff_total: int = 0
    staff_passed: int = 0


@dataclass(frozen=True)
class Points:
    lots: tuple[tuple[int, date], ...] = ()  # (points remaining, expires on); a lot is usable on its expiry day

    def usable(self, today: date) -> int:
        return sum(points for points, expires_on in self.lots if expires_on >= today and points > 0)


@dataclass(frozen=True)
class Check:
    key: str
    passed: bool
    reason: str
    basis: str


@dataclass(frozen=True)
class Evaluation:
    eligible: bool
    checks: tuple[Check, ...]
    fine_before: int  # fen
    max_offset: int  # fen
    points: int  # the points it consumes
    fine_after: int  # fen
    caps: tuple[tuple[str, int], ...]  # (what, fen) every limit that applied
    binding_cap: str | None
    rule_code: str
    rule_version: int
    today: date

    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def failed_reasons(self) -> str:
        """The failed checks' reasons as one Chinese text: each is a sentence, so they follow one another."""
        return sentences(c.reason for c in self.failed())

    def as_dict(self) -> dict:
        data = asdict(self)
        data["today"] = self.today.isoformat()
        return data


def sentences(parts) -> str:
    """Chinese sentences run together, each ending with its full stop (none doubled, none missing)."""
    return "".join(p if p.endswith(("。", "！", "？")) else f"{p}。" for p in parts if p)


def yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day when it has fewer days)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _rule_in_force(rule: RuleSet, today: date) -> Check:
    basis = f"{LAW}第三十四条；{rule.doc_number}"
    if rule.status != "active":
        return Check("rule_in_force", False, f"规则“{rule.name}”（第{rule.version}版）未处于生效状态。", basis)
    if today < rule.effective_from or (rule.effective_to is not None and today > rule.effective_to):
        until = rule.effective_to.isoformat() if rule.effective_to else "长期"
        return Check("rule_in_force", False,
                     f"今天不在规则有效期（{rule.effective_from.isoformat()} 至 {until}）内。", basis)
    return Check("rule_in_force", True, f"适用规则“{rule.name}”第{rule.version}版（{rule.doc_number}）。", basis)


def _stage(case: Case) -> list[Check]:
    name = STAGE_NAMES.get(case.status, case.status)
    checks = [Check(
        "not_transferred", case.status != "transferred",
        "案件已移送司法机关，不适用依学法情况从轻处罚。" if case.status == "transferred" else "案件未移送司法机关。",
        f"{LAW}第二十七条",
    )]
    before = case.status in OPEN_STAGES
    checks.append(Check(
        "before_decision", before,
        f"案件处于“{name}”阶段，尚未作出行政处罚决定。" if before
        else f"案件处于“{name}”阶段：处罚决定一经作出，罚款即应全额缴纳，只能在决定前申请学法从轻。",
        f"{LAW}第五十七条、第六十七条",
    ))
    return checks


def _scope(rule: RuleSet, case: Case) -> Check:
    basis = rule.doc_number
    if case.violation_code in rule.excluded_codes:
        return Check("violation_type", False, f"违法类型 {case.violation_code} 被本规则明确排除。", basis)
    if case.violation_code not in rule.eligible_codes:
        return Check("violation_type", False, f"违法类型 {case.violation_code} 不在本规则适用范围内。", basis)
    return Check("violation_type", True, f"违法类型 {case.violation_code} 在本规则适用范围内。", basis)


def _leniency(rule: RuleSet, case: Case, history: History) -> list[Check]:
    c = rule.conditions
    basis = f"{LAW}第三十二条、第三十四条；{rule.doc_number}"  # 从轻 under the discretion benchmark
    window_start = months_before(case.opened_on, c.lookback_months)
    # The enterprise's other cases opened after the window's first day, up to this case's opening.
    earlier = sorted(d for code, d in history.prior_cases if window_start < d <= case.opened_on
                     and (c.first_violation_any_type or code == case.violation_code))
    kind = "违法" if c.first_violation_any_type else "同类违法"
    window = f"立案前{c.lookback_months}个月内"
    checks = [Check(
        "first_violation", not earlier,
        f"{window}（{window_start.isoformat()} 之后）无其他{kind}记录，属初次违法。" if not earlier
        else f"{window}已有{kind}记录（{earlier[-1].isoformat()} 立案），不属初次违法。",
        basis,
    )]
    allowed = HARM_ORDER.index(c.max_harm) if c.max_harm in HARM_ORDER else 0
    harm_ok = case.harm_level in HARM_ORDER and HARM_ORDER.index(case.harm_level) <= allowed
    checks.append(Check(
        "harm_level", harm_ok,
        f"危害后果为“{HARM_NAMES.get(case.harm_level, case.harm_level)}”，"
        + ("未超过" if harm_ok else "超过了") + f"本规则允许的“{HARM_NAMES.get(c.max_harm, c.max_harm)}”。",
        basis,
    ))
    if c.require_corrected:
        checks.append(Check(
            "corrected", case.corrected,
            "违法行为已及时改正。" if case.corrected else "违法行为尚未改正：须先改正才能申请学法从轻。", basis,
        ))
    return checks


def _conduct(rule: RuleSet, history: History, today: date) -> list[Check]:
    c = rule.conditions
    checks = []
    if c.exclude_fraud:
        checks.append(Check(
            "no_fraud", not history.study_fraud,
            "学法考试中无作弊记录。" if not history.study_fraud else "此前学法考试有作弊记录，不得申请学法从轻。",
            rule.doc_number,
        ))
    if c.cooling_days:
        since = today - timedelta(days=c.cooling_days)
        recent = sorted(d for d, _ in history.offsets_granted if d > since)
        checks.append(Check(
            "cooling_period", not recent,
            f"近{c.cooling_days}日内未获批学法从轻。" if not recent
            else f"{recent[-1].isoformat()} 已获批一次学法从轻，{c.cooling_days}日内不得再次申请。",
            rule.doc_number,
        ))
    return checks


def _study(rule: RuleSet, study: Study, today: date) -> list[Check]:
    c = rule.conditions
    basis = f"{LAW}第六条；{rule.doc_number}"
    since = today - timedelta(days=c.study_within_days)
    topics = set(c.study_topics)
    topic_words = "、".join(c.study_topics) if c.study_topics else "任一"
    checks = []
    for role in c.key_roles:
        title = KEY_ROLE_NAMES.get(role, role)
        person = next((p for p in study.key_people if p.role == role), None)
        if person is None:
            checks.append(Check(f"study_{role}", False, f"企业未登记{title}的学法账号，无法核验其学法情况。", basis))
            continue
        passes = [d for d, score, covered in person.passes
                  if since <= d <= today and score >= c.study_pass_percent and (not topics or topics & covered)]
        threshold = f"不低于{c.study_pass_percent}分"
        checks.append(Check(
            f"study_{role}", bool(passes),
            f"{title}{person.name}于 {max(passes).isoformat()} 以{threshold}通过{topic_words}学法考试。" if passes
            else f"{title}{person.name}近{c.study_within_days}日内未以{threshold}通过{topic_words}学法考试。",
            basis,
        ))
    if c.min_staff_share_percent:
        share_ok = study.staff_total > 0 and study.staff_passed * 100 >= c.min_staff_share_percent * study.staff_total
        checks.append(Check(
            "staff_share", share_ok,
            f"员工考试通过 {study.staff_passed}/{study.staff_total} 人，"
            + ("达到" if share_ok else "未达到") + f"规则要求的{c.min_staff_share_percent}%。",
            basis,
        ))
    return checks


def evaluate(rule: RuleSet, case: Case, history: History, study: Study, points: Points, today: date) -> Evaluation:
    m = rule.maths
    checks: list[Check] = [
        _rule_in_force(rule, today), *_stage(case), _scope(rule, case), *_leniency(rule, case, history),
        *_conduct(rule, history, today), *_study(rule, study, today),
        *(Check(*c) for c in case.fine_checks),
    ]

    fine = case.proposed_fine
    usable = points.usable(today)
    caps: list[tuple[str, int]] = [(f"罚款的{m.cap_percent}%", fine * m.cap_percent // 100)]
    if m.cap_per_case_fen is not None:
        caps.append(("每案上限", m.cap_per_case_fen))
    if m.cap_per_enterprise_year_fen is not None:
        used = sum(fen for d, fen in (history.offsets_granted or ()) if d.year == today.year)
        caps.append((f"{today.year}年度企业上限余额", max(m.cap_per_enterprise_year_fen - used, 0)))
    if case.statutory_min is not None and not m.allow_below_minimum:
        caps.append(("不得低于法定最低罚款", max(fine - case.statutory_min, 0)))
    caps.append(("可用积分折算", usable * m.fen_per_point))
    limit = min(value for _, value in caps)
    binding = next(what for what, value in caps if value == limit)

    spend = limit // m.fen_per_point  # whole points only
    offset = spend * m.fen_per_point
    if m.round_down_to_yuan:
        offset -= offset % 100
        spend = -(-offset // m.fen_per_point)  # the points worth the rounded offset, rounded up
    checks.append(Check(
        "points_minimum", usable >= m.min_points,
        f"企业积分池可用 {usable} 分，" + ("达到" if usable >= m.min_points else "未达到")
        + f"申请门槛 {m.min_points} 分。",
        rule.doc_number,
    ))
    floor_basis = f"{LAW}第三十二条、第五十八条"
    if offset > 0:
        checks.append(Check("offset_amount", True,
                            f"可从轻 {yuan(offset)}（受“{binding}”限制），使用学法积分 {spend} 分，"
                            f"拟罚款由 {yuan(fine)} 调整为 {yuan(fine - offset)}。", floor_basis))
    else:
        reason = (f"拟罚款 {yuan(fine)} 已为法定最低额：从轻处罚不得低于法定最低限额（减轻处罚须经法制审核）。"
                  if binding == "不得低于法定最低罚款" else f"按“{binding}”计算，从轻幅度为零。")
        checks.append(Check("offset_amount", False, reason, floor_basis))

    eligible = all(c.passed for c in checks)
    if not eligible:
        offset, spend = 0, 0
    return Evaluation(
        eligible=eligible, checks=tuple(checks), fine_before=fine, max_offset=offset, points=spend,
        fine_after=fine - offset, caps=tuple(caps), binding_cap=binding, rule_code=rule.code,
        rule_version=rule.version, today=today,
    )


def step_deadlines(procedure: dict) -> dict[str, int]:
    """Days allowed for each review step (case officer, legal reviewer, approver)."""
    return {step: int(procedure.get(step, default)) for step, default in (("officer", 5), ("reviewer", 5),
                                                                          ("approver", 3))}


STEPS = ("officer", "reviewer", "approver")
STEP_STATUS = {"officer": "pending_officer", "reviewer": "pending_reviewer", "approver": "pending_approver"}


def next_step(step: str) -> str | None:
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def four_eyes_conflict(user_id: int, applicant_id: int, deciders: list[int]) -> str | None:
    """Why ``user_id`` may not decide a step: "applicant" (they filed the application) or "decided"
    (they already decided a step of it); None when they may."""
    if user_id == applicant_id:
        return "applicant"
    if user_id in deciders:
        return "decided"
    return None
