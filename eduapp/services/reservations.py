"""Reservations of study points: hold points for a purpose (an offset application), then spend them
(post, all or part: the rest is released back to its lots) or give them back (void).

The writes are in ``eduapp/stores/ledger.py`` (on PostgreSQL a reservation and a whole posting are one
statement each); the rules in ``eduapp.domain.points``. Each function owns its transaction and commits,
unless ``commit=False``: then it writes into the caller's transaction and the caller commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm.util import identity_key

from eduapp.domain import points as rules
from eduapp.domain.problems import N_
from eduapp.extensions import db
from eduapp.models import PointsAccount, PointsReservation, utcnow
from eduapp.services.points import InsufficientPoints, LedgerError, give_back, id_of, lock_account
from eduapp.stores import ledger as store


def reserve(account: PointsAccount | int, points: int, purpose: str = "", *, now: datetime | None = None,
            commit: bool = True) -> PointsReservation:
    """Hold ``points`` (soonest-expiring lots first) until post() or void(). InsufficientPoints (a
    ValueError) when the account has too few. With a ``purpose`` already holding or spent points on
    this account, that reservation is returned and nothing more is held."""
    rules.check_amount(points)
    now = now or utcnow()
    account_id = lock_account(id_of(account, PointsAccount))
    if purpose:
        earlier = store.same_purpose(account_id, purpose)
        if earlier is not None:
            if earlier.amount != points:
                raise LedgerError("purpose_in_use", N_("Points are already reserved for this purpose."))
            return db.session.get(PointsReservation, earlier.id)
    plan = rules.allocate(store.held_lots(account_id), points, now)
    if not plan.ok:
        raise InsufficientPoints(points, points - plan.shortfall)
    reservation = store.add_reservation(account_id, points, purpose[:120], list(plan.taken), now)
    if commit:
        db.session.commit()
    return reservation


def get(reservation_id: int) -> PointsReservation | None:
    return db.session.get(PointsReservation, reservation_id)


def _locked(reservation: PointsReservation | int) -> tuple[int, int, str, int, list]:
    """Lock the reservation and its account and read it: (account id, id, state, amount, allocations)."""
    reservation_id = id_of(reservation, PointsReservation)
    found = store.lock_reservation(reservation_id)
    if found is None:
        raise LedgerError("not_found", N_("There is no such reservation."), 404)
    account_id, state, amount, allocations = found
    return account_id, reservation_id, state, amount, allocations


def _settle(reservation_id: int, state: str, now: datetime, commit: bool) -> PointsReservation:
    store.settle(reservation_id, state, now)
    return _finish(reservation_id, commit)


def _finish(reservation_id: int, commit: bool) -> PointsReservation:
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
    now = now or utcnow()
    if points is not None:
        return _post_part(reservation, points, now, commit)
    reservation_id = id_of(reservation, PointsReservation)
    if store.post_in_one_statement(reservation_id, now):
        return _finish(reservation_id, commit)
    account_id, reservation_id, state, amount, _ = _locked(reservation_id)
    if state == rules.POSTED:
        return _finish(reservation_id, commit)
    if state != rules.RESERVED:
        raise LedgerError("reservation_settled", N_("This reservation was voided; its points cannot be spent."))
    store.add_entries([store.entry(account_id, rules.POST, 0, now, rules.REASONS[rules.POST],
                                   reservation_id=reservation_id)])
    store.bump(account_id, now, reserved=-amount)
    return _settle(reservation_id, rules.POSTED, now, commit)


def _post_part(reservation: PointsReservation | int, points: int, now: datetime, commit: bool) -> PointsReservation:
    account_id, reservation_id, state, amount, allocations = _locked(reservation)
    if state == rules.POSTED:
        return _finish(reservation_id, commit)
    if state != rules.RESERVED:
        raise LedgerError("reservation_settled", N_("This reservation was voided; its points cannot be spent."))
    if isinstance(points, bool) or not 0 < points <= amount:
        raise LedgerError("more_than_reserved", N_("Only %(amount)s points are reserved."), amount=amount)
    store.add_entries([store.entry(account_id, rules.POST, 0, now, rules.REASONS[rules.POST],
                                   reservation_id=reservation_id)])
    unused = amount - points
    if unused:
        give_back(account_id, rules.release_plan(allocations, unused), rules.RELEASE, rules.REASONS[rules.RELEASE],
                  now, reserved=-amount, reservation_id=reservation_id)
    else:
        store.bump(account_id, now, reserved=-amount)
    return _settle(reservation_id, rules.POSTED, now, commit)


def void(reservation: PointsReservation | int, *, now: datetime | None = None, commit: bool = True
         ) -> PointsReservation:
    """Give the reserved points back to their lots (rejected, withdrawn, past the deadline); points
    of a lot that expired meanwhile expire at once. Voiding again changes nothing; voiding a posted
    reservation is refused."""
    now = now or utcnow()
    account_id, reservation_id, state, amount, allocations = _locked(reservation)
    if state == rules.VOIDED:
        return _finish(reservation_id, commit)
    if state != rules.RESERVED:
        raise LedgerError("reservation_settled", N_("This reservation was spent; it cannot be voided."))
    give_back(account_id, [(lot, part) for lot, part in allocations], rules.VOID, rules.REASONS[rules.VOID],
              now, reserved=-amount, reservation_id=reservation_id)
    return _settle(reservation_id, rules.VOIDED, now, commit)
