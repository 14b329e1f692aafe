"""The ledger store's two paths agree: one scenario (awards into a person's account and an enterprise's
pool, a reservation posted in part with the rest released, one posted whole, one voided, an expiry, a
reversal, an adjustment) runs on a fresh SQLite app and on a fresh PostgreSQL app (tests/store_parity.py),
and the four ledger tables are compared row for row, ids by rank. PostgreSQL takes its one-statement fast
paths (``_PG_OPEN_LOT``, ``_PG_RESERVE``, ``_PG_POST`` in ``eduapp/stores/ledger.py``), SQLite the portable
ones."""

from __future__ import annotations

from datetime import timedelta

import pytest

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import User
from eduapp.services import awards, ledger_verify, points, reservations
from tests import factories
from tests.store_parity import (
    PARITY_NOW,
    Rows,
    assert_same,
    by_rank,
    ranks,
    run_on_both,
    suite_app_rebound,  # noqa: F401 (the fixture)
)

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("suite_app_rebound")]

NOW = PARITY_NOW  # 10:00 in China
LATER = NOW + timedelta(days=45)  # past the one-month lot
TABLES = ("points_accounts", "points_lots", "points_entries", "points_reservations")
# Ids differ by database (PostgreSQL's sequence spends a number on an insert that ON CONFLICT drops,
# SQLite's rowid does not): they and the references to them are compared by rank.
REFERENCES = {"account_id": "points_accounts", "entry_id": "points_entries", "lot_id": "points_lots",
              "reservation_id": "points_reservations", "reverses_id": "points_entries"}


def ledger_scenario() -> dict[str, tuple[str, ...]]:
    """Every kind of ledger write, in one fixed order."""
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
    return dict.fromkeys(TABLES, ())


def ledger_by_rank(rows: Rows) -> Rows:
    """``by_rank`` with REFERENCES, and the lots inside an entry's allocations ([lot id, points] pairs)."""
    rank = ranks(rows)
    out = by_rank(rows, REFERENCES)
    for found in out.values():
        for row in found:
            if row.get("allocations") is not None:
                row["allocations"] = [[rank["points_lots"][lot], part] for lot, part in row["allocations"]]
    return out


def test_sqlite_and_postgresql_write_the_same_ledger():
    sqlite_rows, pg_rows = (ledger_by_rank(rows) for rows in run_on_both(ledger_scenario))
    assert {row["kind"] for row in pg_rows["points_entries"]} == {  # the scenario wrote what it says
        "award", "reserve", "post", "release", "void", "expire", "reverse", "adjust"}
    assert_same(sqlite_rows, pg_rows)
