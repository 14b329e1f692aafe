"""The study points ledger: the ONLY writer of points entries, lots, reservations and cached balances.

Every write that decides on what an account holds locks the account row first (``SELECT … FOR
UPDATE`` on PostgreSQL; SQLite serialises writers anyway) and reads the lots after the lock, so two
requests never spend the same points and a balance never goes below zero; balances and lots change
by relative UPDATEs. Awards are idempotent on their source key: the entry is inserted with ``ON
CONFLICT (source_key) DO NOTHING``, so a repeated or racing award finds the first one and writes
nothing. The rules themselves (FIFO lots, expiry, caps, reconciliation) are in
``eduapp.domain.points``.

On the hot paths (an award, the writes of a reservation, a posting) PostgreSQL runs one statement
where SQLite runs several; both suites run the tests of this module. An award that is all its
transaction holds (``commit=True`` on a session with nothing begun) runs that statement in
autocommit: one round trip instead of BEGIN, the statement and COMMIT.

Each function owns its transaction and commits, except where ``commit=False`` is passed: then it
writes into the caller's transaction (an exam's submit, a practice answer, an offset application)
and the caller commits. On an error nothing has been written by the call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import JSON, bindparam, event, func, inspect, select, text, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from eduapp.domain import points as rules
from eduapp.domain.digits import is_digits
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.extensions import db
from eduapp.models import (
    Attempt,
    EarningRule,
    Exam,
    Organisation,
    PointsAccount,
    PointsEntry,
    PointsLot,
    PointsReservation,
    User,
    utcnow,
)
from eduapp.models.audit import AppendOnlyViolation
from eduapp.models.base import UTCDateTime
from eduapp.models.points import ENTERPRISE_POOL, PERSON
from eduapp.services import audit

Balance = rules.Balance
_ACCOUNTS, _ENTRIES, _LOTS = PointsAccount.__table__, PointsEntry.__table__, PointsLot.__table__
_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


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


# --- the ledger is append-only ----------------------------------------------------------------------


@event.listens_for(Session, "before_flush")
def _refuse_entry_changes(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, PointsEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyViolation("points entries are append-only: write a reversing entry")


@event.listens_for(Session, "do_orm_execute")
def _refuse_entry_statements(state) -> None:
    if state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) == PointsEntry.__tablename__:
            raise AppendOnlyViolation("points entries are append-only: write a reversing entry")


# --- helpers ---------------------------------------------------------------------------------------


def _now(now: datetime | None) -> datetime:
    return now or utcnow()


def _id(obj, model) -> int:
    if isinstance(obj, model):
        identity = inspect(obj).identity  # no reload of an object expired by a commit
        return identity[0] if identity else obj.id
    if isinstance(obj, int) and not isinstance(obj, bool):
        return obj
    raise TypeError(f"expected a {model.__name__} or its id, not {obj!r}")


def _postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _insert(model):
    """INSERT with ON CONFLICT support for the database in use."""
    if _postgres():
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)


def _run(statement, params=None):
    """A Core statement on the session's connection (in its transaction), without the ORM's layer."""
    return db.session.connection().execute(statement, params)


# The statements of the hot paths, built once and run with parameters.
_RESERVATIONS = PointsReservation.__table__
_LOCK = select(_ACCOUNTS.c.id).where(_ACCOUNTS.c.id == bindparam("account")).with_for_update()
_BUMP = update(_ACCOUNTS).where(_ACCOUNTS.c.id == bindparam("account")).values(
    available=_ACCOUNTS.c.available + bindparam("d_available"), reserved=_ACCOUNTS.c.reserved + bindparam("d_reserved"),
    updated_at=bindparam("now"))
_HELD_LOTS = select(_LOTS.c.id, _LOTS.c.remaining, _LOTS.c.expires_at).where(
    _LOTS.c.account_id == bindparam("account"), _LOTS.c.remaining > 0)
_MOVE_LOT = update(_LOTS).where(_LOTS.c.id == bindparam("lot")).values(
    remaining=_LOTS.c.remaining + bindparam("delta"))
_ADD_ENTRY = _ENTRIES.insert()
_SAME_PURPOSE = select(_RESERVATIONS.c.id, _RESERVATIONS.c.amount).where(
    _RESERVATIONS.c.account_id == bindparam("account"), _RESERVATIONS.c.purpose == bindparam("purpose"),
    _RESERVATIONS.c.state.in_((rules.RESERVED, rules.POSTED)))
_ADD_RESERVATION = _RESERVATIONS.insert().returning(_RESERVATIONS.c.id)
_LOCK_RESERVATION = (
    select(_ACCOUNTS.c.id, _RESERVATIONS.c.state, _RESERVATIONS.c.amount, _RESERVATIONS.c.allocations)
    .join_from(_RESERVATIONS, _ACCOUNTS, _ACCOUNTS.c.id == _RESERVATIONS.c.account_id)
    .where(_RESERVATIONS.c.id == bindparam("reservation")).with_for_update()
)
_BALANCE = (
    select(_ACCOUNTS.c.reserved, _LOTS.c.remaining, _LOTS.c.expires_at)
    .select_from(_ACCOUNTS.outerjoin(_LOTS, (_LOTS.c.account_id == _ACCOUNTS.c.id) & (_LOTS.c.remaining > 0)
                                     & (_LOTS.c.expires_at > bindparam("now"))))
    .where(_ACCOUNTS.c.id == bindparam("account"))
)
_BY_SOURCE_KEY = select(PointsEntry).where(PointsEntry.source_key == bindparam("key"))
_ACCOUNT_OF = select(PointsAccount).where(PointsAccount.owner_kind == bindparam("kind"),
                                          PointsAccount.owner_id == bindparam("owner"))
_AWARDED_SINCE = select(func.coalesce(func.sum(_ENTRIES.c.amount), 0)).where(
    _ENTRIES.c.account_id == bindparam("account"), _ENTRIES.c.kind == rules.AWARD,
    _ENTRIES.c.created_at >= bindparam("since"), _ENTRIES.c.created_at < bindparam("until"),
    _ENTRIES.c.source_key.like(bindparam("pattern"), escape="/"))
_SETTLE = update(_RESERVATIONS).where(_RESERVATIONS.c.id == bindparam("reservation")).values(
    state=bindparam("state"), settled_at=bindparam("now"))


def _as_loaded(model, **values):
    """An object for a row just written with these values, put in the session as though it had been
    loaded: no second round trip to read it back."""
    obj = model(**values)
    make_transient_to_detached(obj)
    db.session.add(obj)
    return obj


# PostgreSQL runs the writes of a reservation, and a posting, as one statement each (fewer round
# trips on the hot path); SQLite runs the same writes one by one.
_PG_RESERVE = text("""
WITH reservation AS (
    INSERT INTO points_reservations (account_id, amount, state, allocations, purpose, created_at)
    VALUES (:account, :points, 'reserved', :allocations, :purpose, :now) RETURNING id
), taken AS (
    SELECT * FROM unnest(CAST(:lots AS INTEGER[]), CAST(:parts AS INTEGER[])) AS t(lot, part)
), entries AS (
    INSERT INTO points_entries (account_id, kind, amount, lot_id, reservation_id, reason, created_at)
    SELECT :account, 'reserve', -taken.part, taken.lot, reservation.id, :reason, :now FROM reservation, taken
), lots AS (
    UPDATE points_lots SET remaining = points_lots.remaining - taken.part FROM taken WHERE points_lots.id = taken.lot
), balance AS (
    UPDATE points_accounts SET available = available - :points, reserved = reserved + :points, updated_at = :now
    WHERE id = :account
)
SELECT id FROM reservation
""").bindparams(bindparam("allocations", type_=JSON), bindparam("now", type_=UTCDateTime()))
# A conditional UPDATE: of two racing posts, the second waits for the row and then finds it settled.
_PG_POST = text("""
WITH settled AS (
    UPDATE points_reservations SET state = 'posted', settled_at = :now
    WHERE id = :reservation AND state = 'reserved' RETURNING id, account_id, amount
), entry AS (
    INSERT INTO points_entries (account_id, kind, amount, reservation_id, reason, created_at)
    SELECT account_id, 'post', 0, id, :reason, :now FROM settled
), balance AS (
    UPDATE points_accounts SET reserved = points_accounts.reserved - settled.amount, updated_at = :now
    FROM settled WHERE points_accounts.id = settled.account_id
)
SELECT id FROM settled
""").bindparams(bindparam("now", type_=UTCDateTime()))


def _lock_account(account_id: int) -> int:
    """Lock the account row until the transaction ends: what the account holds is read, and decided
    on, only after this. Returns the id."""
    found = _run(_LOCK, {"account": account_id}).scalar()
    if found is None:
        raise LedgerError("not_found", N_("There is no such points account."), 404)
    return found


def _bump(account_id: int, now: datetime, available: int = 0, reserved: int = 0) -> None:
    """Change the cached balances by what the entries just written say (a relative UPDATE)."""
    _run(_BUMP, {"account": account_id, "d_available": available, "d_reserved": reserved, "now": now})


def _lots(account_id: int) -> list[tuple[int, int, datetime]]:
    """The account's lots that hold points, as (id, remaining, expires_at); read after the lock."""
    return [tuple(row) for row in _run(_HELD_LOTS, {"account": account_id})]


