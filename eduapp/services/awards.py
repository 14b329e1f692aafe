"""Points coming in and going out by rule or by hand: awards (an activity under the earning rules, or a
set number of points), the earning rules themselves, an administrator's adjustments and reversals, and the
nightly expiry.

An award is idempotent on its source key (the entry is written with ``ON CONFLICT (source_key) DO
NOTHING``, so a repeated or racing award finds the first one and writes nothing). An award that is all its
transaction holds (``commit=True`` on a session with nothing begun) runs, on PostgreSQL, as one statement
in autocommit. The SQL is in ``eduapp/stores/ledger.py``; the rules in ``eduapp.domain.points``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from eduapp.domain import points as rules
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.extensions import db
from eduapp.models import EarningRule, PointsAccount, PointsEntry, PointsLot, User, utcnow
from eduapp.services import audit
from eduapp.services.points import (
    REVERSIBLE,
    InsufficientPoints,
    LedgerError,
    give_back,
    id_of,
    lock_account,
    person_account,
    pool_account,
    reversal_of,
    take,
    take_from,
)
from eduapp.stores import ledger as store

# --- awards ----------------------------------------------------------------------------------------


def award(account: PointsAccount | int, points: int, source_key: str, reason: str, valid_months: int = 12, *,
          expires_at: datetime | None = None, actor: User | None = None, now: datetime | None = None,
          commit: bool = True) -> PointsEntry:
    """Credit ``points`` as a new lot. A second award with the same ``source_key`` writes nothing and
    returns the first entry (also when both race)."""
    rules.check_amount(points)
    if not source_key or len(source_key) > 120:
        raise ValueError("an award needs a source key of at most 120 characters")
    now = now or utcnow()
    expires_at = expires_at or rules.expiry_for(now, valid_months)
    if rules.is_expired(expires_at, now):
        raise ValueError("an award cannot expire before it is made")
    # No lock first: an award decides nothing on what the account holds, and its relative UPDATE of
    # the balance takes the row lock (after the entry, so a used source key writes nothing at all).
    account_id, actor_id = id_of(account, PointsAccount), actor.id if actor is not None else None
    if commit:
        store.autocommit_if_one_statement()
    entry = store.open_lot(account_id, points, rules.AWARD, reason, expires_at, now, source_key, actor_id)
    if entry is None:
        entry = store.by_source_key(source_key)
    if commit:
        db.session.commit()
    return entry


def rule_for(kind: str) -> rules.Rule:
    row = db.session.get(EarningRule, kind)
    if row is None:
        return rules.DEFAULT_RULES[kind]
    return rules.Rule(row.kind, row.points, row.daily_cap, row.period_days, row.valid_months)


def rules_table() -> dict[str, rules.Rule]:
    return {kind: rule_for(kind) for kind in rules.RULE_KINDS}


def award_for_activity(user: User, kind: str, source_key: str, when: datetime | None = None, *, units: int = 1,
                       points: int | None = None, commit: bool = True) -> PointsEntry | None:
    """Award what ``kind`` earns under the earning rules (``points`` when the activity sets its own:
    an exam, a training). Enterprise staff and contacts also add it to their enterprise's pool, up
    to the per-person cap for the period; civil servants' points stay personal. Returns the
    person's entry (the existing one for a repeated source key), or None when nothing is earned."""
    if kind not in rules.ACTIVITIES:
        raise ValueError(f"unknown activity {kind!r}")
    prefix = rules.SOURCE_PREFIX.get(kind)
    if prefix and not source_key.startswith(prefix):
        raise ValueError(f"the source key of {kind} starts with {prefix!r}")
    entry = _award_activity(user, kind, source_key, when or utcnow(), units, points)
    if commit:
        db.session.commit()
    return entry


