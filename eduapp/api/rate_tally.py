"""The API's rate limit counted in the process while a person is far from it, added to Redis in batches.

Counting every API request in Redis costs one round trip each: the client's work, two context switches and
Redis's own script, about a tenth of an answer's autosave on the exam-day floor (issue 19). Yet almost every
request is far below the budget (600 a minute; a candidate autosaves a few times a minute). So a process
counts such a request in its own memory and adds what it counted to Redis's sliding-window counters in one
round trip for every person at once: at least every ``FLUSH_SECONDS`` while it serves requests. Near the
limit, every request is counted in Redis at once, exactly as before:

- a request is counted here only while ``known + pending + 1 <= limit - limit // 4``, where ``known`` is the
  person's count as this process last read it from Redis and ``pending`` is what this process counted
  since (counted here or on its way to Redis); and only while ``pending < limit // 50`` (``BATCH_DIVISOR``);
- otherwise the request waits for a round trip that adds this process's pending counts and then takes one
  more only if the shared count allows it (the same rule as Flask-Limiter's sliding window);
- limits below 100 a window are always counted in Redis at once (a batch would be under two requests).

What this gives up, and its bound: the counts not yet in Redis are at most ``limit // 50`` per person per
process. So across P processes a person can be served at most ``(P - 1) * limit // 50`` requests beyond the
limit in a window (with the default, 12 per other process), and only if the other processes still hold
their counts when the last quarter of the limit has been used; processes serving a person in turn stop at
the limit exactly (tests/test_rate_tally.py). Nobody is refused early. If a process stops, what it had not
added is lost (the same bound).
If Redis goes away, ``eduapp.api.limits`` falls back to counting in memory as before; the pending counts
of the failed round trip are not carried over.

The counters are the ones Flask-Limiter's Redis storage keeps for the sliding-window strategy (the same
keys, the same shift of the window, the same expiry), so its ``get_window_stats`` (``Retry-After`` on a
429, the ``X-RateLimit-*`` headers) and ``reset`` read and clear what is counted here. The script touches
the keys of everyone in the batch, which Redis Cluster would refuse (they lie in different hash slots):
with a cluster storage (``redis+cluster://``) every request is counted in Redis at once (``api/limits.py``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

FLUSH_SECONDS = 0.25  # a serving process adds its pending counts to Redis at least this often
BATCH_DIVISOR = 50  # pending counts per person and process: at most limit // 50
RESERVE_DIVISOR = 4  # within the last quarter of the limit, every request is counted in Redis at once
FORGET_SECONDS = 180.0  # past 4,096 people, counts read this long ago are dropped (memory only: read again)

# KEYS: (previous, current) window keys per counter; ARGV: amount, want (0/1), limit, expiry (s) per counter.
# Per counter, as limits' acquire_sliding_window.lua: shift an expired current window to the previous one,
# weigh the previous window by what is left of it; then add ``amount`` (requests already served) and, if
# ``want``, one more only if that keeps the weighted count within ``limit``. Returns per counter the
# weighted count after and 1 if the wanted request was taken, else 0.
SCRIPT = """
local out = {}
for i = 1, #KEYS / 2 do
    local previous_key, current_key = KEYS[2 * i - 1], KEYS[2 * i]
    local base = (i - 1) * 4
    local amount = tonumber(ARGV[base + 1])
    local want = tonumber(ARGV[base + 2])
    local limit = tonumber(ARGV[base + 3])
    local expiry = tonumber(ARGV[base + 4]) * 1000
    local current_ttl = tonumber(redis.call('pttl', current_key))
    if current_ttl > 0 and current_ttl < expiry then
        redis.call('rename', current_key, previous_key)
        redis.call('set', current_key, 0, 'PX', current_ttl + expiry)
    end
    local previous_count = tonumber(redis.call('get', previous_key)) or 0
    local previous_ttl = tonumber(redis.call('pttl', previous_key)) or 0
    local current_count = tonumber(redis.call('get', current_key)) or 0
    current_ttl = tonumber(redis.call('pttl', current_key)) or 0
    if previous_ttl <= 0 then previous_ttl = 0 end
    if current_ttl <= 0 then current_ttl = 0 end
    local weighted = math.floor(previous_count * previous_ttl / expiry) + current_count
    local add = amount
    local taken = 0
    if want == 1 and weighted + amount + 1 <= limit then
        add = amount + 1
        taken = 1
    end
    if add > 0 then
        if redis.call('exists', current_key) == 1 then
            redis.call('incrby', current_key, add)
        else
            redis.call('set', current_key, add, 'PX', expiry * 2)
        end
    end
    out[#out + 1] = weighted + add
    out[#out + 1] = taken
end
return out
"""


@dataclass(frozen=True, slots=True)
class Counter:
    """One person's sliding-window counter in Redis for one limit."""

    previous: str
    current: str
    limit: int
    expiry: int  # seconds

    @property
    def batch(self) -> int:
        return self.limit // BATCH_DIVISOR

    @property
    def ceiling(self) -> int:
        return self.limit - self.limit // RESERVE_DIVISOR


def counter_for(storage: Any, item: Any, *identifiers: str) -> Counter:
    """The counter Flask-Limiter's Redis storage keeps for ``item`` and ``identifiers`` (its own key names)."""
    key = item.key_for(*identifiers)
    return Counter(storage.prefixed_key(storage._previous_window_key(key)),  # noqa: SLF001 (its key layout)
                   storage.prefixed_key(storage._current_window_key(key)),  # noqa: SLF001
                   item.amount, item.get_expiry())


class Tally:
    """One process's counts not yet in Redis and the shared counts it last read, for one Redis storage."""

    def __init__(self, script: Callable[..., list], clock: Callable[[], float] = time.monotonic) -> None:
        self._script = script
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: dict[Counter, int] = {}  # counted here, not yet sent
        self._sending: dict[Counter, int] = {}  # sent in a round trip that has not answered yet
        self._known: dict[Counter, tuple[int, float]] = {}  # counter -> (weighted count, read at)
        self._flush_at = clock() + FLUSH_SECONDS

    def hit(self, counter: Counter) -> bool:
        """Count one request against ``counter``; False if it is beyond the limit."""
        now = self._clock()
        with self._lock:
            unsent = self._pending.get(counter, 0) + self._sending.get(counter, 0)
            known = self._known.get(counter, (0, now))[0]
            local = counter.batch >= 2 and unsent < counter.batch and known + unsent + 1 <= counter.ceiling
            if local:
                self._pending[counter] = self._pending.get(counter, 0) + 1
                if now < self._flush_at:
                    return True
            batch = self._take(now)
        return self._send(batch, None if local else counter, now) or local

    def _take(self, now: float) -> dict[Counter, int]:
        """Under the lock: the pending counts, handed to one round trip."""
        batch, self._pending = self._pending, {}
        for counter, amount in batch.items():
            self._sending[counter] = self._sending.get(counter, 0) + amount
        self._flush_at = now + FLUSH_SECONDS
        return batch

    def _send(self, batch: dict[Counter, int], wanted: Counter | None, now: float) -> bool:
        """One round trip: add ``batch`` and, with ``wanted``, take one request more if its limit allows."""
        counters = list(batch)
        if wanted is not None and wanted not in batch:
            counters.append(wanted)
        keys: list[str] = []
        args: list[int] = []
        for counter in counters:
            keys += (counter.previous, counter.current)
            args += (batch.get(counter, 0), int(counter == wanted), counter.limit, counter.expiry)
        try:
            reply = self._script(keys=keys, args=args) if counters else []
        except BaseException:
            with self._lock:
                self._unsend(batch)  # lost: counted neither here nor there (the module's bound)
            raise
        taken = False
        with self._lock:
            self._unsend(batch)  # now in the counts read back, in one step with them
            for n, counter in enumerate(counters):
                count = int(reply[2 * n])
                if self._known.get(counter, (0, -1.0))[1] <= now:  # a reply to an older request keeps a newer read
                    self._known[counter] = (count, now)
                taken = taken or (counter == wanted and int(reply[2 * n + 1]) == 1)
            if len(self._known) > 4096:
                self._known = {c: seen for c, seen in self._known.items() if now - seen[1] < FORGET_SECONDS}
        return taken

    def _unsend(self, batch: dict[Counter, int]) -> None:
        for counter, amount in batch.items():
            left = self._sending.pop(counter, 0) - amount
            if left > 0:
                self._sending[counter] = left

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
            self._sending.clear()
            self._known.clear()