def _add_entries(rows: list[dict]) -> None:
    if rows:
        _run(_ADD_ENTRY, rows)


def _move_lots(changes: list[tuple[int, int]]) -> None:
    """Add ``delta`` to each lot's remaining points: [(lot id, delta)] (relative UPDATEs)."""
    if changes:
        _run(_MOVE_LOT, [{"lot": lot, "delta": delta} for lot, delta in changes])


def _entry(account_id: int, kind: str, amount: int, now: datetime, reason: str, **extra) -> dict:
    return {"account_id": account_id, "kind": kind, "amount": amount, "created_at": now, "reason": reason,
            "source_key": None, "lot_id": None, "reservation_id": None, "reverses_id": None, "expires_at": None,
            "actor_id": None, **extra}


def _take(account_id: int, amount: int, kind: str, reason: str, now: datetime, **extra) -> list[tuple[int, int]]:
    """Spend ``amount`` of the account's available points, soonest-expiring lots first; one entry per lot."""
    plan = rules.allocate(_lots(account_id), amount, now)
    if not plan.ok:
        raise InsufficientPoints(amount, amount - plan.shortfall)
    _add_entries([_entry(account_id, kind, -part, now, reason, lot_id=lot, **extra) for lot, part in plan.taken])
    _move_lots([(lot, -part) for lot, part in plan.taken])
    _bump(account_id, now, available=-amount)
    return list(plan.taken)