def _award_activity(user: User, kind: str, source_key: str, when: datetime, units: int,
                    points: int | None) -> PointsEntry | None:
    prefix = rules.SOURCE_PREFIX.get(kind)
    rule = rule_for(kind)
    account_id = lock_account(person_account(user).id)
    existing = store.by_source_key(source_key)
    if existing is not None:
        return existing
    earned_today = store.awarded_since(account_id, prefix, *rules.day_bounds(rules.china_day(when))) if prefix else 0
    amount = rules.activity_points(rule, units, earned_today, points)
    if amount <= 0:
        return None
    rules.check_amount(amount)
    expires_at = rules.expiry_for(when, rule.valid_months)
    reason = rules.REASONS[kind]
    entry = store.open_lot(account_id, amount, rules.AWARD, reason, expires_at, when, source_key)
    if entry is None:  # a racing award of the same key won
        return store.by_source_key(source_key)
    organisation = user.organisation
    if organisation is not None and organisation.is_enterprise:
        pool_id = lock_account(pool_account(organisation).id)
        cap = rule_for(rules.POOL_PERSON_CAP)
        pool_key = f"{rules.POOL_PREFIX}{user.id}:"
        given = store.awarded_since(pool_id, pool_key, rules.period_start(when, cap.period_days or 1))
        share = rules.pool_share(amount, cap, given)
        if share > 0:
            store.open_lot(pool_id, share, rules.AWARD, reason, expires_at, when, f"{pool_key}{source_key}"[:120])
    return entry


def save_rules(actor: User, values: dict[str, dict[str, int | None]], ip: str | None = None) -> None:
    """Save the earning rules an administrator entered (all or nothing), audited."""
    problems = rules.rule_problems(values)
    if problems:
        raise InputError(problems)
    now = utcnow()
    before = {kind: vars(rule) for kind, rule in rules_table().items()}
    for kind, row in values.items():
        if kind not in rules.RULE_KINDS:
            continue
        rule = db.session.get(EarningRule, kind) or EarningRule(kind=kind)
        rule.points = row["points"]
        rule.daily_cap = row.get("daily_cap") if kind in rules.DAILY_CAPPED else None
        rule.period_days = row.get("period_days") if kind == rules.POOL_PERSON_CAP else None
        rule.valid_months = row.get("valid_months") or 12
        rule.updated_at, rule.updated_by_id = now, actor.id
        db.session.add(rule)
    db.session.flush()
    after = {kind: vars(rule) for kind, rule in rules_table().items()}
    changed = {kind: audit.changes(before[kind], after[kind]) for kind in after if before[kind] != after[kind]}
    if changed:
        audit.record("points.rules", actor=actor, obj_type="earning_rules", ip=ip, summary=changed)
    db.session.commit()


# --- expiry ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiryRun:
    accounts: int
    lots: int
    points: int


def expire(now: datetime | None = None) -> ExpiryRun:
    """Write off what is left of every lot past its expiry (the nightly task); one transaction per
    account, so a run that stops half-way is simply continued by the next. Running it twice writes
    nothing the second time."""
    now = now or utcnow()
    account_ids = store.accounts_with_expired_lots(now)
    lots = points = 0
    for account_id in account_ids:
        lock_account(account_id)
        gone = rules.expired_lots(store.held_lots(account_id), now)
        store.add_entries([store.entry(account_id, rules.EXPIRE, -left, now, rules.REASONS[rules.EXPIRE], lot_id=lot)
                           for lot, left in gone])
        store.move_lots([(lot, -left) for lot, left in gone])
        store.bump(account_id, now, available=-sum(left for _, left in gone))
        db.session.commit()
        lots += len(gone)
        points += sum(left for _, left in gone)
    return ExpiryRun(len(account_ids), lots, points)


# --- administrators --------------------------------------------------------------------------------


def _owner_summary(account_id: int) -> dict:
    owner_kind, owner_id = db.session.execute(
        select(PointsAccount.owner_kind, PointsAccount.owner_id).where(PointsAccount.id == account_id)).one()
    return {"account": account_id, "owner_kind": owner_kind, "owner_id": owner_id}


