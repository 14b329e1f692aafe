"""Penalty cases (行政处罚案件): their stages and the moves between them, harm levels, money and the
checks on a case's fields. Money is integer fen; every check returns its reasons as Problems that
name the field. The violation catalogue file is eduapp.domain.catalogue, the case register file
(``eduapp cases import``) eduapp.domain.case_register."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from eduapp.domain.fines import MAX_FEN
from eduapp.domain.laws import int_to_chinese
from eduapp.domain.problems import N_, Problem

# --- stages ------------------------------------------------------------------------------------------

FILED = "filed"  # 立案
INVESTIGATING = "investigating"  # 调查
NOTIFIED = "notified"  # 告知 (of the intended penalty, 行政处罚法 §44)
DECIDED = "decided"  # 决定 (the penalty decision, 决定书)
PAID = "paid"  # 缴纳
CLOSED = "closed"  # 结案
NOT_PENALISED = "not_penalised"  # 不予处罚 (§33)
TRANSFERRED = "transferred"  # 移送 (to the police or the prosecutors)

STATUSES = (FILED, INVESTIGATING, NOTIFIED, DECIDED, PAID, CLOSED, NOT_PENALISED, TRANSFERRED)

STATUS_LABELS = {
    FILED: N_("Filed"),
    INVESTIGATING: N_("Under investigation"),
    NOTIFIED: N_("Notified of the intended penalty"),
    DECIDED: N_("Penalty decided"),
    PAID: N_("Fine paid"),
    CLOSED: N_("Closed"),
    NOT_PENALISED: N_("Not penalised"),
    TRANSFERRED: N_("Transferred"),
}

# The moves a case may make: 立案 → 调查 → 告知 → 决定 → 缴纳 → 结案; before the decision a case may
# instead end without a penalty (不予处罚) or be transferred (移送); both are then closed.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    FILED: (INVESTIGATING, NOT_PENALISED, TRANSFERRED),
    INVESTIGATING: (NOTIFIED, NOT_PENALISED, TRANSFERRED),
    NOTIFIED: (DECIDED, NOT_PENALISED, TRANSFERRED),
    DECIDED: (PAID,),
    PAID: (CLOSED,),
    NOT_PENALISED: (CLOSED,),
    TRANSFERRED: (CLOSED,),
    CLOSED: (),
}

# The date field a move records (the decision not to penalise is a decision too). A move to
# 调查 or 移送 records no date of its own: its date is kept in the audit trail.
RECORDS_DATE: dict[str, str] = {
    NOTIFIED: "notified_on",
    DECIDED: "decided_on",
    PAID: "paid_on",
    CLOSED: "closed_on",
    NOT_PENALISED: "decided_on",
}

DATE_FIELDS = ("discovered_on", "opened_on", "notified_on", "decided_on", "paid_on", "closed_on")
_BASE_DATES = frozenset({"discovered_on", "opened_on"})
# Which dates a case may carry at each status, and which it must.
ALLOWED_DATES: dict[str, frozenset[str]] = {
    FILED: _BASE_DATES,
    INVESTIGATING: _BASE_DATES,
    NOTIFIED: _BASE_DATES | {"notified_on"},
    DECIDED: _BASE_DATES | {"notified_on", "decided_on"},
    PAID: _BASE_DATES | {"notified_on", "decided_on", "paid_on"},
    CLOSED: frozenset(DATE_FIELDS),
    NOT_PENALISED: _BASE_DATES | {"notified_on", "decided_on"},
    TRANSFERRED: _BASE_DATES | {"notified_on"},
}
REQUIRED_DATES: dict[str, tuple[str, ...]] = {
    FILED: ("opened_on",),
    INVESTIGATING: ("opened_on",),
    NOTIFIED: ("opened_on", "notified_on"),
    DECIDED: ("opened_on", "decided_on"),
    PAID: ("opened_on", "decided_on", "paid_on"),
    CLOSED: ("opened_on", "closed_on"),
    NOT_PENALISED: ("opened_on", "decided_on"),
    TRANSFERRED: ("opened_on",),
}
# "Cannot be before the <earlier date>": the message names the earlier date.
_NOT_BEFORE = {
    "discovered_on": N_("Cannot be before the date of discovery (%(date)s)."),
    "opened_on": N_("Cannot be before the filing date (%(date)s)."),
    "notified_on": N_("Cannot be before the notification date (%(date)s)."),
    "decided_on": N_("Cannot be before the decision date (%(date)s)."),
    "paid_on": N_("Cannot be before the payment date (%(date)s)."),
}
# The deadline of the order to correct (责令改正期限, 行政处罚法 §28). Not a stage date: the order may
# come at any stage, so it is outside DATE_FIELDS and the stage rules; it only cannot precede the
# filing, and it may lie in the future (that is what a deadline does).
CORRECTION_DUE = "correction_due_on"
CASE_DATES = (*DATE_FIELDS, CORRECTION_DUE)  # every date a case carries

FINE_STATUSES = frozenset({DECIDED, PAID, CLOSED})  # a final fine exists once the penalty is decided
OPEN_FOR_OFFSET = frozenset({FILED, INVESTIGATING, NOTIFIED})


def is_open_for_offset(status: str) -> bool:
    """Before the penalty decision and not transferred: the only time study points may lower the fine
    (once the decision is issued the fine is owed in full)."""
    return status in OPEN_FOR_OFFSET


def allowed_transitions(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def correction_overdue(correction_due_on: date | None, corrected: bool, today: date) -> bool:
    """The deadline to correct has passed (the day itself still counts as in time) and the case is
    not marked corrected."""
    return correction_due_on is not None and not corrected and correction_due_on < today


# --- harm levels -------------------------------------------------------------------------------------

HARM_LEVELS = ("none", "minor", "general", "serious")
HARM_LABELS = {
    "none": N_("No harm"),
    "minor": N_("Minor harm"),
    "general": N_("General harm"),
    "serious": N_("Serious harm"),
}

# --- money ---------------------------------------------------------------------------------------------

_AMOUNT_RE = re.compile(r"^\d+(?:\.\d{1,2})?$")


def parse_yuan(text: str) -> int | None:
    """'12,345.67', '¥12345.6', '100000元' → fen, exactly (no floats); None when it is not such an amount."""
    cleaned = re.sub(r"[\s,，¥￥]", "", text or "").removesuffix("元")
    if not _AMOUNT_RE.match(cleaned):
        return None
    try:
        return int(Decimal(cleaned) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None


def format_yuan(fen: int | None) -> str:
    """2000000 → '20,000'; 12345 → '123.45' (for pages; the ¥ is the template's)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}" + (f".{cents:02d}" if cents else "")


def yuan_wordings(fen: int) -> set[str]:
    """How a statute writes this many fen: 10000000 → {'十万元', '10万元', '100000元'}.

    Laws write 十万元 / 一百万元 / 五千元 / 五百元; State Council regulations often 20万元 / 5千元."""
    if fen <= 0 or fen % 100:
        return set()
    yuan = fen // 100
    words = {f"{yuan}元"}
    if yuan % 10_000 == 0 and yuan // 10_000 < 10_000:
        wan = yuan // 10_000
        words |= {f"{int_to_chinese(wan)}万元", f"{wan}万元"}
    elif yuan < 10_000:
        words.add(f"{int_to_chinese(yuan)}元")
        if yuan % 1000 == 0:
            words.add(f"{yuan // 1000}千元")
    return words


# --- checks on a case ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FineRange:
    """A violation type's statutory range in fen; None where the statute sets no fixed amount."""

    fine_min: int | None = None
    fine_max: int | None = None


@dataclass(frozen=True)
class CaseFacts:
    status: str
    harm_level: str
    corrected: bool
    opened_on: date | None
    proposed_fine: int | None
    discovered_on: date | None = None
    notified_on: date | None = None
    decided_on: date | None = None
    paid_on: date | None = None
    closed_on: date | None = None
    final_fine: int | None = None
    correction_due_on: date | None = None


@dataclass
class CaseCheck:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def check_fine(amount: int | None, fine: FineRange, fld: str, check: CaseCheck) -> None:
    """Above the statutory maximum is refused; below the minimum is a warning, because it is lawful
    only as a reduced penalty (减轻, 行政处罚法 §32), which needs legal review (§58)."""
    if amount is None:
        return
    if amount < 0:
        check.errors.append(Problem(N_("A fine cannot be negative."), {}, fld))
    elif amount > MAX_FEN:
        check.errors.append(Problem(N_("At most ¥%(max)s."), {"max": format_yuan(MAX_FEN)}, fld))
    elif fine.fine_max is not None and amount > fine.fine_max:
        check.errors.append(
            Problem(
                N_("More than the statutory maximum for this violation type, ¥%(max)s."),
                {"max": format_yuan(fine.fine_max)},
                fld,
            )
        )
    elif fine.fine_min is not None and amount < fine.fine_min:
        check.warnings.append(
            Problem(
                N_(
                    "Less than the statutory minimum for this violation type, ¥%(min)s: lawful only as a reduced "
                    "penalty (Administrative Penalty Law, art. 32), which needs legal review (art. 58)."
                ),
                {"min": format_yuan(fine.fine_min)},
                fld,
            )
        )


def check_case(facts: CaseFacts, fine: FineRange, today: date | None = None) -> CaseCheck:
    """Every problem with a case's fields, each naming its field."""
    check = CaseCheck()
    errors = check.errors
    if facts.status not in STATUSES:
        errors.append(Problem(N_("Unknown status “%(value)s”."), {"value": facts.status}, "status"))
    if facts.harm_level not in HARM_LEVELS:
        errors.append(Problem(N_("Unknown harm level “%(value)s”."), {"value": facts.harm_level}, "harm_level"))

    dates = {name: getattr(facts, name) for name in DATE_FIELDS}
    if facts.status in STATUSES:
        for name in REQUIRED_DATES[facts.status]:
            if dates[name] is None:
                errors.append(Problem(N_("Required for a case with this status."), {}, name))
        for name in DATE_FIELDS:
            if dates[name] is not None and name not in ALLOWED_DATES[facts.status]:
                errors.append(Problem(N_("Must be empty while the case has not reached this stage."), {}, name))
    previous: str | None = None
    for name in DATE_FIELDS:
        value = dates[name]
        if value is None:
            continue
        if today is not None and value > today:
            errors.append(Problem(N_("Cannot be in the future."), {}, name))
        elif previous is not None and value < dates[previous]:
            errors.append(Problem(_NOT_BEFORE[previous], {"date": dates[previous].isoformat()}, name))
        previous = name
    due = facts.correction_due_on
    if due is not None and facts.opened_on is not None and due < facts.opened_on:
        errors.append(Problem(_NOT_BEFORE["opened_on"], {"date": facts.opened_on.isoformat()}, CORRECTION_DUE))

    if facts.proposed_fine is None:
        errors.append(Problem(N_("This field is required."), {}, "proposed_fine"))
    check_fine(facts.proposed_fine, fine, "proposed_fine", check)
    if facts.status in (DECIDED, PAID) and facts.final_fine is None:
        errors.append(Problem(N_("Required once the penalty is decided."), {}, "final_fine"))
    if facts.final_fine is not None and facts.status not in FINE_STATUSES:
        errors.append(Problem(N_("Must be empty until the penalty is decided."), {}, "final_fine"))
    else:
        check_fine(facts.final_fine, fine, "final_fine", check)
    return check


@dataclass
class Transition:
    """A planned move: the fields it changes, or why it cannot happen."""

    changes: dict
    check: CaseCheck


def plan_transition(
    facts: CaseFacts,
    to: str,
    on: date | None,
    fine: FineRange,
    final_fine: int | None = None,
    today: date | None = None,
) -> Transition:
    """Move a case to ``to`` on date ``on``. Problems name the form's fields: to, on, final_fine."""
    check = CaseCheck()
    if to not in allowed_transitions(facts.status):
        check.errors.append(Problem(N_("This case cannot move to that status from its current one."), {}, "to"))
        return Transition({}, check)
    if on is None:
        check.errors.append(Problem(N_("This field is required."), {}, "on"))
        return Transition({}, check)
    if today is not None and on > today:
        check.errors.append(Problem(N_("Cannot be in the future."), {}, "on"))
    recorded = [(name, getattr(facts, name)) for name in DATE_FIELDS if getattr(facts, name) is not None]
    if recorded:
        latest_name, latest = max(recorded, key=lambda item: item[1])
        if on < latest:
            message = _NOT_BEFORE.get(latest_name, N_("Cannot be before %(date)s, the latest date of this case."))
            check.errors.append(Problem(message, {"date": latest.isoformat()}, "on"))
    changes: dict = {"status": to}
    if to in RECORDS_DATE:
        changes[RECORDS_DATE[to]] = on
    if to == DECIDED:
        if final_fine is None:
            check.errors.append(Problem(N_("Required once the penalty is decided."), {}, "final_fine"))
        else:
            changes["final_fine"] = final_fine
            check_fine(final_fine, fine, "final_fine", check)
    elif final_fine is not None:
        check.errors.append(Problem(N_("A fine is set only with the penalty decision."), {}, "final_fine"))
    if check.errors:
        return Transition({}, check)
    after = check_case(replace(facts, **changes), fine)
    # The move's own amount was checked above; what remains are problems of the case itself.
    check.errors.extend(p for p in after.errors)
    return Transition(changes if not check.errors else {}, check)