def _give_back(account_id: int, parts: list[tuple[int, int]], kind: str, reason: str, now: datetime,
               reserved: int = 0, **extra) -> int:
    """Return points to the lots they came from: [(lot id, points)]. The points of a lot that has
    expired meanwhile expire at once. Returns what became available again."""
    expiries = dict(db.session.execute(
        select(PointsLot.id, PointsLot.expires_at).where(PointsLot.id.in_([lot for lot, _ in parts]))
    ).all())
    rows, moves, back = [], [], 0
    for lot, points, expired in rules.void_plan(parts, expiries, now):
        rows.append(_entry(account_id, kind, points, now, reason, lot_id=lot, **extra))
        if expired:
            rows.append(_entry(account_id, rules.EXPIRE, -points, now, rules.EXPIRED_ON_RETURN, lot_id=lot))
        else:
            moves.append((lot, points))
            back += points
    _add_entries(rows)
    _move_lots(moves)
    _bump(account_id, now, available=back, reserved=reserved)
    return back


_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}
# PostgreSQL writes an entry that opens a lot as one statement: the entry, then its lot and the balance
# only if the entry was written (ON CONFLICT on the source key writes nothing; an entry without a key
# never conflicts).
_PG_OPEN_LOT = text("""
WITH entry AS (
    INSERT INTO points_entries (account_id, kind, amount, source_key, expires_at, reason, actor_id, created_at)
    VALUES (:account_id, :kind, :amount, :source_key, :expires_at, :reason, :actor_id, :created_at)
    ON CONFLICT (source_key) DO NOTHING
    RETURNING id, account_id, amount, expires_at, created_at
), lot AS (
    INSERT INTO points_lots (account_id, entry_id, amount, remaining, expires_at, created_at)
    SELECT account_id, id, amount, amount, expires_at, created_at FROM entry
), balance AS (
    UPDATE points_accounts SET available = points_accounts.available + entry.amount, updated_at = entry.created_at
    FROM entry WHERE points_accounts.id = entry.account_id
)
SELECT id FROM entry
""").bindparams(bindparam("expires_at", type_=UTCDateTime()), bindparam("created_at", type_=UTCDateTime()))


