"""The points ledger's store: every statement that writes entries, lots, reservations and cached balances.

The services (``services/points.py``, ``reservations.py``, ``awards.py``) decide what to write under the
rules of ``eduapp.domain.points``; this module writes it. On the hot paths (an award, the writes of a
reservation, a whole posting) PostgreSQL runs one statement where SQLite runs several; both paths sit
here side by side and branch on :func:`eduapp.stores.is_postgresql` only (``tests/test_store_parity_ledger.py``
runs one scenario through both and compares the rows).

Nothing here commits: every function writes into the session's transaction. A lock taken here lasts until
the caller commits or rolls back. The ledger is append-only, enforced below for the ORM and for statements.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, bindparam, event, func, select, text, update
from sqlalchemy.orm import Session, make_transient_to_detached

from eduapp.domain import points as rules
from eduapp.extensions import db
from eduapp.models import PointsAccount, PointsEntry, PointsLot, PointsReservation, utcnow
from eduapp.models.audit import AppendOnlyViolation
from eduapp.models.base import UTCDateTime
from eduapp.stores import insert_on_conflict, is_postgresql

_ACCOUNTS, _ENTRIES, _LOTS = PointsAccount.__table__, PointsEntry.__table__, PointsLot.__table__
_RESERVATIONS = PointsReservation.__table__
_FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)
_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


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


# --- the statements, built once and run with parameters --------------------------------------------

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


def run(statement, params=None):
    """A Core statement on the session's connection (in its transaction), without the ORM's layer."""
    return db.session.connection().execute(statement, params)


def as_loaded(model, **values):
    """An object for a row just written with these values, put in the session as though it had been
    loaded: no second round trip to read it back."""
    obj = model(**values)
    make_transient_to_detached(obj)
    db.session.add(obj)
    return obj


# --- accounts and lots -----------------------------------------------------------------------------


def lock_account(account_id: int) -> int | None:
    """Lock the account row until the transaction ends (``SELECT … FOR UPDATE``; SQLite serialises
    writers anyway). Returns the id, or None when there is no such account."""
    return run(_LOCK, {"account": account_id}).scalar()


def bump(account_id: int, now: datetime, available: int = 0, reserved: int = 0) -> None:
    """Change the cached balances by what the entries just written say (a relative UPDATE)."""
    run(_BUMP, {"account": account_id, "d_available": available, "d_reserved": reserved, "now": now})


def held_lots(account_id: int) -> list[tuple[int, int, datetime]]:
    """The account's lots that hold points, as (id, remaining, expires_at); read after the lock."""
    return [tuple(row) for row in run(_HELD_LOTS, {"account": account_id})]


def lot_expiries(lot_ids: list[int]) -> dict[int, datetime]:
    return dict(db.session.execute(select(PointsLot.id, PointsLot.expires_at).where(PointsLot.id.in_(lot_ids))).all())


def accounts_with_expired_lots(now: datetime) -> list[int]:
    """The accounts holding points in a lot past its expiry, by id."""
    return sorted(db.session.execute(
        select(PointsLot.account_id).where(PointsLot.remaining > 0, PointsLot.expires_at <= now).distinct()
    ).scalars())


def move_lots(changes: list[tuple[int, int]]) -> None:
    """Add ``delta`` to each lot's remaining points: [(lot id, delta)] (relative UPDATEs)."""
    if changes:
        run(_MOVE_LOT, [{"lot": lot, "delta": delta} for lot, delta in changes])


def account_of(owner_kind: str, owner_id: int, create: bool) -> PointsAccount | None:
    """The owner's account; with ``create``, made on first use (in the caller's transaction)."""
    params = {"kind": owner_kind, "owner": owner_id}
    found = db.session.execute(_ACCOUNT_OF, params).scalar_one_or_none()
    if found is not None or not create:
        return found
    # Two first awards racing: the second insert waits for the first and then does nothing.
    db.session.execute(
        insert_on_conflict(PointsAccount).values(owner_kind=owner_kind, owner_id=owner_id, available=0, reserved=0,
                                                 updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["owner_kind", "owner_id"])
    )
    return db.session.execute(_ACCOUNT_OF, params).scalar_one()


def balance_rows(account_id: int, now: datetime) -> list:
    """(reserved, remaining, expires_at) per unexpired lot holding points; one row with no lot when
    there is none; no row when there is no such account."""
    return run(_BALANCE, {"account": account_id, "now": now}).all()


# --- entries ---------------------------------------------------------------------------------------


def entry(account_id: int, kind: str, amount: int, now: datetime, reason: str, **extra) -> dict:
    """The values of one entry row (all columns, so a list of them inserts as one executemany)."""
    return {"account_id": account_id, "kind": kind, "amount": amount, "created_at": now, "reason": reason,
            "source_key": None, "lot_id": None, "reservation_id": None, "reverses_id": None, "expires_at": None,
            "actor_id": None, **extra}


