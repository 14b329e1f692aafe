"""Exactly one beat: the lock a beat takes at startup (eduapp/beat_lock.py), on a real Redis."""

import os
import threading
import time

import pytest

from eduapp.beat_lock import BeatLock, keep

REDIS_URL = os.environ.get("EDUAPP_TEST_REDIS_URL")

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not REDIS_URL, reason="runs in the PostgreSQL + Redis pass of `make test` (EDUAPP_TEST_REDIS_URL)"),
]


@pytest.fixture
def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.delete("test:beat-lock")
    yield client
    client.delete("test:beat-lock")


def test_a_second_beat_waits_until_the_first_stops(redis_client):
    first = BeatLock(redis_client, key="test:beat-lock", ttl=5, owner="beat-1")
    second = BeatLock(redis_client, key="test:beat-lock", ttl=5, owner="beat-2")
    assert first.acquire(give_up_after=1)
    assert not second.acquire(wait=0.1, give_up_after=0.5)  # the lock is taken: the second waits
    assert second.holder() == "beat-1"
    got = []
    waiter = threading.Thread(target=lambda: got.append(second.acquire(wait=0.1, give_up_after=5)))
    waiter.start()
    time.sleep(0.3)
    assert first.release()
    waiter.join()
    assert got == [True] and second.holder() == "beat-2"
    assert not first.release() and not first.renew()  # never touches a lock that is no longer its own


def test_a_dead_beat_s_lock_expires_and_a_live_one_keeps_it(redis_client):
    dead = BeatLock(redis_client, key="test:beat-lock", ttl=1, owner="dead")
    live = BeatLock(redis_client, key="test:beat-lock", ttl=1, owner="live")
    assert dead.try_acquire()
    assert live.acquire(wait=0.2, give_up_after=5)  # nobody renewed it: it expired after a second
    lost, stop = [], threading.Event()
    keep(live, lambda: lost.append(True), stop)
    time.sleep(2.5)  # renewed every third of a second: still ours after more than two TTLs
    assert live.holder() == "live" and not lost
    redis_client.set("test:beat-lock", "someone-else")  # taken over (e.g. after a long pause)
    time.sleep(1)
    stop.set()
    assert lost == [True]