def _open_lot(account_id: int, points: int, kind: str, reason: str, expires_at: datetime, now: datetime,
              source_key: str | None = None, actor_id: int | None = None) -> PointsEntry | None:
    """Write an entry that opens a lot, the lot and the balance; returns the entry, or None when
    ``source_key`` was used already (then nothing is written). The caller holds the account lock,
    or (an award) decides nothing on what the account holds: the relative UPDATE locks the row."""
    values = _entry(account_id, kind, points, now, reason, source_key=source_key, expires_at=expires_at,
                    actor_id=actor_id)
    if _postgres():
        entry_id = _run(_PG_OPEN_LOT, values).scalar()
        return None if entry_id is None else _as_loaded(PointsEntry, id=entry_id, **values)
    entry = _insert(PointsEntry).values(**values)
    if source_key is not None:
        entry = entry.on_conflict_do_nothing(index_elements=["source_key"])
    found = db.session.scalars(entry.returning(PointsEntry)).one_or_none()
    if found is not None:
        _run(_LOTS.insert().values(account_id=account_id, entry_id=found.id, amount=points, remaining=points,
                                   expires_at=expires_at, created_at=now))
        _bump(account_id, now, available=points)
    return found


def by_source_key(source_key: str) -> PointsEntry | None:
    return db.session.execute(_BY_SOURCE_KEY, {"key": source_key}).scalar_one_or_none()


# --- accounts --------------------------------------------------------------------------------------


def _account_of(owner_kind: str, owner_id: int, create: bool) -> PointsAccount | None:
    params = {"kind": owner_kind, "owner": owner_id}
    found = db.session.execute(_ACCOUNT_OF, params).scalar_one_or_none()
    if found is not None or not create:
        return found
    # Two first awards racing: the second insert waits for the first and then does nothing.
    db.session.execute(
        _insert(PointsAccount).values(owner_kind=owner_kind, owner_id=owner_id, available=0, reserved=0,
                                      updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["owner_kind", "owner_id"])
    )
    return db.session.execute(_ACCOUNT_OF, params).scalar_one()


def person_account(user: User | int, create: bool = True) -> PointsAccount | None:
    """A person's account (created on first use, in the caller's transaction; nothing is committed)."""
    return _account_of(PERSON, _id(user, User), create)


def pool_account(enterprise: Organisation | int, create: bool = True) -> PointsAccount | None:
    """An enterprise's pool (created on first use, in the caller's transaction; nothing is committed)."""
    org = enterprise if isinstance(enterprise, Organisation) else db.session.get(Organisation, enterprise)
    if org is None or not org.is_enterprise:
        raise LedgerError("not_an_enterprise", N_("Only an enterprise has a points pool."), 404)
    return _account_of(ENTERPRISE_POOL, org.id, create)


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
    now = _now(now)
    rows = _run(_BALANCE, {"account": _id(account, PointsAccount), "now": now}).all()
    if not rows:
        raise LedgerError("not_found", N_("There is no such points account."), 404)
    return rules.balance([(r.remaining, r.expires_at) for r in rows if r.remaining is not None], rows[0].reserved, now)


def lots_of(account: PointsAccount | int | None, now: datetime | None = None) -> list[tuple[int, datetime]]:
    """The usable lots as (remaining, expires_at), soonest-expiring first: what the eligibility
    engine counts. A lot is usable through the day (in China) of its ``expires_at``."""
    if account is None:
        return []
    account_id = _id(account, PointsAccount)
    return [(remaining, expires) for _, remaining, expires in rules.usable_lots(_lots(account_id), _now(now))]


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
    account_id = _id(account, PointsAccount)
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


# --- awards ----------------------------------------------------------------------------------------


def award(account: PointsAccount | int, points: int, source_key: str, reason: str, valid_months: int = 12, *,
          expires_at: datetime | None = None, actor: User | None = None, now: datetime | None = None,
          commit: bool = True) -> PointsEntry:
    """Credit ``points`` as a new lot. A second award with the same ``source_key`` writes nothing and
    returns the first entry (also when both race)."""
    rules.check_amount(points)
    if not source_key or len(source_key) > 120:
        raise ValueError("an award needs a source key of at most 120 characters")
    now = _now(now)
    expires_at = expires_at or rules.expiry_for(now, valid_months)
    if rules.is_expired(expires_at, now):
        raise ValueError("an award cannot expire before it is made")
    # No lock first: an award decides nothing on what the account holds, and its relative UPDATE of
    # the balance takes the row lock (after the entry, so a used source key writes nothing at all).
    account_id, actor_id = _id(account, PointsAccount), actor.id if actor is not None else None
    if commit and not db.session().in_transaction() and _postgres():
        # The award is all this transaction holds, and on PostgreSQL it is one statement, which is a
        # transaction by itself: run it in autocommit, without the round trips of BEGIN and COMMIT.
        db.session.connection(execution_options=_AUTOCOMMIT)
    entry = _open_lot(account_id, points, rules.AWARD, reason, expires_at, now, source_key, actor_id)
    if entry is None:
        entry = by_source_key(source_key)
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


