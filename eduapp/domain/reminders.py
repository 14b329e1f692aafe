"""What is due for an early-warning reminder (预警提醒), as pure functions (DOMAIN.md's table), and the
notices written when something happens (EVENT_KINDS: the outcome of an offset application).

Every reminder has a dedupe key (kind, object, recipient, occasion). The occasion names the lead
time a reminder stands for, so that a scan that runs late (or twice, or on two beats at once) still
writes each reminder exactly once: with leads of 7, 3 and 1 days, an exam closing in 5 days is in its
"7d" occasion until it is 3 days off; a day the scan did not run is caught up on the next.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from eduapp.domain.case_deadlines import PAYMENT_DAYS
from eduapp.domain.offsets import STEPS
from eduapp.domain.problems import N_

EXAM_CLOSING = "exam_closing"
POINTS_EXPIRING = "points_expiring"
OFFSET_REVIEW = "offset_review"
OFFSET_OUTCOME = "offset_outcome"
FINE_DUE = "fine_due"
PERMIT_EXPIRING = "permit_expiring"
CORRECTION_DEADLINE = "correction_deadline"
STUDY_REQUIREMENT = "study_requirement"
TRAINING_UPCOMING = "training_upcoming"
OFFSET_OVERDUE = "offset_overdue"  # a review step past its deadline: escalated, the application stays open
CASE_DEADLINE = "case_deadline"
KINDS = (EXAM_CLOSING, POINTS_EXPIRING, OFFSET_REVIEW, OFFSET_OUTCOME, OFFSET_OVERDUE, FINE_DUE, PERMIT_EXPIRING,
         CORRECTION_DEADLINE, STUDY_REQUIREMENT, TRAINING_UPCOMING, CASE_DEADLINE)
# Written when it happens (by the service that makes it happen), not found by a scan: no lead times.
EVENT_KINDS = (OFFSET_OUTCOME,)

INBOX, EMAIL, SMS = "inbox", "email", "sms"
CHANNELS = (INBOX, EMAIL, SMS)
# Delivery states.
QUEUED, SENT, RETRYING, DEFERRED, FAILED, SKIPPED = "queued", "sent", "retrying", "deferred", "failed", "skipped"
STATUSES = (QUEUED, SENT, RETRYING, DEFERRED, FAILED, SKIPPED)
PENDING = (QUEUED, RETRYING, DEFERRED)



def address_for(channel: str, email: str | None, phone: str | None, wants_email: bool | None,
                wants_sms: bool | None) -> str | None:
    """Where a reminder goes on ``channel`` (e-mail or SMS): the person's address, unless they have none or
    opted out (``wants_*`` False; None, no preference saved, means yes). None: nothing is sent there.
    The reminder scan (services.reminders) and the sender (reminder_sending) both ask this; the
    PostgreSQL scan's INSERT of deliveries states the same rule in SQL (tests/test_reminder_recipients.py)."""
    if channel == EMAIL:
        return email if email and wants_email is not False else None
    if channel == SMS:
        return phone if phone and wants_sms is not False else None
    return None


# Lead times in days (configurable: EDUAPP_REMINDER_LEADS). For the fine, the days are counted
# after the service of the decision (送达): reminders on day 10 and 14, then an overdue notice after
# day 15 (§67 ¶3). For the case deadline, days before the §60 deadline.
DEFAULT_LEADS: dict[str, tuple[int, ...]] = {
    EXAM_CLOSING: (7, 3, 1),
    POINTS_EXPIRING: (30, 7),
    OFFSET_REVIEW: (2,),
    OFFSET_OUTCOME: (),  # at once, when a step decides
    FINE_DUE: (10, 14),
    PERMIT_EXPIRING: (90, 60),
    CORRECTION_DEADLINE: (3,),
    STUDY_REQUIREMENT: (60, 30, 7),  # "near the period end": the last two months of the year
    TRAINING_UPCOMING: (1,),
    OFFSET_OVERDUE: (0,),  # once the deadline has passed (the lead is not used)
    CASE_DEADLINE: (15, 5),
}
FINE_PAYMENT_DAYS = PAYMENT_DAYS  # 行政处罚法 §67 ¶3: 15 days from receipt of the decision
DEFAULT_STUDY_TARGET_PERCENT = 80
MAX_ATTEMPTS = 6  # transient failures are retried this many times in all, then the delivery fails


def leads(config: Mapping[str, object] | None = None) -> dict[str, tuple[int, ...]]:
    """The default leads, with those the configuration sets. Raises ValueError naming a bad entry."""
    merged = dict(DEFAULT_LEADS)
    for kind, value in (config or {}).items():
        if kind not in KINDS:
            raise ValueError(f"unknown reminder kind {kind!r} (one of {', '.join(KINDS)})")
        if kind in EVENT_KINDS:
            raise ValueError(f"{kind} is sent when it happens and has no lead times")
        if (not isinstance(value, list | tuple) or not value
                or any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 366 for d in value)):
            raise ValueError(f"the leads of {kind} are a list of whole days from 0 to 366, got {value!r}")
        merged[kind] = tuple(sorted(set(value), reverse=True))
    return merged


