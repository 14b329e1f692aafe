"""The ledger's reconciliation (``eduapp points verify``): every cached balance, lot and reservation
compared with what the entries say, under the rules of ``eduapp.domain.points`` (``reconcile``)."""

from __future__ import annotations

from sqlalchemy import func, select

from eduapp.domain import points as rules
from eduapp.extensions import db
from eduapp.models import PointsAccount, PointsEntry, PointsLot, PointsReservation


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