def _sum_awards(account_id: int, prefix: str, since: datetime, until: datetime | None = None) -> int:
    """What the account was awarded under source keys starting with ``prefix`` in [since, until)."""
    pattern = prefix.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"
    return _run(_AWARDED_SINCE, {"account": account_id, "since": since, "until": until or _FAR_FUTURE,
                                 "pattern": pattern}).scalar_one()


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
    entry = _award_activity(user, kind, source_key, _now(when), units, points)
    if commit:
        db.session.commit()
    return entry


def _award_activity(user: User, kind: str, source_key: str, when: datetime, units: int,
                    points: int | None) -> PointsEntry | None:
    prefix = rules.SOURCE_PREFIX.get(kind)
    rule = rule_for(kind)
    account_id = _lock_account(person_account(user).id)
    existing = by_source_key(source_key)
    if existing is not None:
        return existing
    earned_today = _sum_awards(account_id, prefix, *rules.day_bounds(rules.china_day(when))) if prefix else 0
    amount = rules.activity_points(rule, units, earned_today, points)
    if amount <= 0:
        return None
    rules.check_amount(amount)
    expires_at = rules.expiry_for(when, rule.valid_months)
    reason = rules.REASONS[kind]
    entry = _open_lot(account_id, amount, rules.AWARD, reason, expires_at, when, source_key)
    if entry is None:  # a racing award of the same key won
        return by_source_key(source_key)
    organisation = user.organisation
    if organisation is not None and organisation.is_enterprise:
        pool_id = _lock_account(pool_account(organisation).id)
        cap = rule_for(rules.POOL_PERSON_CAP)
        pool_key = f"{rules.POOL_PREFIX}{user.id}:"
        given = _sum_awards(pool_id, pool_key, rules.period_start(when, cap.period_days or 1))
        share = rules.pool_share(amount, cap, given)
        if share > 0:
            _open_lot(pool_id, share, rules.AWARD, reason, expires_at, when, f"{pool_key}{source_key}"[:120])
    return entry


# --- reservations ----------------------------------------------------------------------------------


def reserve(account: PointsAccount | int, points: int, purpose: str = "", *, now: datetime | None = None,
            commit: bool = True) -> PointsReservation:
    """Hold ``points`` (soonest-expiring lots first) until post() or void(). InsufficientPoints (a
    ValueError) when the account has too few. With a ``purpose`` already holding or spent points on
    this account, that reservation is returned and nothing more is held."""
    rules.check_amount(points)
    now = _now(now)
    account_id = _lock_account(_id(account, PointsAccount))
    if purpose:
        earlier = _run(_SAME_PURPOSE, {"account": account_id, "purpose": purpose}).first()
        if earlier is not None:
            if earlier.amount != points:
                raise LedgerError("purpose_in_use", N_("Points are already reserved for this purpose."))
            return db.session.get(PointsReservation, earlier.id)
    plan = rules.allocate(_lots(account_id), points, now)
    if not plan.ok:
        raise InsufficientPoints(points, points - plan.shortfall)
    values = {"account_id": account_id, "amount": points, "state": rules.RESERVED, "purpose": purpose[:120],
              "allocations": [[lot, part] for lot, part in plan.taken], "created_at": now, "settled_at": None}
    if _postgres():
        reservation_id = _run(_PG_RESERVE, {
            "account": account_id, "points": points, "allocations": values["allocations"], "purpose": values["purpose"],
            "now": now, "lots": [lot for lot, _ in plan.taken], "parts": [part for _, part in plan.taken],
            "reason": rules.REASONS[rules.RESERVE]}).scalar_one()
    else:
        reservation_id = _run(_ADD_RESERVATION, values).scalar_one()
        _add_entries([_entry(account_id, rules.RESERVE, -part, now, rules.REASONS[rules.RESERVE], lot_id=lot,
                             reservation_id=reservation_id) for lot, part in plan.taken])
        _move_lots([(lot, -part) for lot, part in plan.taken])
        _bump(account_id, now, available=-points, reserved=points)
    reservation = _as_loaded(PointsReservation, id=reservation_id, **values)
    if commit:
        db.session.commit()
    return reservation


