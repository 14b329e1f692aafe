"""Races on the ledger, on PostgreSQL (SQLite serialises writers, so it cannot show them).

Twenty reservations racing against one pool leave it never below zero with exactly the right number
succeeding; racing duplicate awards make one entry; racing posts post once. A CONTROL run sends the
same twenty reservations through the same code with the account lock taken out (and a short sleep
between reading the lots and writing, to widen the window) and checks that the checker below finds
the broken invariant: the test can fail.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import PointsAccount, PointsEntry, PointsLot, PointsReservation, User
from eduapp.services import awards, ledger_verify, points, reservations
from eduapp.services.points import InsufficientPoints
from eduapp.stores import ledger as ledger_store
from tests import factories

pytestmark = pytest.mark.postgres

POOL_LOTS = (40, 35, 25)  # 100 points in the pool
EACH = 7  # 20 x 7 = 140 asked for: 14 fit, 6 must be refused
CLIENTS = 20


@pytest.fixture
def world(ctx):
    firm = factories.enterprise("甲企业", 1)
    staff = factories.user("staff-a", firm, Role.ENTERPRISE_STAFF)
    pool = points.pool_account(firm)
    for n, amount in enumerate(POOL_LOTS):
        awards.award(pool, amount, f"seed:{n}", "seed", valid_months=n + 1)
    db.session.commit()
    return {"pool": pool.id, "staff": staff.id, "firm": firm.id}


def race(app, clients: int, work) -> tuple[list, list]:
    """Run ``work(i)`` in ``clients`` threads at once, each in its own app context and session."""
    barrier = threading.Barrier(clients)
    results, errors = [], []

    def run(i):
        with app.app_context():
            try:
                barrier.wait()
                results.append(work(i))
            except Exception as exc:  # collected and judged by the caller
                errors.append(exc)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def invariant_violations(account_id: int, succeeded: int, total: int, each: int) -> list[str]:
    """Everything wrong after ``succeeded`` reservations of ``each`` against ``total`` points: a
    balance or lot below zero, the wrong number of winners, cached figures that differ from the
    entries."""
    db.session.expire_all()
    found = [str(d) for d in ledger_verify.verify(account_id)]
    account = db.session.get(PointsAccount, account_id)
    entries = db.session.execute(
        select(func.coalesce(func.sum(PointsEntry.amount), 0)).where(PointsEntry.account_id == account_id)
    ).scalar_one()
    if account.available < 0 or entries < 0:
        found.append(f"available below zero: cached {account.available}, entries {entries}")
    negative = db.session.execute(
        select(func.count()).select_from(PointsLot).where(PointsLot.account_id == account_id, PointsLot.remaining < 0)
    ).scalar_one()
    if negative:
        found.append(f"{negative} lots below zero")
    if succeeded != total // each:
        found.append(f"{succeeded} reservations succeeded; exactly {total // each} fit")
    held = db.session.execute(
        select(func.coalesce(func.sum(PointsReservation.amount), 0))
        .where(PointsReservation.account_id == account_id, PointsReservation.state == "reserved")
    ).scalar_one()
    if held > total:
        found.append(f"{held} points reserved out of {total}")
    return found


def _reserve_all(app, pool_id):
    return race(app, CLIENTS, lambda i: reservations.reserve(pool_id, EACH, f"offset_application:{i}").id)


def test_twenty_concurrent_reservations_never_overdraw_the_pool(app, world):
    reserved, errors = _reserve_all(app, world["pool"])
    assert all(isinstance(e, InsufficientPoints) for e in errors), errors
    assert len(reserved) == 14 and len(errors) == 6
    assert invariant_violations(world["pool"], len(reserved), sum(POOL_LOTS), EACH) == []
    assert points.balance(world["pool"]) == (2, 98, 0)


def test_control_without_the_lock_is_detected_as_broken(app, world, monkeypatch):
    """The same reservations through the same code, minus the row lock: the checker must see it."""
    locked_read = ledger_store.held_lots

    def unlocked_account(account_id):  # reads the account without FOR UPDATE
        return db.session.execute(select(PointsAccount.id).where(PointsAccount.id == account_id)).scalar_one()

    def slow_lots(account_id):
        lots = locked_read(account_id)
        time.sleep(0.05)  # widen the window between reading the lots and writing
        return lots

    monkeypatch.setattr(ledger_store, "lock_account", unlocked_account)
    monkeypatch.setattr(ledger_store, "held_lots", slow_lots)
    reserved, errors = _reserve_all(app, world["pool"])
    monkeypatch.undo()
    assert not [e for e in errors if not isinstance(e, InsufficientPoints)], errors
    violations = invariant_violations(world["pool"], len(reserved), sum(POOL_LOTS), EACH)
    assert violations, "the unlocked control run passed the checker: the checker cannot detect a race"
    assert len(reserved) > 14  # more reservations got through than the pool holds


def test_concurrent_duplicate_awards_make_one_entry(app, world):
    pool_id = world["pool"]
    results, errors = race(app, 12, lambda i: awards.award(pool_id, 9, "manual:same", "dup").id)
    assert errors == [] and len(set(results)) == 1
    assert db.session.execute(
        select(func.count()).select_from(PointsEntry).where(PointsEntry.source_key == "manual:same")
    ).scalar_one() == 1

    # a first activity award racing: the person's account is created once, one entry each for the
    # person and the pool
    staff_id = world["staff"]

    def train(i):
        entry = awards.award_for_activity(db.session.get(User, staff_id), "training", "training:1:staff", points=5)
        return entry.id

    results, errors = race(app, 12, train)
    assert errors == [] and len(set(results)) == 1
    db.session.expire_all()
    person = points.person_account(staff_id, create=False)
    assert points.balance(person).available == 5
    assert db.session.execute(select(func.count()).select_from(PointsAccount)).scalar_one() == 2
    assert points.balance(pool_id).available == sum(POOL_LOTS) + 9 + 5
    assert ledger_verify.verify() == []


def test_concurrent_posts_and_voids_settle_once(app, world):
    first = reservations.reserve(world["pool"], 30, "offset_application:1").id
    second = reservations.reserve(world["pool"], 30, "offset_application:2").id
    posted, errors = race(app, 8, lambda i: reservations.post(first).state)
    assert errors == [] and set(posted) == {"posted"}
    voided, errors = race(app, 8, lambda i: reservations.void(second).state)
    assert errors == [] and set(voided) == {"voided"}
    kinds = dict(db.session.execute(
        select(PointsEntry.kind, func.count()).where(PointsEntry.reservation_id.in_([first, second]))
        .group_by(PointsEntry.kind)
    ).all())
    assert kinds["post"] == 1
    assert points.balance(world["pool"]) == (70, 0, 0)
    assert ledger_verify.verify() == []


def test_racing_posts_voids_and_reservations_on_one_pool_stay_consistent(app, world):
    """Each of ten reservations is posted and voided at once while new reservations are made: every
    reservation ends one way, the loser of each race is refused, no deadlock, the ledger reconciles."""
    from eduapp.services.points import LedgerError

    pool_id = world["pool"]
    held = [reservations.reserve(pool_id, 5, f"offset_application:{n}").id for n in range(10)]  # 50 of the 100

    def work(i):
        if i < 10:
            return reservations.post(held[i]).state
        if i < 20:
            return reservations.void(held[i - 10]).state
        return reservations.reserve(pool_id, 5, f"offset_application:new-{i}").state

    results, errors = race(app, 25, work)
    assert all(isinstance(e, LedgerError) and e.code in ("reservation_settled", "insufficient_points")
               for e in errors), errors
    db.session.expire_all()
    states = db.session.execute(select(PointsReservation.state).where(PointsReservation.id.in_(held))).scalars()
    assert set(states) <= {"posted", "voided"}
    settled_errors = [e for e in errors if e.code == "reservation_settled"]
    assert len(settled_errors) == 10  # exactly one of each post/void pair lost
    assert ledger_verify.verify() == []
    assert points.balance(pool_id).available >= 0