def occasion_before(days_left: int, lead_days: tuple[int, ...]) -> int | None:
    """The lead a reminder for something ``days_left`` days off stands for: the smallest lead not
    below ``days_left``; None when it is further off than every lead, or already past."""
    if days_left < 0:
        return None
    fitting = [lead for lead in lead_days if days_left <= lead]
    return min(fitting) if fitting else None


def fine_occasion(served_on: date, today: date, lead_days: tuple[int, ...] = DEFAULT_LEADS[FINE_DUE]) -> str | None:
    """Day 10 and day 14 after the party received the decision (the lead days), then "overdue" after
    the 15 days of §67 ¶3 (day 15 itself is still in time)."""
    days = (today - served_on).days
    if days > FINE_PAYMENT_DAYS:
        return "overdue"
    reached = [d for d in lead_days if d <= days]
    return f"d{max(reached)}" if reached else None


def review_occasion(days_left: float, lead_days: tuple[int, ...] = DEFAULT_LEADS[OFFSET_REVIEW]) -> str | None:
    """A review step whose deadline is within the lead ("due"), or past ("overdue")."""
    if days_left < 0:
        return "overdue"
    return "due" if days_left <= max(lead_days) else None


def outcome_occasion(step: str, decision: str) -> str:
    """The occasion of the applicant's notice of a step's decision: "decided:<step>" when the application
    goes on to the next step, "approved:approver" or "rejected:<step>" when the decision is final. One
    decision per step and application, so one notice per step (the dedupe key holds the step)."""
    if decision == "reject":
        return f"rejected:{step}"
    return f"approved:{step}" if step == STEPS[-1] else f"decided:{step}"


def period_end(today: date) -> date:
    """The study requirement is counted per calendar year."""
    return date(today.year, 12, 31)


def below_target(passed: int, total: int, target_percent: int) -> bool:
    return total > 0 and passed * 100 < target_percent * total


@dataclass(frozen=True)
class Template:
    subject: str
    body: str  # a message id; its placeholders are the reminder's params


# What each kind says; params are filled in by the scan. Shown in the recipient's language.
TEMPLATES = {
    EXAM_CLOSING: Template(N_("Exam closing: %(title)s"),
                           N_("The exam “%(title)s” closes on %(close)s and you have not passed it yet.")),
    POINTS_EXPIRING: Template(N_("Study points expiring"),
                              N_("%(points)s study points of %(owner)s expire at the end of %(day)s. Use them by then, "
                                 "that day included.")),
    OFFSET_REVIEW: Template(N_("Offset application awaiting your decision"),
                            N_("The offset application for case %(case)s (%(enterprise)s) awaits the %(step)s "
                               "decision; the step's deadline is %(deadline)s.")),
    FINE_DUE: Template(N_("Fine payment due: case %(case)s"),
                       N_("The fine of ¥%(fine)s decided on %(decided)s in case %(case)s is to be paid by %(due)s, "
                          "that day included (15 days from receipt of the decision, 行政处罚法 §67).")),
    PERMIT_EXPIRING: Template(N_("Pollutant-discharge permit expiring"),
                              N_("Permit %(permit)s of %(enterprise)s expires on %(day)s; apply for renewal at "
                                 "least 60 days before.")),
    CORRECTION_DEADLINE: Template(N_("Correction deadline: case %(case)s"),
                                  N_("The order to correct in case %(case)s must be complied with by %(day)s, "
                                     "that day included.")),
    STUDY_REQUIREMENT: Template(N_("Study requirement not yet met"),
                                N_("%(passed)s of %(total)s people of %(organisation)s have passed a law exam this "
                                   "year, below the target of %(target)s per cent; the year ends on %(day)s.")),
    TRAINING_UPCOMING: Template(N_("Training tomorrow: %(title)s"),
                                N_("You are registered for the training “%(title)s” at %(when)s.")),
    OFFSET_OUTCOME: Template(N_("Leniency application, case %(case)s: the %(step)s decided"),
                             N_("On your application for a lighter penalty in view of your study of the law "
                                "(case %(case)s), the opinion of the %(step)s is: %(decision)s. Comment: "
                                "%(comment)s. The application goes on to the next step.")),
    OFFSET_OVERDUE: Template(N_("Offset review step overdue: case %(case)s"),
                             N_("The %(step)s decision on the offset application for case %(case)s (%(enterprise)s) "
                                "was due on %(deadline)s. The application stays open: the enterprise's points remain "
                                "reserved until the bureau decides.")),
    CASE_DEADLINE: Template(N_("Decision deadline: case %(case)s"),
                            N_("Case %(case)s (%(enterprise)s) must be decided by %(day)s, that day included "
                               "(行政处罚法 §60: 90 days from filing, or as extended with the head's approval).")),
}
KIND_LABELS = {
    EXAM_CLOSING: N_("Exam closing"),
    POINTS_EXPIRING: N_("Points expiring"),
    OFFSET_REVIEW: N_("Offset awaiting review"),
    FINE_DUE: N_("Fine payment due"),
    PERMIT_EXPIRING: N_("Permit expiring"),
    CORRECTION_DEADLINE: N_("Correction deadline"),
    STUDY_REQUIREMENT: N_("Study requirement"),
    TRAINING_UPCOMING: N_("Training upcoming"),
    OFFSET_OUTCOME: N_("Leniency application decided"),
    OFFSET_OVERDUE: N_("Offset review overdue"),
    CASE_DEADLINE: N_("Case decision deadline"),
}
OVERDUE_TEMPLATES = {
    OFFSET_REVIEW: Template(N_("Offset application overdue"),
                            N_("The %(step)s decision on the offset application for case %(case)s (%(enterprise)s) "
                               "was due on %(deadline)s.")),
    FINE_DUE: Template(N_("Fine payment overdue: case %(case)s"),
                       N_("The fine of ¥%(fine)s in case %(case)s was to be paid by %(due)s, that day included, "
                          "and is unpaid.")),
}
# The fine's reminders when the decision told the party of the late fee (行政强制法 §45): §72 lets the
# authority add it ("可以"), so it is said as a possibility, never as a certainty.
LATE_FEE_TEMPLATES = {
    "due": Template(TEMPLATES[FINE_DUE].subject,
                    N_("The fine of ¥%(fine)s decided on %(decided)s in case %(case)s (decision received on "
                       "%(served)s) is to be paid by %(due)s, that day included (行政处罚法 §67). If it is not paid "
                       "by then, the authority may add 3 per cent of the fine a day, up to the fine itself "
                       "(行政处罚法 §72 ¶1 (1)).")),
    "overdue": Template(OVERDUE_TEMPLATES[FINE_DUE].subject,
                        N_("The fine of ¥%(fine)s in case %(case)s was to be paid by %(due)s, that day included, "
                           "and is unpaid. The authority may add 3 per cent of the fine a day, up to the fine "
                           "itself (行政处罚法 §72 ¶1 (1)).")),
}


