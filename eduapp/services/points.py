"""The study points ledger: accounts, what they hold, and the writes the ledger's services share.

The ledger's services are the ONLY writers of points entries, lots, reservations and cached balances:
this module (accounts, balances, the ledger page; taking points from lots and giving them back),
``services/reservations.py`` (reserve, post, void), ``services/awards.py`` (awards, earning rules,
adjustments, reversals, expiry) and ``services/ledger_verify.py`` (reconciliation). Their SQL, with the
PostgreSQL fast paths beside the portable ones, is in ``eduapp/stores/ledger.py``; the rules (FIFO lots,
expiry, caps, reconciliation) are in ``eduapp.domain.points``.

Every write that decides on what an account holds locks the account row first (:func:`lock_account`)
and reads the lots after the lock, so two requests never spend the same points and a balance never goes
below zero; balances and lots change by relative UPDATEs. Awards are idempotent on their source key.

Each public writer owns its transaction and commits, except where ``commit=False`` is passed: then it
writes into the caller's transaction (an exam's submit, a practice answer, an offset application) and
the caller commits. On an error nothing has been written by the call. The helpers here commit nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, inspect, select

from eduapp.domain import points as rules
from eduapp.domain.digits import is_digits
from eduapp.domain.problems import N_
from eduapp.extensions import db
from eduapp.models import Organisation, PointsAccount, PointsEntry, User, utcnow
from eduapp.models.points import ENTERPRISE_POOL, PERSON
from eduapp.stores import ledger as store

Balance = rules.Balance


class LedgerError(Exception):
    """A request the ledger refuses; ``code`` is stable (API), ``msgid`` + ``params`` are for people."""

    def __init__(self, code: str, msgid: str, status: int = 409, **params):
        super().__init__(code)
        self.code, self.msgid, self.status, self.params = code, msgid, status, params


class InsufficientPoints(LedgerError, ValueError):
    def __init__(self, needed: int, available: int):
        super().__init__("insufficient_points",
                         N_("%(needed)s points are needed but only %(available)s are available."),
                         409, needed=needed, available=available)
        self.needed, self.available = needed, available


# --- helpers the ledger's services share (they commit nothing) -------------------------------------


def id_of(obj, model) -> int:
    """The id of ``obj`` (a ``model`` instance or an id), without reloading an object a commit expired."""
    if isinstance(obj, model):
        identity = inspect(obj).identity
        return identity[0] if identity else obj.id
    if isinstance(obj, int) and not isinstance(obj, bool):
        return obj
    raise TypeError(f"expected a {model.__name__} or its id, not {obj!r}")


def lock_account(account_id: int) -> int:
    """Lock the account row until the transaction ends: what the account holds is read, and decided
    on, only after this. Returns the id."""
    found = store.lock_account(account_id)
    if found is None:
        raise LedgerError("not_found", N_("There is no such points account."), 404)
    return found


def take(account_id: int, amount: int, kind: str, reason: str, now: datetime, **extra) -> list[tuple[int, int]]:
    """Spend ``amount`` of the account's available points, soonest-expiring lots first; one entry per
    lot. The caller holds the account lock."""
    plan = rules.allocate(store.held_lots(account_id), amount, now)
    if not plan.ok:
        raise InsufficientPoints(amount, amount - plan.shortfall)
    take_from(account_id, list(plan.taken), -amount, kind, reason, now, **extra)
    return list(plan.taken)


def take_from(account_id: int, taken: list[tuple[int, int]], available: int, kind: str, reason: str,
              now: datetime, **extra) -> None:
    """Write the taking of these parts of lots [(lot id, points)], changing ``available`` by ``available``."""
    store.add_entries([store.entry(account_id, kind, -part, now, reason, lot_id=lot, **extra) for lot, part in taken])
    store.move_lots([(lot, -part) for lot, part in taken])
    store.bump(account_id, now, available=available)


def give_back(account_id: int, parts: list[tuple[int, int]], kind: str, reason: str, now: datetime,
              reserved: int = 0, **extra) -> int:
    """Return points to the lots they came from: [(lot id, points)]. The points of a lot that has
    expired meanwhile expire at once. Returns what became available again."""
    expiries = store.lot_expiries([lot for lot, _ in parts])
    rows, moves, back = [], [], 0
    for lot, points, expired in rules.void_plan(parts, expiries, now):
        rows.append(store.entry(account_id, kind, points, now, reason, lot_id=lot, **extra))
        if expired:
            rows.append(store.entry(account_id, rules.EXPIRE, -points, now, rules.EXPIRED_ON_RETURN, lot_id=lot))
        else:
            moves.append((lot, points))
            back += points
    store.add_entries(rows)
    store.move_lots(moves)
    store.bump(account_id, now, available=back, reserved=reserved)
    return back


# --- accounts --------------------------------------------------------------------------------------


def person_account(user: User | int, create: bool = True) -> PointsAccount | None:
    """A person's account (created on first use, in the caller's transaction; nothing is committed)."""
    return store.account_of(PERSON, id_of(user, User), create)


def pool_account(enterprise: Organisation | int, create: bool = True) -> PointsAccount | None:
    """An enterprise's pool (created on first use, in the caller's transaction; nothing is committed)."""
    org = enterprise if isinstance(enterprise, Organisation) else db.session.get(Organisation, enterprise)
    if org is None or not org.is_enterprise:
        raise LedgerError("not_an_enterprise", N_("Only an enterprise has a points pool."), 404)
    return store.account_of(ENTERPRISE_POOL, org.id, create)


def get_account(account_id: int) -> PointsAccount | None:
    return db.session.get(PointsAccount, account_id)


def owner_of(account: PointsAccount) -> User | Organisation | None:
    return db.session.get(User if account.owner_kind == PERSON else Organisation, account.owner_id)


# --- reading ---------------------------------------------------------------------------------------


def balance(account: PointsAccount | int | None, now: datetime | None = None) -> Balance:
    """(available, reserved, expiring_30d). Available counts unexpired lots only, also before the
    nightly expiry has run; no account yet is all zeros."""
    if account is None:
        return Balance(0, 0, 0)
    now = now or utcnow()
    rows = store.balance_rows(id_of(account, PointsAccount), now)
    if not rows:
        raise LedgerError("not_found", N_("There is no such points account."), 404)
    return rules.balance([(r.remaining, r.expires_at) for r in rows if r.remaining is not None], rows[0].reserved, now)


def lots_of(account: PointsAccount | int | None, now: datetime | None = None) -> list[tuple[int, datetime]]:
    """The usable lots as (remaining, expires_at), soonest-expiring first: what the eligibility
    engine counts. A lot is usable through the day (in China) of its ``expires_at``."""
    if account is None:
        return []
    account_id = id_of(account, PointsAccount)
    return [(remaining, expires) for _, remaining, expires in rules.usable_lots(store.held_lots(account_id),
                                                                                now or utcnow())]


@dataclass(frozen=True)
class LedgerPage:
    items: list[PointsEntry]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def ledger(account: PointsAccount | int | None, page: int = 1, per_page: int = 20) -> LedgerPage:
    """The account's entries, newest first."""
    page, per_page = max(page, 1), min(max(per_page, 1), 100)
    if account is None:
        return LedgerPage([], 0, page, per_page)
    account_id = id_of(account, PointsAccount)
    total = db.session.execute(
        select(func.count()).select_from(PointsEntry).where(PointsEntry.account_id == account_id)
    ).scalar_one()
    items = db.session.execute(
        select(PointsEntry).where(PointsEntry.account_id == account_id)
        .order_by(PointsEntry.created_at.desc(), PointsEntry.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).scalars().all()
    return LedgerPage(list(items), total, page, per_page)


def contributors(entries: list[PointsEntry]) -> dict[int, str]:
    """For pool entries: {entry id: the name of the staff member whose study earned it}."""
    who = {}
    for entry in entries:
        key = entry.source_key or ""
        if key.startswith(rules.POOL_PREFIX):
            user_id = key[len(rules.POOL_PREFIX):].split(":", 1)[0]
            if is_digits(user_id):
                who[entry.id] = int(user_id)
    names = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(set(who.values())))).all())
    return {entry_id: names.get(user_id, "") for entry_id, user_id in who.items()}


def by_source_key(source_key: str) -> PointsEntry | None:
    return store.by_source_key(source_key)


def get_entry(entry_id: int) -> PointsEntry | None:
    return db.session.get(PointsEntry, entry_id)


REVERSIBLE = (rules.AWARD, rules.ADJUST)  # the kinds of entry an administrator may reverse


def reversal_of(entry: PointsEntry) -> list[PointsEntry]:
    """The entries that reversed ``entry`` (none when it stands)."""
    return list(db.session.execute(
        select(PointsEntry).where(PointsEntry.reverses_id == entry.id).order_by(PointsEntry.id)
    ).scalars())


def reversed_ids(entry_ids: list[int]) -> set[int]:
    """Which of these entries have been reversed already."""
    if not entry_ids:
        return set()
    return set(db.session.execute(
        select(PointsEntry.reverses_id).where(PointsEntry.reverses_id.in_(entry_ids))
    ).scalars())
