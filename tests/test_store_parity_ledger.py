"""The ledger store's two paths agree: one scenario (awards into a person's account and an enterprise's
pool, a reservation posted in part with the rest released, one posted whole, one voided, an expiry, a
reversal, an adjustment) runs on a fresh SQLite app and on the PostgreSQL app, and the four ledger tables
are compared row for row. PostgreSQL takes its one-statement fast paths (``_PG_OPEN_LOT``,
``_PG_RESERVE``, ``_PG_POST`` in ``eduapp/stores/ledger.py``), SQLite the portable ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask_migrate import upgrade
from sqlalchemy import select

from eduapp.domain.roles import Role
from eduapp.extensions import db, limiter
from eduapp.models import PointsAccount, PointsEntry, PointsLot, PointsReservation, User
from eduapp.services import awards, ledger_verify, points, reservations
from tests import factories
from tests.conftest import make_test_app

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 3, 15, 2, 0, tzinfo=UTC)  # 10:00 in China
LATER = NOW + timedelta(days=45)  # past the one-month lot
TABLES = (PointsAccount, PointsLot, PointsEntry, PointsReservation)


def ledger_scenario() -> None:
    """Every kind of ledger write, in one fixed order, on the app whose context is open."""
    firm = factories.enterprise("甲企业", 1)
    bureau = factories.unit("生态环境局")
    staff = factories.user("staff-a", firm, Role.ENTERPRISE_STAFF)
    admin = factories.user("admin-a", bureau, Role.SYSADMIN)
    staff = db.session.get(User, staff.id)
    awards.award_for_activity(staff, "training", "training:1:staff-a", NOW, points=10)  # person and pool
    pool = points.pool_account(firm)
    person = points.person_account(staff)
    awards.award(pool, 80, "manual:pool:short", "seed", valid_months=1, now=NOW)
    awards.award(pool, 60, "manual:pool:long", "seed", valid_months=12, now=NOW)
    awards.award(pool, 60, "manual:pool:long", "seed again", now=NOW)  # the same key: nothing written
    gift = awards.award(person, 7, "manual:person", "gift", now=NOW)
    partly = reservations.reserve(pool, 30, "offset_application:1", now=NOW)
    reservations.post(partly, points=20, now=NOW)  # 10 released
    whole = reservations.reserve(pool, 25, "offset_application:2", now=NOW)
    reservations.post(whole, now=NOW)
    voided = reservations.reserve(pool, 12, "offset_application:3", now=NOW)
    reservations.void(voided, now=NOW)
    held = reservations.reserve(pool, 5, "offset_application:4", now=NOW)  # stays reserved over the expiry
    awards.expire(LATER)
    reservations.void(held, now=LATER)  # its short lot expired meanwhile: its points expire on return
    awards.reverse(gift.id, "awarded by mistake", admin, now=LATER)
    awards.adjust(person, -3, "correction", admin, now=LATER)
    assert ledger_verify.verify() == []


def ledger_rows() -> dict[str, list[dict]]:
    """The four tables ordered by id, ids renumbered by rank (PostgreSQL's sequence spends a number on an
    insert that ``ON CONFLICT`` drops, SQLite's rowid does not) and the references with them."""
    db.session.expire_all()
    rows = {model.__tablename__: [dict(row._mapping) for row in db.session.execute(
        select(model.__table__).order_by(model.__table__.c.id))] for model in TABLES}
    rank = {table: {row["id"]: n for n, row in enumerate(found, 1)} for table, found in rows.items()}
    refers = {"id": None, "account_id": "points_accounts", "entry_id": "points_entries", "lot_id": "points_lots",
              "reservation_id": "points_reservations", "reverses_id": "points_entries"}
    for table, found in rows.items():
        for row in found:
            for column, target in refers.items():
                if column in row and row[column] is not None:
                    row[column] = rank[target or table][row[column]]
            if "allocations" in row:
                row["allocations"] = [[rank["points_lots"][lot], part] for lot, part in row["allocations"]]
    return rows


def run_scenario(application) -> dict[str, list[dict]]:
    with application.app_context(), time_machine.travel(NOW, tick=False):
        try:
            ledger_scenario()
            return ledger_rows()
        finally:
            db.session.remove()


def test_sqlite_and_postgresql_write_the_same_ledger(app, tmp_path):
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    sqlite_app = make_test_app(f"sqlite:///{tmp_path / 'parity.db'}")
    try:
        with sqlite_app.app_context():
            upgrade()
        on_sqlite = run_scenario(sqlite_app)
    finally:
        limiter.init_app(app)  # the limiter is bound to the last app built: the suite's again
    on_postgresql = run_scenario(app)
    assert [len(on_sqlite[t]) for t in on_sqlite] == [len(on_postgresql[t]) for t in on_postgresql]
    assert {row["kind"] for row in on_postgresql["points_entries"]} == {  # the scenario wrote what it says
        "award", "reserve", "post", "release", "void", "expire", "reverse", "adjust"}
    for table in on_sqlite:
        for left, right in zip(on_sqlite[table], on_postgresql[table], strict=True):
            assert left == right, table
