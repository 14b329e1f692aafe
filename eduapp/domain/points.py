"""The rules of the study points ledger (学法积分), as pure functions: when a lot expires, which lots a
spend takes (soonest-expiring first), balances, the daily caps and the per-person cap on what a staff
member adds to the enterprise pool, and the reconciliation of cached balances with the entries.

Points are whole numbers. A lot is usable up to and including its ``expires_at`` day: an award's
``expires_at`` is the last microsecond of the day in China ``valid_months`` months after the award,
and a lot counts as expired once ``now >= expires_at``.

Entry amounts are signed changes to the account's *available* points, so the sum of an account's
entries is its cached ``available``:

=========  ==========================================  ===========================
kind       amount                                      lot
=========  ==========================================  ===========================
award      +n (the lot it opens has ``entry_id``)      none (the lot points at it)
reserve    -k per lot taken; reserved grows by k       the lot taken from
post       0: the reserved points leave for good       none
void       +k per lot given back; reserved shrinks     the lot given back to
expire     -k: what was left of an expired lot         the lot
adjust     +n opens a lot; -k per lot taken            as award / as reserve
reverse    the opposite of the entry it reverses       the lot it touches
=========  ==========================================  ===========================
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from eduapp.domain.practice import CHINA, china_day, day_bounds
from eduapp.domain.problems import N_, Problem
from eduapp.domain.problems import reason_problems as required_reason
from eduapp.domain.study import UNIT_MINUTES as STUDY_TIME_UNIT_MINUTES

# Entry kinds.
AWARD, RESERVE, POST, VOID, EXPIRE, ADJUST, REVERSE = "award", "reserve", "post", "void", "expire", "adjust", "reverse"
RELEASE = "release"  # the part of a reservation a posting did not need, given back (a partial post)
ENTRY_KINDS = (AWARD, RESERVE, POST, VOID, EXPIRE, ADJUST, REVERSE, RELEASE)
# Reservation states.
RESERVED, POSTED, VOIDED = "reserved", "posted", "voided"

# Activities that earn points, and the rule capping what one person adds to the enterprise pool.
EXAM_PASS, PRACTICE, STUDY_TIME, TRAINING = "exam_pass", "practice", "study_time", "training"
COMPETITION_1, COMPETITION_2, COMPETITION_3 = "competition_1", "competition_2", "competition_3"
ACTIVITIES = (EXAM_PASS, PRACTICE, STUDY_TIME, TRAINING, COMPETITION_1, COMPETITION_2, COMPETITION_3)
POOL_PERSON_CAP = "pool_person_cap"
RULE_KINDS = (*ACTIVITIES, POOL_PERSON_CAP)
DAILY_CAPPED = (PRACTICE, STUDY_TIME)
# The source keys of daily-capped activities start with these, so that a day's awards can be counted.
SOURCE_PREFIX = {PRACTICE: "practice_answer:", STUDY_TIME: "study_time:"}
POOL_PREFIX = "pool:"

EXPIRING_SOON_DAYS = 30
MAX_POINTS = 100_000  # the most one award, adjustment or reservation may move
MAX_REASON = 500

# What each entry's reason says when the system writes it: message ids, translated when shown.
REASONS = {
    EXAM_PASS: N_("Exam passed"),
    PRACTICE: N_("Practice answer"),
    STUDY_TIME: N_("Study time"),
    TRAINING: N_("Training attended"),
    COMPETITION_1: N_("Competition: first place"),
    COMPETITION_2: N_("Competition: second place"),
    COMPETITION_3: N_("Competition: third place"),
    RESERVE: N_("Reserved"),
    POST: N_("Reserved points spent"),
    VOID: N_("Reservation voided: points returned"),
    RELEASE: N_("Reserved points not needed: returned"),
    EXPIRE: N_("Expired"),
}
EXPIRED_ON_RETURN = N_("Returned after its lot expired: expired")
ANNULLED_FOR_MISCONDUCT = N_("Exam attempt annulled for misconduct")
SYSTEM_REASONS = frozenset(REASONS.values()) | {EXPIRED_ON_RETURN, ANNULLED_FOR_MISCONDUCT}


@dataclass(frozen=True)
class Rule:
    """An earning rule. For ``pool_person_cap``, ``points`` is the most one person adds to the
    enterprise pool in any ``period_days`` days (counting today)."""

    kind: str
    points: int
    daily_cap: int | None = None
    period_days: int | None = None
    valid_months: int = 12


# Until an administrator saves the rules, these apply.
DEFAULT_RULES = {
    EXAM_PASS: Rule(EXAM_PASS, 0),  # each exam sets its own points for the first pass
    PRACTICE: Rule(PRACTICE, 1, daily_cap=5),
    STUDY_TIME: Rule(STUDY_TIME, 1, daily_cap=4),
    TRAINING: Rule(TRAINING, 5),
    COMPETITION_1: Rule(COMPETITION_1, 10),
    COMPETITION_2: Rule(COMPETITION_2, 6),
    COMPETITION_3: Rule(COMPETITION_3, 3),
    POOL_PERSON_CAP: Rule(POOL_PERSON_CAP, 200, period_days=365),
}


# --- time ------------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def end_of_day(day: date) -> datetime:
    """The last microsecond of ``day`` in China (an aware datetime)."""
    return datetime.combine(day, time.max, CHINA)


def expiry_for(awarded_at: datetime, valid_months: int) -> datetime:
    """When an award's lot expires: the end of the day in China ``valid_months`` months after it."""
    return end_of_day(add_months(china_day(awarded_at), valid_months))