def add_entries(rows: list[dict]) -> None:
    if rows:
        run(_ADD_ENTRY, rows)


def by_source_key(source_key: str) -> PointsEntry | None:
    return db.session.execute(_BY_SOURCE_KEY, {"key": source_key}).scalar_one_or_none()


def awarded_since(account_id: int, prefix: str, since: datetime, until: datetime | None = None) -> int:
    """What the account was awarded under source keys starting with ``prefix`` in [since, until)."""
    pattern = prefix.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"
    return run(_AWARDED_SINCE, {"account": account_id, "since": since, "until": until or _FAR_FUTURE,
                                "pattern": pattern}).scalar_one()


def open_lot(account_id: int, points: int, kind: str, reason: str, expires_at: datetime, now: datetime,
             source_key: str | None = None, actor_id: int | None = None) -> PointsEntry | None:
    """Write an entry that opens a lot, the lot and the balance; returns the entry, or None when
    ``source_key`` was used already (then nothing is written)."""
    values = entry(account_id, kind, points, now, reason, source_key=source_key, expires_at=expires_at,
                   actor_id=actor_id)
    if is_postgresql():
        entry_id = run(_PG_OPEN_LOT, values).scalar()
        return None if entry_id is None else as_loaded(PointsEntry, id=entry_id, **values)
    statement = insert_on_conflict(PointsEntry).values(**values)
    if source_key is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["source_key"])
    found = db.session.scalars(statement.returning(PointsEntry)).one_or_none()
    if found is not None:
        run(_LOTS.insert().values(account_id=account_id, entry_id=found.id, amount=points, remaining=points,
                                  expires_at=expires_at, created_at=now))
        bump(account_id, now, available=points)
    return found


def autocommit_if_one_statement() -> None:
    """Before a write that is all its transaction holds (the session has begun nothing): where that
    write is one statement (PostgreSQL's :func:`open_lot`), run it in autocommit, without the round
    trips of BEGIN and COMMIT. On SQLite the write is several statements and keeps its transaction."""
    if not db.session().in_transaction() and is_postgresql():
        db.session.connection(execution_options=_AUTOCOMMIT)


# --- reservations ----------------------------------------------------------------------------------


def same_purpose(account_id: int, purpose: str):
    """The account's reservation for ``purpose`` that holds or spent points: (id, amount), or None."""
    return run(_SAME_PURPOSE, {"account": account_id, "purpose": purpose}).first()


def add_reservation(account_id: int, points: int, purpose: str, taken: list[tuple[int, int]], now: datetime
                    ) -> PointsReservation:
    """Write a reservation of ``points`` taken from lots [(lot id, part)]: the reservation, one entry per
    lot, the lots and the balance. The caller holds the account lock and has checked the lots."""
    values = {"account_id": account_id, "amount": points, "state": rules.RESERVED, "purpose": purpose,
              "allocations": [[lot, part] for lot, part in taken], "created_at": now, "settled_at": None}
    reason = rules.REASONS[rules.RESERVE]
    if is_postgresql():
        reservation_id = run(_PG_RESERVE, {
            "account": account_id, "points": points, "allocations": values["allocations"], "purpose": purpose,
            "now": now, "lots": [lot for lot, _ in taken], "parts": [part for _, part in taken],
            "reason": reason}).scalar_one()
    else:
        reservation_id = run(_ADD_RESERVATION, values).scalar_one()
        add_entries([entry(account_id, rules.RESERVE, -part, now, reason, lot_id=lot, reservation_id=reservation_id)
                     for lot, part in taken])
        move_lots([(lot, -part) for lot, part in taken])
        bump(account_id, now, available=-points, reserved=points)
    return as_loaded(PointsReservation, id=reservation_id, **values)


def lock_reservation(reservation_id: int):
    """Lock the reservation and its account (both rows: after a wait, PostgreSQL re-reads the newest
    versions) and read it: (account id, state, amount, allocations), or None when there is none."""
    return run(_LOCK_RESERVATION, {"reservation": reservation_id}).first()


def post_in_one_statement(reservation_id: int, now: datetime) -> bool:
    """PostgreSQL: spend all of a reservation still reserved in one statement (the settled state, the
    post entry, the balance) and say True. False when it was not reserved (posted, voided, none) or on
    SQLite: then the caller locks the reservation and takes the portable path."""
    if not is_postgresql():
        return False
    params = {"reservation": reservation_id, "now": now, "reason": rules.REASONS[rules.POST]}
    return run(_PG_POST, params).scalar() is not None


def settle(reservation_id: int, state: str, now: datetime) -> None:
    run(_SETTLE, {"reservation": reservation_id, "state": state, "now": now})
