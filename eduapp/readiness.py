"""Readiness: can this instance serve requests now? ``/readyz`` answers 200 when the database and
Redis (when one is configured) answer, else 503 naming what is down, so a load balancer stops sending
traffic here. ``/healthz`` stays the liveness check (the process answers) and never asks Redis.

Redis down is survivable for a while (rate limits fall back to this process's memory, tasks that
cannot be queued wait for the sweep: docs/security.md, item 5), but an instance that has lost it
should leave the pool when another one still has it.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 2  # a check that takes longer counts as down


def _database() -> bool:
    from eduapp.extensions import db

    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("readiness: the database does not answer", exc_info=True)
        return False


def _redis(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS)
    try:
        return bool(client.ping())
    except redis.RedisError:
        log.warning("readiness: Redis does not answer at the configured EDUAPP_REDIS_URL")
        return False
    finally:
        client.close()


def check() -> dict[str, str]:
    """Each part the instance needs -> "ok", "down" or "not_used" (no Redis configured)."""
    checks = {"database": "ok" if _database() else "down"}
    url = current_app.config.get("REDIS_URL")
    checks["redis"] = ("ok" if _redis(url) else "down") if url else "not_used"
    return checks