def is_expired(expires_at: datetime, now: datetime) -> bool:
    return now >= expires_at


def period_start(now: datetime, period_days: int) -> datetime:
    """The start of a rolling period of ``period_days`` days in China that ends today."""
    return day_bounds(china_day(now) - timedelta(days=period_days - 1))[0]


# --- lots ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Allocation:
    """Which lots a spend takes from: ``taken`` [(lot id, points)], or the ``shortfall`` and nothing."""

    taken: tuple[tuple[int, int], ...]
    shortfall: int = 0

    @property
    def ok(self) -> bool:
        return self.shortfall == 0


def check_amount(points: object) -> int:
    if isinstance(points, bool) or not isinstance(points, int) or not 0 < points <= MAX_POINTS:
        raise ValueError(f"points must be a whole number from 1 to {MAX_POINTS}, not {points!r}")
    return points


def usable_lots(lots: Iterable[tuple[int, int, datetime]], now: datetime) -> list[tuple[int, int, datetime]]:
    """The lots (id, remaining, expires_at) with points left and not expired, soonest-expiring first."""
    return sorted(((i, r, e) for i, r, e in lots if r > 0 and not is_expired(e, now)), key=lambda lot: (lot[2], lot[0]))


def allocate(lots: Iterable[tuple[int, int, datetime]], amount: int, now: datetime) -> Allocation:
    """Take ``amount`` from the lots soonest-expiring first (ties: the older lot), ignoring expired
    ones. All or nothing: when the lots hold too little, nothing is taken and the shortfall is given."""
    check_amount(amount)
    taken, left = [], amount
    for lot_id, remaining, _expires in usable_lots(lots, now):
        if left == 0:
            break
        part = min(remaining, left)
        taken.append((lot_id, part))
        left -= part
    if left:
        return Allocation((), left)
    return Allocation(tuple(taken))


def expired_lots(lots: Iterable[tuple[int, int, datetime]], now: datetime) -> list[tuple[int, int]]:
    """What expires at ``now``: [(lot id, points)] of the lots that still hold points past their expiry."""
    return sorted((i, r) for i, r, e in lots if r > 0 and is_expired(e, now))


def void_plan(
    allocations: Iterable[Iterable[int]], expiries: Mapping[int, datetime], now: datetime
) -> list[tuple[int, int, bool]]:
    """Voiding a reservation gives each lot back what was taken from it: [(lot id, points, expired)];
    the points of a lot that expired meanwhile expire at once."""
    return [(lot_id, points, is_expired(expiries[lot_id], now)) for lot_id, points in allocations]


class Balance(NamedTuple):
    available: int
    reserved: int
    expiring_30d: int


