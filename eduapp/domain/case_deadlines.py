"""A case's statutory dates, as pure functions: the decision deadline (行政处罚法 §60) with its
extensions, and the payment period counted from the service of the decision (§61, §67), with the
late-fee wording (§72, 行政强制法 §45).

How the days count. §85 makes only "二日""三日""五日""七日" working days; 九十日 and 十五日 are calendar
days. A period "自…之日起 N 日内" does not count its first day (the day of 立案, the day of receipt) and
ends with the end of its last day, so:

- the decision deadline is ``opened_on + 90 days``, and a decision ON that day is in time;
- the fine is due ``served_on + 15 days``, and a payment ON that day is in time.

The product does not move a deadline that falls on a holiday (the bureau's calendar is not known to
it); a deadline shown is the latest day, never a later one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from eduapp.domain import cases as stages
from eduapp.domain.problems import N_, Problem

DECISION_DAYS = 90  # 行政处罚法 §60
PAYMENT_DAYS = 15  # 行政处罚法 §67 ¶3
MAX_REASON = 2000
# A guard against typing errors, not a rule of law: one extension moves the deadline by at most a year.
MAX_EXTENSION_DAYS = 366

# While the case is in one of these stages the §60 clock runs; every other stage was reached by a
# decision (决定, 不予处罚) or a transfer (移送), which ends it.
RUNNING = frozenset({stages.FILED, stages.INVESTIGATING, stages.NOTIFIED})
# The moves that stop the clock, and so count as "decided" for §60.
DECIDING_MOVES = frozenset({stages.DECIDED, stages.NOT_PENALISED, stages.TRANSFERRED})
# Stages at which a decision (处罚决定书 or 不予行政处罚决定书) exists and can have been served.
SERVABLE = frozenset({stages.DECIDED, stages.PAID, stages.CLOSED, stages.NOT_PENALISED})

BASIS_60 = "《中华人民共和国行政处罚法》第六十条"
BASIS_67 = "《中华人民共和国行政处罚法》第六十七条第三款"
LATE_FEE_TEXT = ("逾期不缴纳罚款的，可以每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额"
                 "（《中华人民共和国行政处罚法》第七十二条第一款第（一）项）。")


# --- §60: the decision deadline ----------------------------------------------------------------------------


def statutory_deadline(opened_on: date) -> date:
    """§60: the 90th day after 立案 (the day of 立案 not counted); that day itself is in time."""
    return opened_on + timedelta(days=DECISION_DAYS)


def decision_deadline(opened_on: date, extended_to: Iterable[date] = ()) -> date:
    """The deadline in force: the latest extension's new date, else the statutory 90 days. Each
    extension is later than the deadline before it, so the latest is the last one recorded."""
    return max((statutory_deadline(opened_on), *extended_to))


def days_left(deadline: date, today: date) -> int:
    """0 on the deadline itself (still in time); negative once it has passed (overdue by that many days)."""
    return (deadline - today).days


def is_running(status: str) -> bool:
    """The §60 clock runs until the case is decided, not penalised or transferred."""
    return status in RUNNING


def overdue(status: str, deadline: date, today: date) -> bool:
    return is_running(status) and days_left(deadline, today) < 0


def decided_in_time(decided_on: date, deadline: date) -> bool:
    """A decision (or a decision not to penalise, or a transfer) dated on or before the deadline."""
    return decided_on <= deadline


@dataclass(frozen=True)
class Extension:
    """An extension asked for: the new date, why, the approving head, the day they approved it."""

    new_due_on: date | None
    reason: str
    approver_ok: bool  # the approving account holds the approver (负责人) role
    approved_on: date | None


def check_extension(status: str, current: date, ext: Extension, today: date) -> list[Problem]:
    """Every problem with an extension, each naming its field (new_due_on, reason, approved_by, approved_on).

    - Only while the §60 clock runs (before 决定/不予处罚/移送): ``status``.
    - The new date is later than the deadline in force (an "extension" to an earlier or the same day
      is no extension) and at most MAX_EXTENSION_DAYS later.
    - The head (负责人, the approver role) approved it, on a day not in the future and not after the
      deadline in force: an approval given once the deadline had passed cannot extend it.
    - A reason is given (it goes on file)."""
    problems: list[Problem] = []
    if not is_running(status):
        problems.append(Problem(N_("The case has been decided, not penalised or transferred: its deadline no "
                                   "longer runs."), {}, "status"))
    if ext.new_due_on is None:
        problems.append(Problem(N_("This field is required."), {}, "new_due_on"))
    elif ext.new_due_on <= current:
        problems.append(Problem(N_("Must be later than the current deadline (%(date)s)."),
                                {"date": current.isoformat()}, "new_due_on"))
    elif (ext.new_due_on - current).days > MAX_EXTENSION_DAYS:
        problems.append(Problem(N_("At most %(days)s days after the current deadline."),
                                {"days": MAX_EXTENSION_DAYS}, "new_due_on"))
    reason = ext.reason.strip()
    if not reason:
        problems.append(Problem(N_("Give the reason for the extension."), {}, "reason"))
    elif len(reason) > MAX_REASON:
        problems.append(Problem(N_("At most %(max)s characters."), {"max": MAX_REASON}, "reason"))
    if not ext.approver_ok:
        problems.append(Problem(N_("Choose the head (an approver) who approved the extension."), {}, "approved_by"))
    if ext.approved_on is None:
        problems.append(Problem(N_("This field is required."), {}, "approved_on"))
    elif ext.approved_on > today:
        problems.append(Problem(N_("Cannot be in the future."), {}, "approved_on"))
    elif ext.approved_on > current:
        problems.append(Problem(N_("Approved after the deadline (%(date)s) had passed: it cannot be extended "
                                   "any more."), {"date": current.isoformat()}, "approved_on"))
    return problems


# --- §61, §67: service and payment -------------------------------------------------------------------------


def payment_due(served_on: date) -> date:
    """§67 ¶3: 15 days from receipt of the 决定书 (the day of receipt not counted); that day is in time."""
    return served_on + timedelta(days=PAYMENT_DAYS)


def days_since_service(served_on: date, today: date) -> int:
    return (today - served_on).days


def check_service(status: str, decided_on: date | None, served_on: date | None, today: date | None) -> list[Problem]:
    """The service date (送达日期) of the decision: only once a decision exists, not before it, not in
    the future. Problems name ``served_on``."""
    if served_on is None:
        return []
    if status not in SERVABLE or decided_on is None:
        return [Problem(N_("Must be empty until a decision has been made."), {}, "served_on")]
    if today is not None and served_on > today:
        return [Problem(N_("Cannot be in the future."), {}, "served_on")]
    if served_on < decided_on:
        return [Problem(N_("Cannot be before the decision date (%(date)s)."), {"date": decided_on.isoformat()},
                        "served_on")]
    return []


def service_missing(status: str, final_fine: int | None, served_on: date | None) -> bool:
    """A fine was decided but the product does not know when the party received the decision, so it
    cannot tell when the fine is due (and sends no payment reminder)."""
    return status == stages.DECIDED and final_fine is not None and served_on is None


def late_fee_text(notified: bool) -> str:
    """§72 lets the authority add 3 % a day (capped at the fine); 行政强制法 §45 requires the party to
    have been told the rate. Only then is the party reminded of it, and never as a certainty."""
    return LATE_FEE_TEXT if notified else ""