def _locked_reservation(reservation: PointsReservation | int) -> tuple[int, int, str, int, list]:
    """Lock the reservation and its account (both rows: after a wait, PostgreSQL re-reads the newest
    versions) and read it: (account id, id, state, amount, allocations)."""
    reservation_id = _id(reservation, PointsReservation)
    found = _run(_LOCK_RESERVATION, {"reservation": reservation_id}).first()
    if found is None:
        raise LedgerError("not_found", N_("There is no such reservation."), 404)
    account_id, state, amount, allocations = found
    return account_id, reservation_id, state, amount, allocations


def _settle(reservation_id: int, state: str, now: datetime, commit: bool) -> PointsReservation:
    _run(_SETTLE, {"reservation": reservation_id, "state": state, "now": now})
    return _finish_reservation(reservation_id, commit)


def _finish_reservation(reservation_id: int, commit: bool) -> PointsReservation:
    """The reservation as an object: after a commit the session's copy (it reloads when read), else
    read afresh (the rows were changed without the ORM)."""
    if commit:
        db.session.commit()
        known = db.session.identity_map.get(identity_key(PointsReservation, reservation_id))
        if known is not None:
            return known
    return db.session.get(PointsReservation, reservation_id, populate_existing=True)


def post(reservation: PointsReservation | int, *, points: int | None = None, now: datetime | None = None,
         commit: bool = True) -> PointsReservation:
    """Spend the reserved points (an approved offset). Posting again changes nothing; posting a
    voided reservation is refused. ``points`` (fewer than reserved): spend only these and give the
    rest back to their lots (release entries); more than reserved is refused."""
    now = _now(now)
    if points is not None:
        return _post_part(reservation, points, now, commit)
    if _postgres():
        reservation_id = _id(reservation, PointsReservation)
        params = {"reservation": reservation_id, "now": now, "reason": rules.REASONS[rules.POST]}
        if _run(_PG_POST, params).scalar() is not None:
            return _finish_reservation(reservation_id, commit)
    account_id, reservation_id, state, amount, _ = _locked_reservation(reservation)
    if state == rules.POSTED:
        return _finish_reservation(reservation_id, commit)
    if state != rules.RESERVED:
        raise LedgerError("reservation_settled", N_("This reservation was voided; its points cannot be spent."))
    _add_entries([_entry(account_id, rules.POST, 0, now, rules.REASONS[rules.POST], reservation_id=reservation_id)])
    _bump(account_id, now, reserved=-amount)
    return _settle(reservation_id, rules.POSTED, now, commit)


def _post_part(reservation: PointsReservation | int, points: int, now: datetime, commit: bool) -> PointsReservation:
    account_id, reservation_id, state, amount, allocations = _locked_reservation(reservation)
    if state == rules.POSTED:
        return _finish_reservation(reservation_id, commit)
    if state != rules.RESERVED:
        raise LedgerError("reservation_settled", N_("This reservation was voided; its points cannot be spent."))
    if isinstance(points, bool) or not 0 < points <= amount:
        raise LedgerError("more_than_reserved", N_("Only %(amount)s points are reserved."), amount=amount)
    _add_entries([_entry(account_id, rules.POST, 0, now, rules.REASONS[rules.POST], reservation_id=reservation_id)])
    unused = amount - points
    if unused:
        _give_back(account_id, rules.release_plan(allocations, unused), rules.RELEASE, rules.REASONS[rules.RELEASE],
                   now, reserved=-amount, reservation_id=reservation_id)
    else:
        _bump(account_id, now, reserved=-amount)
    return _settle(reservation_id, rules.POSTED, now, commit)


def void(reservation: PointsReservation | int, *, now: datetime | None = None, commit: bool = True
         ) -> PointsReservation:
    """Give the reserved points back to their lots (rejected, withdrawn, past the deadline); points
    of a lot that expired meanwhile expire at once. Voiding again changes nothing; voiding a posted
    reservation is refused."""
    now = _now(now)
    account_id, reservation_id, state, amount, allocations = _locked_reservation(reservation)
    if state == rules.VOIDED:
        return _finish_reservation(reservation_id, commit)
    if state != rules.RESERVED:
        raise LedgerError("reservation_settled", N_("This reservation was spent; it cannot be voided."))
    _give_back(account_id, [(lot, part) for lot, part in allocations], rules.VOID, rules.REASONS[rules.VOID],
               now, reserved=-amount, reservation_id=reservation_id)
    return _settle(reservation_id, rules.VOIDED, now, commit)


