"""Store parity: run one scenario on a fresh SQLite app and on a fresh PostgreSQL app, and dump the rows it left.

The stores (eduapp/stores) hold a PostgreSQL statement and a portable one side by side; a scenario drives the
services through them and the two dumps must be equal row for row. Used by tests/test_store_parity.py (attempts,
reminders) and tests/test_store_parity_ledger.py (the ledger). How to write one::

    from tests.store_parity import assert_same, run_on_both, suite_app_rebound  # noqa: F401 (the fixture)

    pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("suite_app_rebound")]

    def my_scenario() -> dict[str, tuple[str, ...]]:
        ...  # build the world with tests.factories and drive the services (an app context is open,
             # the clock is frozen at PARITY_NOW: pass now= or let utcnow() read the frozen clock)
        return {"points_entries": (), "points_lots": ("some_column",)}  # tables to dump: columns to leave out

    def test_my_aggregate_is_the_same_on_both():
        assert_same(*run_on_both(my_scenario))

Each run builds its schema with the migrations (``flask db upgrade``), in a fresh SQLite file and in a fresh
PostgreSQL schema ``store_parity`` of the PostgreSQL pass's database (EDUAPP_TEST_DATABASE_URL; the suite's own
``public`` schema is not touched). Rows are dumped through the tables' own column types (datetimes aware and
UTC, JSON decoded, booleans as bool), ordered by primary key.

Ids are compared as they are, unless an aggregate's ids may differ between the two databases (PostgreSQL's
sequence spends a number on an insert that ``ON CONFLICT`` drops, SQLite's rowid does not): then compare
``by_rank(rows, references)`` of each side, every ``id`` and every column referring to one replaced by
its rank in its table (tests/test_store_parity_ledger.py).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import create_engine, select, text

from eduapp.config import normalise_database_url
from eduapp.extensions import db, limiter
from tests.conftest import PG_URL, make_test_app

PARITY_NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in China: outside SMS quiet hours
PG_SCHEMA = "store_parity"

Rows = dict[str, list[dict]]
Scenario = Callable[[], dict[str, tuple[str, ...]]]


def _pg_url() -> str:
    """The PostgreSQL pass's database, its connections searching PG_SCHEMA only."""
    url = normalise_database_url(PG_URL)
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{PG_SCHEMA}"


def _fresh_pg_schema() -> None:
    engine = create_engine(normalise_database_url(PG_URL))
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {PG_SCHEMA}"))
    engine.dispose()


def dump(tables: dict[str, tuple[str, ...]]) -> Rows:
    """Every row of ``tables`` (name: columns left out), as dicts, ordered by primary key."""
    out: Rows = {}
    for name, left_out in tables.items():
        table = db.metadata.tables[name]
        columns = [c for c in table.columns if c.name not in left_out]
        assert len(columns) + len(left_out) == len(table.columns), f"{name}: no such column in {left_out}"
        query = select(*columns).order_by(*table.primary_key.columns)
        out[name] = [dict(row._mapping) for row in db.session.execute(query)]
    return out


def ranks(rows: Rows) -> dict[str, dict[int, int]]:
    """Table name -> {id: its rank in the dump, from 1} (the dump is ordered by primary key)."""
    return {name: {row["id"]: n for n, row in enumerate(found, 1)} for name, found in rows.items()
            if found and "id" in found[0]}


def by_rank(rows: Rows, references: dict[str, str]) -> Rows:
    """The rows with each table's ``id`` and each column of ``references`` (column: the table it refers to)
    replaced by its rank (``ranks``), so that two dumps compare whatever numbers the database handed out."""
    rank = ranks(rows)
    out: Rows = {}
    for name, found in rows.items():
        out[name] = []
        for row in found:
            row = dict(row)
            for column, target in {"id": name, **references}.items():
                if row.get(column) is not None:
                    row[column] = rank[target][row[column]]
            out[name].append(row)
    return out


def run_once(scenario: Scenario, database_url: str) -> Rows:
    """The scenario on a new app on ``database_url`` (migrated from empty), at PARITY_NOW, then its dump."""
    from flask_migrate import upgrade

    application = make_test_app(database_url)
    with time_machine.travel(PARITY_NOW, tick=False), application.app_context():
        upgrade()
        try:
            tables = scenario()
            db.session.remove()
            return dump(tables)
        finally:
            db.session.remove()
            db.engine.dispose()


def run_on_both(scenario: Scenario) -> tuple[Rows, Rows]:
    """(SQLite rows, PostgreSQL rows) of ``scenario``, each run on a freshly migrated database."""
    assert PG_URL, "run in the PostgreSQL pass (EDUAPP_TEST_DATABASE_URL): mark the test `postgres`"
    with tempfile.TemporaryDirectory(prefix="eduapp-parity-") as folder:
        sqlite_rows = run_once(scenario, f"sqlite:///{Path(folder) / 'parity.db'}")
    _fresh_pg_schema()
    pg_rows = run_once(scenario, _pg_url())
    return sqlite_rows, pg_rows


def assert_same(sqlite_rows: Rows, pg_rows: Rows) -> None:
    """Equal row for row; the first difference is named (table, row, column) rather than the whole dump."""
    assert sqlite_rows.keys() == pg_rows.keys()
    for name in sqlite_rows:
        lite, pg = sqlite_rows[name], pg_rows[name]
        assert len(lite) == len(pg), f"{name}: {len(lite)} rows on SQLite, {len(pg)} on PostgreSQL"
        for n, (a, b) in enumerate(zip(lite, pg, strict=True)):
            for column in a:
                assert a[column] == b[column], (
                    f"{name} row {n + 1} ({column}): SQLite {a[column]!r} != PostgreSQL {b[column]!r}")
    assert sqlite_rows == pg_rows


@pytest.fixture
def suite_app_rebound(app):
    """The parity apps are built beside the suite's: afterwards the rate limiter and Celery go back to the
    suite's app (as tests/conftest.py's own_app does)."""
    yield
    limiter.init_app(app)
    limiter._storage_dead = False
    celery = app.extensions["celery"]
    celery.set_current()
    celery.set_default()
