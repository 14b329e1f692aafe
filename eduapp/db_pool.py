"""Pessimistic disconnect handling on PostgreSQL that pings only a connection that has been idle.

SQLAlchemy's ``pool_pre_ping`` sends ``SELECT 1`` before every checkout: a whole round trip, and as
much server CPU as a small statement, on paths that run one statement per checkout (an award, an
autosaved answer). Here a connection is pinged when it is taken out of the pool only if it has sat
there ``DB_PING_AFTER_IDLE_SECONDS`` (1 s by default) or longer: one that was in use a moment ago
cannot have been dropped by an idle timeout, and a server restart in that moment would as well have
come just after a ping. A connection that fails its ping is discarded and the pool connects anew
(SQLAlchemy retries a checkout that raises DisconnectionError), so a restarted database costs no
request an error.
"""

from __future__ import annotations

import time

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

IDLE_SINCE = "eduapp_idle_since"


def ping_idle_connections(engine: Engine, idle_seconds: float) -> None:
    dialect = engine.dialect

    @event.listens_for(engine, "connect")
    def _connected(dbapi_connection, record):
        record.info[IDLE_SINCE] = time.monotonic()  # just opened: nothing to check

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, record):
        if dbapi_connection is not None:
            record.info[IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy):
        idle_since = record.info.get(IDLE_SINCE)
        if idle_since is not None and time.monotonic() - idle_since < idle_seconds:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(f"the database connection failed its ping: {error}") from error
        if alive is False:
            raise DisconnectionError("the database connection failed its ping")