def balance(lots: Iterable[tuple[int, datetime]], reserved: int, now: datetime,
            soon_days: int = EXPIRING_SOON_DAYS) -> Balance:
    """Available (unexpired points left in lots), reserved, and how much of the available expires
    within ``soon_days`` days, from the lots as (remaining, expires_at)."""
    soon = now + timedelta(days=soon_days)
    available = expiring = 0
    for remaining, expires_at in lots:
        if remaining <= 0 or is_expired(expires_at, now):
            continue
        available += remaining
        if expires_at <= soon:
            expiring += remaining
    return Balance(available, reserved, expiring)


# --- earning ---------------------------------------------------------------------------------------


def capped(points: int, cap: int | None, used: int) -> int:
    """``points`` cut down to what is left under ``cap`` after ``used`` (no cap: all of them)."""
    if points <= 0:
        return 0
    if cap is None:
        return points
    return max(min(points, cap - used), 0)


def activity_points(rule: Rule, units: int = 1, earned_today: int = 0, points: int | None = None) -> int:
    """What one activity earns: the rule's points per unit (or ``points`` when the activity sets its
    own, as an exam or a training does), cut to the rule's daily cap for daily-capped activities."""
    base = rule.points * units if points is None else points
    if rule.kind in DAILY_CAPPED:
        return capped(base, rule.daily_cap, earned_today)
    return max(base, 0)


def pool_share(points: int, cap: Rule, contributed: int) -> int:
    """What a staff member's award adds to the enterprise pool: all of it, up to the per-person cap
    for the period, given what they ``contributed`` already in it."""
    return capped(points, cap.points, contributed)


def study_units(minutes: int) -> int:
    """Whole units of study time in ``minutes`` (the study_time rule pays per unit)."""
    return max(minutes, 0) // STUDY_TIME_UNIT_MINUTES


def competition_kind(rank: int) -> str | None:
    return {1: COMPETITION_1, 2: COMPETITION_2, 3: COMPETITION_3}.get(rank)


# --- administrators' input -------------------------------------------------------------------------


def rule_problems(values: Mapping[str, Mapping[str, int | None]]) -> list[Problem]:
    """Check earning rules as an administrator enters them: {kind: {points, daily_cap, period_days,
    valid_months}}. Each problem names its field as ``<kind>-<name>``."""
    problems = []
    for kind in RULE_KINDS:
        row = values.get(kind)
        if row is None:
            continue
        points, cap = row.get("points"), row.get("daily_cap")
        months, days = row.get("valid_months"), row.get("period_days")
        limit = MAX_POINTS if kind == POOL_PERSON_CAP else 1000
        if points is None or not 0 <= points <= limit:
            problems.append(Problem(N_("Points are a whole number from 0 to %(max)s."), {"max": limit},
                                    f"{kind}-points"))
        if kind in DAILY_CAPPED and cap is not None and not 0 <= cap <= 10_000:
            problems.append(Problem(N_("The daily cap is a whole number from 0 to 10000, or empty for none."), {},
                                    f"{kind}-daily_cap"))
        if kind == POOL_PERSON_CAP:
            if days is None or not 1 <= days <= 3660:
                problems.append(Problem(N_("The period is a whole number of days from 1 to 3660."), {},
                                        f"{kind}-period_days"))
        elif months is None or not 1 <= months <= 120:
            problems.append(Problem(N_("Points stay valid for 1 to 120 months."), {}, f"{kind}-valid_months"))
    return problems


def reason_problems(reason: str | None) -> list[Problem]:
    """A points adjustment or annulment needs its reason (kept in the ledger and the audit trail)."""
    return required_reason(reason, N_("Give the reason: it is kept in the ledger and the audit trail."),
                           MAX_REASON)


def adjustment_problems(points: object, reason: str | None, valid_months: object = 12) -> list[Problem]:
    problems = []
    if isinstance(points, bool) or not isinstance(points, int) or points == 0 or abs(points) > MAX_POINTS:
        problems.append(Problem(N_("Points are a whole number other than 0, from -%(max)s to %(max)s."),
                                {"max": MAX_POINTS}, "points"))
    if isinstance(valid_months, bool) or not isinstance(valid_months, int) or not 1 <= valid_months <= 120:
        problems.append(Problem(N_("Points stay valid for 1 to 120 months."), {}, "valid_months"))
    return problems + reason_problems(reason)


