"""On PostgreSQL the pool pings a connection only after it has been idle (eduapp.db_pool): a
connection the server dropped meanwhile is replaced on checkout, and nobody sees an error."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from eduapp.db_pool import ping_idle_connections

pytestmark = pytest.mark.postgres


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_the_app_pings_idle_connections_and_not_before_every_checkout(app):
    from eduapp.extensions import db

    with app.app_context():
        assert db.engine.pool._pre_ping is False
        assert app.config["DB_PING_AFTER_IDLE_SECONDS"] == 1.0


def test_a_connection_dropped_while_idle_is_replaced_without_an_error(app):
    from eduapp.extensions import db

    with app.app_context():
        url = db.engine.url
    engine = create_engine(url, pool_size=1, max_overflow=0)
    ping_idle_connections(engine, idle_seconds=0.2)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        first = _backend_pid(engine)
        assert _backend_pid(engine) == first  # used again at once: the same connection, not pinged
        with admin.connect() as conn:  # the server (a restart, an idle timeout) drops it while it waits
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first}).scalar_one()
        time.sleep(0.3)
        second = _backend_pid(engine)  # would raise "server closed the connection" without the ping
        assert second != first
    finally:
        engine.dispose()
        admin.dispose()
