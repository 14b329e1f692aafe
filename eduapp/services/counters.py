"""Counters kept in the rate limiter's storage (Redis when configured), for sign-in failures and the
one-use marks of captchas. While that storage is unreachable they go on in this process's memory,
with a logged warning, as the rate limits themselves do (EDUAPP_REDIS_URL down must not stop
sign-in, nor open it)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from limits.storage import MemoryStorage

from eduapp.extensions import limiter

log = logging.getLogger(__name__)
_fallback = MemoryStorage()


def counted(operation: Callable):
    """Run ``operation`` on the limiter's storage, or on this process's memory while it is unreachable."""
    try:
        return operation(limiter.storage)
    except Exception as error:  # noqa: BLE001 - any storage failure (Redis down): count in memory instead
        log.warning("counters: the rate limiter's storage is unreachable (%s); counting in this process's memory",
                    type(error).__name__)
        return operation(_fallback)