def training_problems(title: str | None, held_on: object, points: object) -> list[Problem]:
    problems = []
    if not (title or "").strip() or len(title.strip()) > 200:
        problems.append(Problem(N_("Give the training's title (at most 200 characters)."), {}, "title"))
    if not isinstance(held_on, date):
        problems.append(Problem(N_("Give the day the training was held."), {}, "held_on"))
    if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= 1000:
        problems.append(Problem(N_("Points are a whole number from 0 to %(max)s."), {"max": 1000}, "points"))
    return problems


# --- reconciliation --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountFigures:
    id: int
    available: int  # cached
    reserved: int  # cached
    entries_sum: int  # what the entries say available is
    reserved_sum: int  # the amounts of its reservations still reserved


@dataclass(frozen=True)
class LotFigures:
    id: int
    amount: int
    remaining: int  # cached
    award_amount: int | None  # the amount of the entry that opened it
    entries_sum: int  # the entries that took from or gave back to it


@dataclass(frozen=True)
class ReservationFigures:
    id: int
    amount: int
    state: str
    allocated: int  # the sum of its allocations
    reserved_sum: int  # -(its reserve entries)
    voided_sum: int  # its void entries
    posts: int  # how many post entries it has
    released_sum: int = 0  # its release entries (the unused part of a partial post)


@dataclass(frozen=True)
class Discrepancy:
    what: str  # account | lot | reservation
    id: int
    field: str
    expected: int
    actual: int

    def __str__(self) -> str:
        if self.field.endswith("below zero"):
            return f"{self.what} #{self.id}: {self.field} ({self.actual})"
        return f"{self.what} #{self.id}: {self.field} is {self.actual}, the entries say {self.expected}"


def reconcile(accounts: Iterable[AccountFigures], lots: Iterable[LotFigures],
              reservations: Iterable[ReservationFigures]) -> list[Discrepancy]:
    """Every place where a cached figure differs from what the entries say, or is negative."""
    found = []
    for a in accounts:
        if a.available != a.entries_sum:
            found.append(Discrepancy("account", a.id, "available", a.entries_sum, a.available))
        if a.reserved != a.reserved_sum:
            found.append(Discrepancy("account", a.id, "reserved", a.reserved_sum, a.reserved))
        if a.entries_sum < 0:
            found.append(Discrepancy("account", a.id, "available (from entries) below zero", 0, a.entries_sum))
    for lot in lots:
        if lot.award_amount != lot.amount:
            found.append(Discrepancy("lot", lot.id, "amount", lot.award_amount or 0, lot.amount))
        expected = lot.amount + lot.entries_sum
        if lot.remaining != expected:
            found.append(Discrepancy("lot", lot.id, "remaining", expected, lot.remaining))
        if expected < 0:
            found.append(Discrepancy("lot", lot.id, "remaining (from entries) below zero", 0, expected))
    for r in reservations:
        if r.reserved_sum != r.amount:
            found.append(Discrepancy("reservation", r.id, "reserved by entries", r.amount, r.reserved_sum))
        if r.allocated != r.amount:
            found.append(Discrepancy("reservation", r.id, "allocations", r.amount, r.allocated))
        voided = r.amount if r.state == VOIDED else 0
        if r.voided_sum != voided:
            found.append(Discrepancy("reservation", r.id, "voided by entries", voided, r.voided_sum))
        released_ok = 0 <= r.released_sum < r.amount if r.state == POSTED else r.released_sum == 0
        if not released_ok:
            found.append(Discrepancy("reservation", r.id, "released by entries", 0, r.released_sum))
        posts = 1 if r.state == POSTED else 0
        if r.posts != posts:
            found.append(Discrepancy("reservation", r.id, "post entries", posts, r.posts))
    return found


def release_plan(allocations: Iterable[Iterable[int]], unused: int) -> list[tuple[int, int]]:
    """The lots a partial post gives ``unused`` points back to: [(lot id, points)], from the lots taken
    last (the latest-expiring) backwards, so the points spent are the soonest-expiring ones."""
    out = []
    for lot_id, points in reversed([tuple(a) for a in allocations]):
        if unused <= 0:
            break
        part = min(points, unused)
        out.append((lot_id, part))
        unused -= part
    return out
