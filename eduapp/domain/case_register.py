"""The case register file (``eduapp cases import``, the import page and the API's case import): its
columns, and each row checked on its own into a CaseRecord. The enterprise, the violation code and the
fine range are the service's to check against the database (eduapp.services.case_register). Problems
carry the row and name the field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from eduapp.domain.cases import (
    CASE_DATES,
    CLOSED,
    CORRECTION_DUE,
    DECIDED,
    FILED,
    HARM_LEVELS,
    INVESTIGATING,
    NOT_PENALISED,
    NOTIFIED,
    PAID,
    STATUSES,
    TRANSFERRED,
    CaseFacts,
    parse_yuan,
)
from eduapp.domain.fines import MAX_OCCURRENCES
from eduapp.domain.problems import N_, Problem
from eduapp.domain.tabular import Row, parse_date
from eduapp.domain.typed_input import fold_width

# How a case register names the stages (the import's 状态 column); the codes are accepted too.
STATUS_NAMES = {
    "立案": FILED,
    "已立案": FILED,
    "调查": INVESTIGATING,
    "调查中": INVESTIGATING,
    "告知": NOTIFIED,
    "已告知": NOTIFIED,
    "决定": DECIDED,
    "已决定": DECIDED,
    "缴纳": PAID,
    "已缴纳": PAID,
    "结案": CLOSED,
    "已结案": CLOSED,
    "不予处罚": NOT_PENALISED,
    "移送": TRANSFERRED,
    "已移送": TRANSFERRED,
}
STATUS_CHINESE = {FILED: "立案", INVESTIGATING: "调查", NOTIFIED: "告知", DECIDED: "决定", PAID: "缴纳",
                  CLOSED: "结案", NOT_PENALISED: "不予处罚", TRANSFERRED: "移送"}  # fmt: skip
# How a case register names the harm levels (the import's 危害程度 column); the codes are accepted too.
HARM_NAMES = {"无": "none", "无危害": "none", "轻微": "minor", "一般": "general", "较大": "general", "严重": "serious"}

HEADERS: dict[str, tuple[str, ...]] = {
    "case_number": ("案件编号", "case_number"),
    "enterprise": ("企业名称或统一社会信用代码", "企业名称", "统一社会信用代码", "enterprise"),
    "violation_code": ("违法类型编码", "violation_code"),
    "opened_on": ("立案日期", "opened_on"),
    "status": ("状态", "status"),
    "harm_level": ("危害程度", "harm_level"),
    "corrected": ("是否已改正", "corrected"),
    "correction_due_on": ("改正期限", "责令改正期限", "correction_due_on"),
    "proposed_fine": ("拟罚款金额（元）", "拟罚款金额(元)", "拟罚款金额", "proposed_fine"),
    "description": ("案情简述", "description"),
    "discovered_on": ("发现日期", "discovered_on"),
    "notified_on": ("告知日期", "notified_on"),
    "decided_on": ("决定日期", "decided_on"),
    "paid_on": ("缴纳日期", "paid_on"),
    "closed_on": ("结案日期", "closed_on"),
    "final_fine": ("决定罚款金额（元）", "决定罚款金额(元)", "决定罚款金额", "final_fine"),
    "officer": ("承办人账号", "officer"),
    # fines set as multiples or per occurrence (issue 14 item 3)
    "fine_basis": ("罚款计算基数（元）", "罚款计算基数(元)", "罚款计算基数", "fine_basis"),
    "occurrences": ("违法次数", "occurrences"),
    "served_on": ("送达日期", "served_on"),  # service and payment (§61, §67): see domain/case_deadlines.py
    "late_fee_notified": ("决定书告知加处罚款", "告知加处罚款", "late_fee_notified"),
    "handling_unit": ("承办机构", "承办单位", "handling_unit"),  # the unit's name; empty: the officer's unit
}
REQUIRED = ("case_number", "enterprise", "violation_code", "opened_on", "proposed_fine")
EXAMPLE = {
    "case_number": "示环罚〔2026〕12号",
    "enterprise": "示范化工有限公司",
    "violation_code": "AIR-99-2",
    "opened_on": "2026-03-02",
    "status": "调查",
    "harm_level": "轻微",
    "corrected": "是",
    "correction_due_on": "2026-03-31",
    "proposed_fine": "150000.00",
    "description": "2026年2月27日现场检查发现，二号锅炉颗粒物排放浓度超过排放标准。",
    "discovered_on": "2026-02-27",
}
YES = {"是", "已改正", "y", "yes", "true", "1"}
NO = {"否", "未改正", "n", "no", "false", "0", ""}
MAX_CASE_NUMBER = 64
MAX_DESCRIPTION = 4000


@dataclass(frozen=True)
class CaseRecord:
    row: int
    case_number: str
    enterprise: str
    violation_code: str
    status: str
    harm_level: str
    corrected: bool
    description: str
    opened_on: date
    proposed_fine: int
    discovered_on: date | None = None
    notified_on: date | None = None
    decided_on: date | None = None
    paid_on: date | None = None
    closed_on: date | None = None
    final_fine: int | None = None
    officer: str | None = None
    correction_due_on: date | None = None
    # Whether the file has the 改正期限 column at all: a register without it (made before the column
    # existed) keeps the deadlines set on the case form instead of clearing them.
    has_correction_due: bool = False
    # The amount a multiple applies to (fen) and the number of occurrences; a register without the
    # column keeps the value set on the case form, as for 改正期限.
    fine_basis_fen: int | None = None
    occurrences: int | None = None
    has_fine_basis: bool = False
    has_occurrences: bool = False
    # service and payment (§61, §67; 行政强制法 §45); a file without the column keeps the case's value
    served_on: date | None = None
    has_served_on: bool = False
    late_fee_notified: bool | None = None
    handling_unit: str | None = None  # 承办机构: a unit's name; None keeps the case's, or takes the officer's

    def facts(self) -> CaseFacts:
        return CaseFacts(
            status=self.status,
            harm_level=self.harm_level,
            corrected=self.corrected,
            opened_on=self.opened_on,
            proposed_fine=self.proposed_fine,
            discovered_on=self.discovered_on,
            notified_on=self.notified_on,
            decided_on=self.decided_on,
            paid_on=self.paid_on,
            closed_on=self.closed_on,
            final_fine=self.final_fine,
            correction_due_on=self.correction_due_on,
        )


def typed_case_number(text: str | None) -> str:
    """A case number as typed, with full-width digits and letters read as ASCII (``示环罚〔2026〕１２号``
    is ``示环罚〔2026〕12号``); the Chinese characters and brackets of the number stay as they are."""
    return fold_width(text).strip()


def parse_choice(text: str, names: dict[str, str], codes: tuple[str, ...]) -> str | None:
    value = text.strip()
    if value in names:
        return names[value]
    return value.lower() if value.lower() in codes else None


def _occurrences(text: str, found: list[Problem]) -> int | None:
    """The 违法次数 column: empty, or a whole number of at least 1."""
    text = (text or "").strip().removesuffix("次")
    if not text:
        return None
    if not text.isdecimal() or not 1 <= int(text) <= MAX_OCCURRENCES:
        found.append(Problem(N_("Write a whole number from 1 to %(max)s."), {"max": MAX_OCCURRENCES}, "occurrences"))
        return None
    return int(text)


def parse_case_rows(rows: list[Row]) -> tuple[list[CaseRecord], list[Problem]]:
    """Check each row on its own (the enterprise, the violation code and the fine range are the
    service's to check against the database); problems carry the row and the field."""
    records: list[CaseRecord] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for row in rows:
        v = row.values
        found: list[Problem] = []
        number = typed_case_number(v.get("case_number", ""))
        for fld in REQUIRED:
            if not v.get(fld):
                found.append(Problem(N_("This field is required."), {}, fld))
        if len(number) > MAX_CASE_NUMBER:
            found.append(Problem(N_("At most %(max)s characters."), {"max": MAX_CASE_NUMBER}, "case_number"))
        elif number in seen:
            found.append(
                Problem(N_("Repeats the case number of row %(other)s."), {"other": seen[number]}, "case_number")
            )
        if len(v.get("description", "")) > MAX_DESCRIPTION:
            found.append(Problem(N_("At most %(max)s characters."), {"max": MAX_DESCRIPTION}, "description"))
        dates: dict[str, date | None] = {}
        for fld in (*CASE_DATES, "served_on"):
            dates[fld] = None
            if v.get(fld):
                dates[fld] = parse_date(v[fld])
                if dates[fld] is None:
                    found.append(Problem(N_("“%(value)s” is not a date (use 2026-12-31)."), {"value": v[fld]}, fld))
        amounts: dict[str, int | None] = {}
        for fld in ("proposed_fine", "final_fine", "fine_basis"):
            amounts[fld] = None
            if v.get(fld):
                amounts[fld] = parse_yuan(v[fld])
                if amounts[fld] is None:
                    found.append(
                        Problem(
                            N_("“%(value)s” is not an amount in yuan with at most two decimals (e.g. 12345.67)."),
                            {"value": v[fld]},
                            fld,
                        )
                    )
        status = parse_choice(v.get("status") or "立案", STATUS_NAMES, STATUSES)
        if status is None:
            found.append(
                Problem(
                    N_("“%(value)s” is not a status: use %(choices)s."),
                    {"value": v["status"], "choices": "、".join(STATUS_CHINESE.values())},
                    "status",
                )
            )
        harm = parse_choice(v.get("harm_level") or "轻微", HARM_NAMES, HARM_LEVELS)
        if harm is None:
            found.append(
                Problem(
                    N_("“%(value)s” is not a harm level: use 无、轻微、一般 or 严重."),
                    {"value": v["harm_level"]},
                    "harm_level",
                )
            )
        occurrences = _occurrences(v.get("occurrences", ""), found)
        corrected_text = v.get("corrected", "").strip().lower()
        if corrected_text not in YES | NO:
            found.append(Problem(N_("Write 是 or 否."), {}, "corrected"))
        late_fee_text = v.get("late_fee_notified", "").strip().lower()
        if late_fee_text not in YES | NO:
            found.append(Problem(N_("Write 是 or 否."), {}, "late_fee_notified"))
        if found:
            problems.extend(Problem(p.msgid, p.params, p.field, row.number) for p in found)
            continue
        seen[number] = row.number
        records.append(
            CaseRecord(
                row=row.number,
                case_number=number,
                enterprise=v["enterprise"],
                violation_code=v["violation_code"].strip().upper(),
                status=status,
                harm_level=harm,
                corrected=corrected_text in YES,
                description=v.get("description", ""),
                opened_on=dates["opened_on"],
                proposed_fine=amounts["proposed_fine"],
                discovered_on=dates["discovered_on"],
                notified_on=dates["notified_on"],
                decided_on=dates["decided_on"],
                paid_on=dates["paid_on"],
                closed_on=dates["closed_on"],
                final_fine=amounts["final_fine"],
                officer=v.get("officer") or None,
                correction_due_on=dates[CORRECTION_DUE],
                has_correction_due=CORRECTION_DUE in v,
                fine_basis_fen=amounts["fine_basis"],
                occurrences=occurrences,
                has_fine_basis="fine_basis" in v,
                has_occurrences="occurrences" in v,
                served_on=dates["served_on"],
                has_served_on="served_on" in v,
                late_fee_notified=(late_fee_text in YES) if "late_fee_notified" in v else None,
                handling_unit=(v.get("handling_unit") or "").strip() or None,
            )
        )
    return records, problems