def adjust(account: PointsAccount | int, points: int, reason: str, actor: User, *, valid_months: int = 12,
           now: datetime | None = None, ip: str | None = None) -> list[PointsEntry]:
    """An administrator's adjustment, with a mandatory reason, audited. Positive: a new lot valid for
    ``valid_months``; negative: taken from the lots soonest-expiring first (never below zero)."""
    problems = rules.adjustment_problems(points, reason, valid_months)
    if problems:
        raise InputError(problems)
    now = now or utcnow()
    reason = reason.strip()
    account_id = lock_account(id_of(account, PointsAccount))
    first_id = db.session.execute(select(func.coalesce(func.max(PointsEntry.id), 0))).scalar_one()
    if points > 0:
        store.open_lot(account_id, points, rules.ADJUST, reason, rules.expiry_for(now, valid_months), now,
                       actor_id=actor.id)
    else:
        try:
            take(account_id, -points, rules.ADJUST, reason, now, actor_id=actor.id)
        except InsufficientPoints as short:
            raise InputError([Problem(N_("The account has only %(available)s points available."),
                                      {"available": short.available}, "points")])
    entries = db.session.execute(
        select(PointsEntry).where(PointsEntry.account_id == account_id, PointsEntry.id > first_id,
                                  PointsEntry.kind == rules.ADJUST).order_by(PointsEntry.id)
    ).scalars().all()
    audit.record("points.adjust", actor=actor, obj_type="points_account", obj_id=account_id, ip=ip,
                 summary={**_owner_summary(account_id), "points": points, "reason": reason,
                          "entries": [e.id for e in entries]})
    db.session.commit()
    return list(entries)


def reverse(entry: PointsEntry | int, reason: str, actor: User, *, now: datetime | None = None,
            ip: str | None = None) -> list[PointsEntry]:
    """Undo an award or an adjustment with opposite entries (the ledger is never edited), audited.
    Reversing again changes nothing. Reversing a credit takes its points from its own lot first,
    then from the others soonest-expiring first, and is refused when they are no longer there."""
    problems = rules.reason_problems(reason)
    if problems:
        raise InputError(problems)
    entry_id = id_of(entry, PointsEntry)
    original = db.session.get(PointsEntry, entry_id)
    if original is None:
        raise LedgerError("not_found", N_("There is no such ledger entry."), 404)
    if original.kind not in REVERSIBLE:
        raise LedgerError("not_reversible", N_("Only awards and adjustments can be reversed."))
    now = now or utcnow()
    reason = reason.strip()
    account_id = lock_account(original.account_id)
    done = reversal_of(original)
    if done:
        return done
    extra = {"reverses_id": original.id, "actor_id": actor.id}
    if original.amount > 0:
        own = db.session.execute(
            select(PointsLot.id, PointsLot.remaining).where(PointsLot.entry_id == original.id)
        ).first()
        from_own = min(own.remaining, original.amount) if own is not None else 0
        taken = [(own.id, from_own)] if from_own else []
        rest = original.amount - from_own
        if rest:
            others = [lot for lot in store.held_lots(account_id) if own is None or lot[0] != own.id]
            plan = rules.allocate(others, rest, now)
            if not plan.ok:
                raise LedgerError("insufficient_points",
                                  N_("These points have been spent or reserved; the account has too few left to "
                                     "reverse them. Void reservations first, or adjust instead."))
            taken += plan.taken
        take_from(account_id, taken, -original.amount, rules.REVERSE, reason, now, **extra)
    else:
        give_back(account_id, [(original.lot_id, -original.amount)], rules.REVERSE, reason, now, **extra)
    done = reversal_of(original)
    audit.record("points.reverse", actor=actor, obj_type="points_entry", obj_id=original.id, ip=ip,
                 summary={**_owner_summary(account_id), "amount": original.amount, "reason": reason,
                          "entries": [e.id for e in done]})
    db.session.commit()
    return done