# The final decision on an application (the occasion's first part): the fine after 从轻, or why not.
OUTCOME_TEMPLATES = {
    "approved": Template(N_("Leniency approved: case %(case)s"),
                         N_("Your application for a lighter penalty in view of your study of the law (case "
                            "%(case)s) is approved (opinion of the %(step)s: %(decision)s; comment: %(comment)s). "
                            "The proposed fine after leniency is %(fine)s; the penalty decision will state the "
                            "fine.")),
    "rejected": Template(N_("Leniency not approved: case %(case)s"),
                         N_("Your application for a lighter penalty in view of your study of the law (case "
                            "%(case)s) is not approved: the opinion of the %(step)s is: %(decision)s (reason: "
                            "%(comment)s). The proposed fine stays %(fine)s; the reserved study points are "
                            "available again.")),
}


def template_for(kind: str, occasion: str, params: Mapping[str, object] | None = None) -> Template:
    """The template of a reminder; a fine's depends on whether the decision told the party of the late
    fee (``params["late_fee_notified"]``)."""
    if kind == FINE_DUE and (params or {}).get("late_fee_notified"):
        return LATE_FEE_TEMPLATES["overdue" if occasion == "overdue" else "due"]
    if occasion == "overdue" and kind in OVERDUE_TEMPLATES:
        return OVERDUE_TEMPLATES[kind]
    if kind == OFFSET_OUTCOME and occasion in OUTCOME_TEMPLATES:
        return OUTCOME_TEMPLATES[occasion]
    return TEMPLATES[kind]


def handling_unit_recipients(unit_id: int | None, parent: Mapping[int, int | None],
                             holders: Mapping[int, list[int]]) -> list[int] | None:
    """Who of a step's role holders an offset-review reminder goes to: those of the case's handling
    unit (承办机构), or, when nobody there may decide the step, those of its nearest parent unit that
    has one. None when the case has no handling unit, or nobody up its chain holds the role: the
    caller then sends to every holder in the bureau, as before handling units existed.
    ``parent`` maps a unit to its parent; ``holders`` a unit to its eligible holders."""
    seen: set[int] = set()
    while unit_id is not None and unit_id not in seen:  # a cycle in bad data must not loop forever
        seen.add(unit_id)
        if holders.get(unit_id):
            return list(holders[unit_id])
        unit_id = parent.get(unit_id)
    return None
