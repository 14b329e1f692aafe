"""The API's rate limit counted in the process and added to Redis in batches (eduapp/api/rate_tally.py),
on a real Redis: what a person may be served, what Redis holds and when, and that Flask-Limiter's own
sliding window reads the same counters."""

import os
import uuid

import pytest
from limits import parse
from limits.storage import RedisStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from eduapp.api import rate_tally
from eduapp.api.rate_tally import FLUSH_SECONDS, Tally, counter_for

REDIS_URL = os.environ.get("EDUAPP_TEST_REDIS_URL")

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not REDIS_URL, reason="runs in the PostgreSQL + Redis pass of `make test` (EDUAPP_TEST_REDIS_URL)"),
]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def storage():
    storage = RedisStorage(REDIS_URL)
    yield storage
    client = storage.get_connection()
    for key in client.scan_iter("LIMITS:LIMITER/test-tally:*"):
        client.delete(key)


@pytest.fixture
def person():
    return f"test-tally:{uuid.uuid4().hex}"


def tally(storage, clock, calls=None):
    script = storage.get_connection().register_script(rate_tally.SCRIPT)

    def counted(**kwargs):
        if calls is not None:
            calls.append(kwargs)
        return script(**kwargs)

    return Tally(counted, clock)


def in_redis(storage, item, person) -> int:
    """What Flask-Limiter's own sliding window counts for the person (its get_window_stats)."""
    return item.amount - SlidingWindowCounterRateLimiter(storage).get_window_stats(item, person, "api-v1").remaining


def test_far_below_the_limit_requests_are_added_to_redis_together_within_a_quarter_second(storage, person):
    clock, calls = Clock(), []
    item = parse("600 per minute")
    counts = tally(storage, clock, calls)
    counter = counter_for(storage, item, person, "api-v1")
    assert all(counts.hit(counter) for _ in range(5))
    assert calls == [] and in_redis(storage, item, person) == 0  # counted here, not yet in Redis
    clock.now += FLUSH_SECONDS
    assert counts.hit(counter)  # the first request after the interval adds all six in one round trip
    assert len(calls) == 1 and in_redis(storage, item, person) == 6


def test_one_process_serves_exactly_the_limit(storage, person):
    # 100 a minute: two requests may wait here, the last quarter is counted in Redis request by request
    clock = Clock()
    item = parse("100 per minute")
    counts = tally(storage, clock)
    counter = counter_for(storage, item, person, "api-v1")
    served = [counts.hit(counter) for _ in range(130)]
    assert served == [True] * 100 + [False] * 30
    assert in_redis(storage, item, person) == 100


def test_processes_serving_one_person_in_turn_serve_the_limit_and_no_more(storage, person):
    # the module's bound: what a process has not yet added to Redis is at most limit // 50 per person; in
    # the last quarter of the limit every request is counted in Redis, so in turn they stop at the limit
    clock = Clock()
    item = parse("1000 per minute")
    processes = [tally(storage, clock) for _ in range(4)]
    counter = counter_for(storage, item, person, "api-v1")
    served = [processes[n % 4].hit(counter) for n in range(1400)]
    assert served[:1000] == [True] * 1000  # never refused below the limit
    assert sum(served) == 1000
    clock.now += FLUSH_SECONDS
    for process in processes:  # each adds what it still holds with its next request (refused: beyond the limit)
        assert not process.hit(counter)
    assert int(storage.get_connection().get(counter.current)) == sum(served)  # every request served, counted


def test_small_limits_are_counted_in_redis_request_by_request(storage, person):
    clock, calls = Clock(), []
    item = parse("99 per minute")  # a batch of 99 // 50 = 1: nothing to gain
    counts = tally(storage, clock, calls)
    counter = counter_for(storage, item, person, "api-v1")
    for n in range(1, 4):
        assert counts.hit(counter)
        assert len(calls) == n and in_redis(storage, item, person) == n


def test_the_script_shifts_and_weighs_the_window_as_flask_limiters_own_does(storage, person):
    # the same state in two keys; one request through limits' acquire_sliding_window.lua, one through ours
    item = parse("600 per minute")
    client = storage.get_connection()
    theirs, ours = f"{person}:theirs", f"{person}:ours"
    for who in (theirs, ours):
        counter = counter_for(storage, item, who, "api-v1")
        client.set(counter.previous, 300, px=20_000)  # a previous window with 20 s left of its count
        client.set(counter.current, 200, px=59_000)  # a current window that ended a second ago
    assert SlidingWindowCounterRateLimiter(storage).hit(item, theirs, "api-v1")
    counts = tally(storage, Clock())
    assert counts.hit(counter_for(storage, item, ours, "api-v1"))
    counts.hit(counter_for(storage, item, ours, "api-v1"))  # within the interval: not yet sent
    counts._clock.now += FLUSH_SECONDS  # noqa: SLF001
    counts.hit(counter_for(storage, item, ours, "api-v1"))  # the three, with the state shifted once
    SlidingWindowCounterRateLimiter(storage).hit(item, theirs, "api-v1")
    SlidingWindowCounterRateLimiter(storage).hit(item, theirs, "api-v1")
    a, b = counter_for(storage, item, theirs, "api-v1"), counter_for(storage, item, ours, "api-v1")
    assert [client.get(a.previous), client.get(a.current)] == [client.get(b.previous), client.get(b.current)]
    assert client.get(b.previous) == b"200" and client.get(b.current) == b"3"  # the current window moved back
    assert abs(client.pttl(a.current) - client.pttl(b.current)) < 1000
    assert in_redis(storage, item, theirs) == in_redis(storage, item, ours)


def test_a_failed_round_trip_leaves_nothing_on_its_way(storage, person):
    clock = Clock()
    item = parse("600 per minute")

    def down(**kwargs):
        raise ConnectionError("Redis is down")

    counts = Tally(down, clock)
    counter = counter_for(storage, item, person, "api-v1")
    assert counts.hit(counter)
    clock.now += FLUSH_SECONDS
    with pytest.raises(ConnectionError):
        counts.hit(counter)
    assert counts._sending == {} and counts._pending == {}  # noqa: SLF001 (not counted twice once Redis is back)


def test_memory_and_cluster_storages_count_every_request_where_they_are(storage):
    # the tally only where it saves a round trip and its one script over many people's keys can run
    from limits.storage import MemoryStorage, RedisClusterStorage
    from limits.strategies import MovingWindowRateLimiter

    from eduapp.api import limits as api_limits

    cluster = object.__new__(RedisClusterStorage)  # not connected: only its kind matters here
    assert api_limits._tally(SlidingWindowCounterRateLimiter(cluster)) is None  # noqa: SLF001
    assert api_limits._tally(SlidingWindowCounterRateLimiter(MemoryStorage())) is None  # noqa: SLF001
    assert api_limits._tally(MovingWindowRateLimiter(storage)) is None  # noqa: SLF001
    assert api_limits._tally(SlidingWindowCounterRateLimiter(storage)) is not None  # noqa: SLF001