def get_reservation(reservation_id: int) -> PointsReservation | None:
    return db.session.get(PointsReservation, reservation_id)


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
    now = _now(now)
    account_ids = db.session.execute(
        select(PointsLot.account_id).where(PointsLot.remaining > 0, PointsLot.expires_at <= now).distinct()
    ).scalars().all()
    lots = points = 0
    for account_id in sorted(account_ids):
        _lock_account(account_id)
        gone = rules.expired_lots(_lots(account_id), now)
        _add_entries([_entry(account_id, rules.EXPIRE, -left, now, rules.REASONS[rules.EXPIRE], lot_id=lot)
                      for lot, left in gone])
        _move_lots([(lot, -left) for lot, left in gone])
        _bump(account_id, now, available=-sum(left for _, left in gone))
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
    now = _now(now)
    reason = reason.strip()
    account_id = _lock_account(_id(account, PointsAccount))
    first_id = db.session.execute(select(func.coalesce(func.max(PointsEntry.id), 0))).scalar_one()
    if points > 0:
        _open_lot(account_id, points, rules.ADJUST, reason, rules.expiry_for(now, valid_months), now, actor_id=actor.id)
    else:
        try:
            _take(account_id, -points, rules.ADJUST, reason, now, actor_id=actor.id)
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


REVERSIBLE = (rules.AWARD, rules.ADJUST)


def reversal_of(entry: PointsEntry) -> list[PointsEntry]:
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


def get_entry(entry_id: int) -> PointsEntry | None:
    return db.session.get(PointsEntry, entry_id)


def reverse(entry: PointsEntry | int, reason: str, actor: User, *, now: datetime | None = None,
            ip: str | None = None) -> list[PointsEntry]:
    """Undo an award or an adjustment with opposite entries (the ledger is never edited), audited.
    Reversing again changes nothing. Reversing a credit takes its points from its own lot first,
    then from the others soonest-expiring first, and is refused when they are no longer there."""
    problems = rules.reason_problems(reason)
    if problems:
        raise InputError(problems)
    entry_id = _id(entry, PointsEntry)
    original = db.session.get(PointsEntry, entry_id)
    if original is None:
        raise LedgerError("not_found", N_("There is no such ledger entry."), 404)
    if original.kind not in REVERSIBLE:
        raise LedgerError("not_reversible", N_("Only awards and adjustments can be reversed."))
    now = _now(now)
    reason = reason.strip()
    account_id = _lock_account(original.account_id)
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
            others = [lot for lot in _lots(account_id) if own is None or lot[0] != own.id]
            plan = rules.allocate(others, rest, now)
            if not plan.ok:
                raise LedgerError("insufficient_points",
                                  N_("These points have been spent or reserved; the account has too few left to "
                                     "reverse them. Void reservations first, or adjust instead."))
            taken += plan.taken
        _add_entries([_entry(account_id, rules.REVERSE, -part, now, reason, lot_id=lot, **extra)
                      for lot, part in taken])
        _move_lots([(lot, -part) for lot, part in taken])
        _bump(account_id, now, available=-original.amount)
    else:
        _give_back(account_id, [(original.lot_id, -original.amount)], rules.REVERSE, reason, now, **extra)
    done = reversal_of(original)
    audit.record("points.reverse", actor=actor, obj_type="points_entry", obj_id=original.id, ip=ip,
                 summary={**_owner_summary(account_id), "amount": original.amount, "reason": reason,
                          "entries": [e.id for e in done]})
    db.session.commit()
    return done


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


# --- competitions (trainings are in services/trainings.py) --------------------------------------


def closed_competitions(now: datetime | None = None, limit: int = 20) -> list[Exam]:
    return list(db.session.execute(
        select(Exam).where(Exam.is_competition.is_(True), Exam.close_at < _now(now))
        .order_by(Exam.close_at.desc()).limit(limit)
    ).scalars())


