"""Exactly one beat: a Redis lock that ``celery beat`` takes when it starts and holds while it runs.

Every periodic job must be sent once (reminder scans, expiry, placings), so only one beat may run,
however many replicas a deployment starts. A beat takes the lock before its scheduler starts; a
second beat (a replica scaled by mistake, or a standby on another host) waits at startup, logging
that it waits, until the lock is free. The holder renews the lock every TTL/3 seconds; if it dies,
the lock expires after TTL seconds and a waiting beat takes over. A beat that cannot renew its lock
(Redis unreachable for longer than the TTL, or the lock already someone else's after a long pause)
stops itself rather than run beside another. Workers are not concerned: they never take the lock.
The lock is redis-py's ``Lock`` (its scripts renew and release only a lock still ours).

Connected in make_celery.py (``guard``); without Redis (tasks in-process) there is no beat.
"""

from __future__ import annotations

import atexit
import logging
import os
import secrets
import signal
import socket
import threading

from redis.exceptions import LockError

logger = logging.getLogger(__name__)

LOCK_KEY = "eduapp:beat-lock"
TTL_SECONDS = 60
WAIT_SECONDS = 5.0


class BeatLock:
    """redis-py's ``Lock`` under a name of ours and a token that says who holds it (host:pid:random).
    Its Lua scripts renew (``reacquire``) and release only a lock whose token is still ours: another
    beat may hold it after ours expired."""

    def __init__(self, client, key: str = LOCK_KEY, ttl: int = TTL_SECONDS, owner: str | None = None):
        self.client, self.key, self.ttl = client, key, ttl
        self.token = owner or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(8)}"
        # thread_local=False: the keeper thread renews the lock the beat's main thread took
        self._lock = client.lock(key, timeout=ttl, thread_local=False)

    def try_acquire(self) -> bool:
        return bool(self._lock.acquire(blocking=False, token=self.token))

    def acquire(self, wait: float = WAIT_SECONDS, give_up_after: float | None = None) -> bool:
        """Block until the lock is ours (or ``give_up_after`` seconds have passed: False)."""
        if self.try_acquire():
            return True
        logger.warning("another beat holds %s (%s): this beat waits and takes over if it stops",
                       self.key, self.holder())
        return bool(self._lock.acquire(sleep=wait, blocking=True, blocking_timeout=give_up_after, token=self.token))

    def renew(self) -> bool:
        """Reset the lock's TTL if it is still ours; False if it is not (expired, or someone else's)."""
        try:
            return bool(self._lock.reacquire())
        except LockError:  # LockNotOwnedError, or never acquired
            return False

    def release(self) -> bool:
        try:
            self._lock.release()
        except LockError:
            return False
        return True

    def holder(self) -> str | None:
        value = self.client.get(self.key)
        return value.decode() if isinstance(value, bytes) else value


def keep(lock: BeatLock, on_lost, stop: threading.Event) -> threading.Thread:
    """Renew ``lock`` every TTL/3 seconds in a daemon thread; call ``on_lost`` once if it cannot."""

    def run():
        while not stop.wait(lock.ttl / 3):
            try:
                if lock.renew():
                    continue
            except Exception:  # Redis unreachable: try again until the lock would have expired
                logger.exception("could not renew the beat lock")
                continue
            logger.error("the beat lock %s is no longer ours: this beat stops", lock.key)
            on_lost()
            return

    thread = threading.Thread(target=run, name="beat-lock", daemon=True)
    thread.start()
    return thread


def guard(redis_url: str | None) -> None:
    """Make every ``celery beat`` of this app take the lock before it schedules anything."""
    if not redis_url:
        return
    from celery.signals import beat_init

    @beat_init.connect(weak=False)
    def _one_beat(**_):
        import redis

        lock = BeatLock(redis.Redis.from_url(redis_url))
        lock.acquire()
        logger.warning("this beat holds %s", lock.key)
        stop = threading.Event()
        keep(lock, lambda: os.kill(os.getpid(), signal.SIGTERM), stop)

        def _release():
            stop.set()
            try:
                lock.release()
            except Exception:  # Redis gone: the lock expires by itself
                logger.exception("could not release the beat lock")

        atexit.register(_release)