def award_competition_placings(actor: User | None, exam_id: int, now: datetime | None = None,
                               ip: str | None = None) -> int:
    """Award the placing points of a closed competition (ranks 1-3; ties share a rank). Safe to run
    again: each placing is awarded once. Returns how many people were awarded now."""
    from eduapp.services import exam_stats

    now = _now(now)
    exam = db.session.get(Exam, exam_id)
    if exam is None or not exam.is_competition:
        raise LedgerError("not_found", N_("There is no such competition."), 404)
    if exam.close_at >= now:
        raise LedgerError("not_closed", N_("Placing points are awarded after the competition closes."))
    board = exam_stats.leaderboard(exam, limit=100)
    awarded = []
    for placing in board.entries:
        kind = rules.competition_kind(placing.rank)
        if kind is None:
            continue
        key = f"competition:{exam.id}:{placing.user_id}"
        if by_source_key(key) is None:
            user = db.session.get(User, placing.user_id)
            if award_for_activity(user, kind, key, now, commit=False) is not None:
                awarded.append(placing.user_id)
    if awarded:
        audit.record("points.competition", actor=actor, obj_type="exam", obj_id=exam.id, ip=ip,
                     summary={"awarded": awarded})
    db.session.commit()
    return len(awarded)


def award_due_competitions(now: datetime | None = None, within_days: int = 7) -> dict[int, int]:
    """The periodic task: award the placings of every competition that closed in the last
    ``within_days`` days once none of its attempts is still running (overdue ones are finished
    first). Idempotent, so it simply runs again; returns {competition id: people awarded now}."""
    from datetime import timedelta

    from eduapp.services import attempts

    now = _now(now)
    attempts.finalise_overdue(now)
    running = select(Attempt.id).where(Attempt.exam_id == Exam.id, Attempt.state == "in_progress").exists()
    due = db.session.execute(
        select(Exam.id).where(Exam.is_competition.is_(True), Exam.status == "published", Exam.close_at < now,
                              Exam.close_at >= now - timedelta(days=within_days), ~running)
    ).scalars().all()
    return {exam_id: award_competition_placings(None, exam_id, now) for exam_id in due}


# --- verification ----------------------------------------------------------------------------------


def verify(account_id: int | None = None) -> list[rules.Discrepancy]:
    """Compare every cached balance, lot and reservation with what the entries say (``eduapp
    points verify``); an empty list means they agree."""

    def scoped(query, column):
        return query if account_id is None else query.where(column == account_id)

    E = PointsEntry  # noqa: N806
    sums = dict(db.session.execute(scoped(select(E.account_id, func.sum(E.amount)).group_by(E.account_id),
                                          E.account_id)).all())
    held = dict(db.session.execute(scoped(
        select(PointsReservation.account_id, func.sum(PointsReservation.amount))
        .where(PointsReservation.state == rules.RESERVED).group_by(PointsReservation.account_id),
        PointsReservation.account_id)).all())
    accounts = [rules.AccountFigures(a.id, a.available, a.reserved, sums.get(a.id, 0) or 0, held.get(a.id, 0) or 0)
                for a in db.session.execute(scoped(select(PointsAccount), PointsAccount.id)
                                            .execution_options(populate_existing=True)).scalars()]
    by_lot = dict(db.session.execute(scoped(select(E.lot_id, func.sum(E.amount)).where(E.lot_id.is_not(None))
                                            .group_by(E.lot_id), E.account_id)).all())
    lots = [rules.LotFigures(lot_id, amount, remaining, award, by_lot.get(lot_id, 0) or 0)
            for lot_id, amount, remaining, award in db.session.execute(scoped(
                select(PointsLot.id, PointsLot.amount, PointsLot.remaining, E.amount)
                .outerjoin(E, E.id == PointsLot.entry_id), PointsLot.account_id))]
    per_reservation: dict[int, dict[str, int]] = {}
    for reservation_id, kind, total, count in db.session.execute(scoped(
            select(E.reservation_id, E.kind, func.sum(E.amount), func.count())
            .where(E.reservation_id.is_not(None)).group_by(E.reservation_id, E.kind), E.account_id)):
        per_reservation.setdefault(reservation_id, {})[kind] = total if kind != rules.POST else count
    reservations = []
    for r in db.session.execute(scoped(select(PointsReservation), PointsReservation.account_id)).scalars():
        seen = per_reservation.get(r.id, {})
        reservations.append(rules.ReservationFigures(
            r.id, r.amount, r.state, sum(part for _, part in r.allocations), -seen.get(rules.RESERVE, 0),
            seen.get(rules.VOID, 0), seen.get(rules.POST, 0), seen.get(rules.RELEASE, 0)))
    return rules.reconcile(accounts, lots, reservations)
