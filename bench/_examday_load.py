"""The exam-day benchmark's candidates: asyncio + aiohttp clients that do what the exam page does
(eduapp/static/js/exam.js) through the JSON API, and the closed-loop floor measurement.

Each candidate: signs in for a bearer token at its time in the staggered login phase, lists its exams,
starts the attempt at its time in the first START_WINDOW seconds after the exam opens, answers every
question (some twice: a changed mind) with a think time between saves, one save in flight at a time,
each with a sequence number one higher than the item's last; re-reads its attempt every two minutes
(the page's clock resync); some drop their connection in the middle of a save (the request is written
and the socket closed without reading the reply) and go offline for a while, keeping what they answer
meanwhile, then resend it all with the same sequence numbers; most submit in the final minutes, the
others leave it to the deadline (some of them send one more save after it, which must be refused).

Every request's latency and status is recorded per endpoint; every acknowledged save, and every save
sent, is kept for the database check afterwards.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

import aiohttp

API = "/api/v1"
OK = {"login": 201, "exams": 200, "start": 201, "attempt": 200, "autosave": 200, "submit": 200,
      "reference": 200, "floor_autosave": 200, "warmup": 200}
RETRY_DELAY = 2.0  # exam.js waits 2 s, then doubles, before it resends after a network error
RESYNC_SECONDS = 120.0  # exam.js re-reads the attempt every two minutes
GRACE = 30.0  # a candidate gives up this long after the exam closes: the run always ends by itself


@dataclass
class Scenario:
    candidates: int
    login_window: float  # logins spread over the seconds before the exam opens
    start_window: float  # starts spread over the seconds after it opens
    exam_seconds: float  # from opening to closing (the deadline of every attempt)
    submit_window: float  # candidates who submit do so in the last seconds before closing
    answer_end: float  # seconds after opening when the last answers are given
    changed_mind: float = 0.10  # share of questions answered twice
    droppers: float = 0.08  # share of candidates whose connection drops once
    deadline_share: float = 0.12  # share of candidates who never submit (the deadline does)
    late_share: float = 0.4  # of those, the share who send one more save after the deadline
    seed: int = 2026


@dataclass
class Stats:
    """Latencies (ms) and statuses per endpoint, with the time span each endpoint was busy."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    first: dict[str, float] = field(default_factory=dict)
    last: dict[str, float] = field(default_factory=dict)
    transport_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unexpected: list[str] = field(default_factory=list)

    def record(self, endpoint: str, started: float, ended: float, status: int) -> None:
        self.latencies[endpoint].append((ended - started) * 1000)
        self.statuses[endpoint][status] += 1
        self.first.setdefault(endpoint, started)
        self.last[endpoint] = ended

    def unexpected_status(self, endpoint: str, status: int, body: str) -> None:
        if len(self.unexpected) < 20:
            self.unexpected.append(f"{endpoint} {status} {body[:200]}")

    def summary(self) -> dict[str, dict]:
        out = {}
        for endpoint, values in self.latencies.items():
            ordered = sorted(values)
            span = max(self.last[endpoint] - self.first[endpoint], 1e-9)
            out[endpoint] = {
                "count": len(values), "rps": round(len(values) / span, 1),
                "p50_ms": round(percentile(ordered, 50), 1), "p95_ms": round(percentile(ordered, 95), 1),
                "p99_ms": round(percentile(ordered, 99), 1), "max_ms": round(ordered[-1], 1),
                "statuses": dict(sorted(self.statuses[endpoint].items())),
                "transport_errors": self.transport_errors.get(endpoint, 0),
            }
        return out

    def server_errors(self) -> int:
        return sum(n for per in self.statuses.values() for status, n in per.items() if status >= 500)


def percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return 0.0
    rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


@dataclass
class Ledger:
    """What the candidates sent and what the server acknowledged, for the database check."""

    sent: dict[tuple[int, int], object] = field(default_factory=dict)  # (item id, seq) -> response
    acked: dict[int, int] = field(default_factory=dict)  # item id -> highest acknowledged seq
    attempts: dict[str, int] = field(default_factory=dict)  # username -> attempt id
    submitted: dict[int, dict] = field(default_factory=dict)  # attempt id -> the submit's reply
    late_refused: int = 0
    refused_in_time: int = 0  # saves sent before the deadline that the server refused (409): must be 0
    drops: int = 0
    resent: int = 0


class Client:
    """One aiohttp session for every candidate: a new connection per request (force_close), as thousands
    of phones whose keep-alive has lapsed between two answers."""

    def __init__(self, base_url: str, stats: Stats):
        self.base_url = base_url
        self.stats = stats
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self):
        connector = aiohttp.TCPConnector(limit=0, force_close=True)
        self.session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60),
                                             json_serialize=json.dumps)
        return self

    async def __aexit__(self, *exc):
        await self.session.close()

    async def call(self, endpoint: str, method: str, path: str, token: str | None = None, body=None,
                   expect: tuple[int, ...] | None = None):
        """(status, parsed body) or (None, None) after a transport error; records the latency."""
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        started = time.monotonic()
        try:
            async with self.session.request(method, self.base_url + path, json=body, headers=headers) as reply:
                raw = await reply.read()
                status = reply.status
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            self.stats.transport_errors[endpoint] += 1
            self.stats.unexpected_status(endpoint, 0, repr(error))
            return None, None
        self.stats.record(endpoint, started, time.monotonic(), status)
        if status not in (expect or (OK[endpoint],)):
            self.stats.unexpected_status(endpoint, status, raw.decode("utf-8", "replace"))
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None

    async def drop(self, path: str, token: str, body: dict) -> None:
        """Write a whole PUT and close the socket without reading the reply: the phone lost its network."""
        host, port = self.base_url.removeprefix("http://").split(":")
        payload = json.dumps(body).encode()
        request = (f"PUT {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n")
        try:
            _, writer = await asyncio.open_connection(host, int(port))
            writer.write(request.encode() + payload)
            await writer.drain()
            writer.close()
        except OSError:
            pass


# --- answers ----------------------------------------------------------------------------------------


def response_for(item: dict, key: tuple[str, object] | None, right: bool, rng: random.Random):
    """A response the server accepts: the key's when ``right``, otherwise a wrong (or partial) one."""
    qtype = item["qtype"]
    ids = [o["id"] for o in item["options"]]
    if qtype == "single":
        answer = int(key[1][0]) if key else rng.choice(ids)
        return answer if right or len(ids) < 2 else rng.choice([i for i in ids if i != answer])
    if qtype == "true_false":
        answer = bool(key[1]) if key else rng.random() < 0.5
        return answer if right else not answer
    if qtype == "multiple":
        answer = sorted(int(i) for i in key[1]) if key else sorted(rng.sample(ids, 2))
        if right:
            return answer
        wrong = [i for i in ids if i not in answer]
        if len(answer) > 1 and rng.random() < 0.5:
            return sorted(rng.sample(answer, len(answer) - 1))  # some right options, none wrong: half marks
        return sorted({*answer[:1], *(rng.sample(wrong, 1) if wrong else [])})
    blanks = item["blanks"] or 1
    if right and key:
        return [str(alternatives[0]).strip() for alternatives in key[1]]
    return ["不清楚"] * blanks


# --- one candidate ----------------------------------------------------------------------------------


@dataclass
class Run:
    client: Client
    scenario: Scenario
    keys: dict[str, tuple[str, object]]
    ledger: Ledger
    password: str
    t0: float  # loop-independent monotonic time at which the exam opens

    @property
    def over(self) -> bool:
        return time.monotonic() > self.t0 + self.scenario.exam_seconds + GRACE

    async def until(self, moment: float) -> None:
        delay = moment - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


class Candidate:
    def __init__(self, run: Run, index: int, username: str):
        self.run, self.index, self.username = run, index, username
        self.rng = random.Random(run.scenario.seed * 100_003 + index)
        self.token: str | None = None
        self.attempt_id: int | None = None
        self.items: list[dict] = []
        self.seq: dict[int, int] = {}
        self.pending: dict[int, tuple[int, object]] = {}  # item id -> (seq, response) not yet acknowledged
        self.offline_until = 0.0
        self.next_resync = 0.0

    async def play(self) -> None:
        run, s, rng = self.run, self.run.scenario, self.rng
        client = run.client
        await run.until(run.t0 - s.login_window + rng.random() * (s.login_window - 5))
        while self.token is None:
            status, body = await client.call("login", "POST", f"{API}/auth/token",
                                             body={"username": self.username, "password": run.password})
            if status == 201:
                self.token = body["token"]
            else:
                await asyncio.sleep(RETRY_DELAY)
            if run.over:
                return
        status, exams = await client.call("exams", "GET", f"{API}/me/exams", self.token)
        exam_id = next((e["id"] for e in exams or () if e["title"].startswith("exam-day")), None)
        if exam_id is None:
            return

        await run.until(run.t0 + 0.5 + rng.random() * s.start_window)
        while self.attempt_id is None:
            status, attempt = await client.call("start", "POST", f"{API}/exams/{exam_id}/attempts", self.token)
            if status == 201:
                self.attempt_id = attempt["id"]
                self.items = attempt["items"]
            else:
                await asyncio.sleep(RETRY_DELAY)
            if run.over:
                return
        run.ledger.attempts[self.username] = self.attempt_id
        self.next_resync = time.monotonic() + RESYNC_SECONDS

        submits = rng.random() >= s.deadline_share
        answer_end = run.t0 + s.answer_end - rng.random() * 5
        await self.answer_all(answer_end)
        await self.flush(wait=True)
        if submits:
            await run.until(run.t0 + s.exam_seconds - s.submit_window + rng.random() * (s.submit_window - 5))
            while not run.over:
                status, result = await client.call("submit", "POST", f"{API}/attempts/{self.attempt_id}/submit",
                                                   self.token)
                if status == 200:
                    run.ledger.submitted[self.attempt_id] = result
                    break
                await asyncio.sleep(RETRY_DELAY)
        elif rng.random() < s.late_share:
            await run.until(run.t0 + s.exam_seconds + 1 + rng.random() * 3)
            item = rng.choice(self.items)
            seq = self.seq.get(item["id"], 0) + 1
            response = response_for(item, self.run.keys.get(item["stem"]), True, rng)
            status, body = await client.call(
                "late_save", "PUT", f"{API}/attempts/{self.attempt_id}/answers/{item['id']}", self.token,
                {"response": response, "seq": seq}, expect=(409,))
            if status == 409:
                run.ledger.late_refused += 1

    async def answer_all(self, answer_end: float) -> None:
        """Every question once (some twice), at times spread over the window, one save in flight at a time."""
        run, rng = self.run, self.rng
        skill = 0.45 + rng.random() * 0.5
        # Through the paper in order (a first thought for some questions), then back to those.
        changers = {item["id"] for item in self.items if rng.random() < run.scenario.changed_mind}
        ordered = [(item, response_for(item, run.keys.get(item["stem"]), rng.random() < 0.3, rng)
                    if item["id"] in changers else None) for item in self.items]
        ordered += [(item, None) for item in self.items if item["id"] in changers]
        start = time.monotonic() + 1
        span = max(answer_end - start, 1.0)
        moments = sorted(start + rng.random() * span for _ in ordered)
        # A dropped connection comes back 5-20 s later: only early enough to resend before the deadline.
        droppable = sum(1 for moment in moments if moment < answer_end - 20)
        drop_at = rng.randrange(droppable) if droppable and rng.random() < run.scenario.droppers else -1
        for n, ((item, response), moment) in enumerate(zip(ordered, moments, strict=True)):
            await run.until(moment)
            if response is None:
                response = response_for(item, run.keys.get(item["stem"]), rng.random() < skill, rng)
            item_id = item["id"]
            self.seq[item_id] = self.seq.get(item_id, 0) + 1
            self.pending[item_id] = (self.seq[item_id], response)
            run.ledger.sent[(item_id, self.seq[item_id])] = response
            if n == drop_at:
                await run.client.drop(f"{API}/attempts/{self.attempt_id}/answers/{item_id}", self.token,
                                      {"response": response, "seq": self.seq[item_id]})
                run.ledger.drops += 1
                self.offline_until = time.monotonic() + 5 + rng.random() * 15
                continue
            await self.flush()
            if time.monotonic() >= self.next_resync:
                self.next_resync += RESYNC_SECONDS
                await run.client.call("attempt", "GET", f"{API}/attempts/{self.attempt_id}", self.token)

    async def flush(self, wait: bool = False) -> None:
        """Send what is pending, oldest first, as exam.js does; retry after network errors. Offline, it
        sends nothing (or, with ``wait``, waits for the network to come back first)."""
        run = self.run
        if time.monotonic() < self.offline_until:
            if not wait:
                return
            await run.until(self.offline_until)
        resending = self.offline_until > 0
        while self.pending and not run.over:
            item_id = next(iter(self.pending))
            seq, response = self.pending[item_id]
            sent_at = time.monotonic()
            status, body = await run.client.call(
                "autosave", "PUT", f"{API}/attempts/{self.attempt_id}/answers/{item_id}", self.token,
                {"response": response, "seq": seq})
            if status == 200:
                kept = body["saved_seq"]
                run.ledger.acked[item_id] = max(run.ledger.acked.get(item_id, 0), kept)
                if resending:
                    run.ledger.resent += 1
                if self.pending.get(item_id, (0,))[0] <= kept:
                    del self.pending[item_id]
            elif status is None or status >= 500:
                await asyncio.sleep(RETRY_DELAY)
            else:  # refused (4xx): exam.js drops it and says so next to the question
                if status == 409 and sent_at < run.t0 + run.scenario.exam_seconds:
                    run.ledger.refused_in_time += 1  # sent in time, refused as late: what item 2 of issue 19 ends
                del self.pending[item_id]
        self.offline_until = 0.0


async def exam_day(base_url: str, scenario: Scenario, usernames: list[str], keys: dict, password: str,
                   t0: float) -> tuple[Stats, Ledger]:
    stats, ledger = Stats(), Ledger()
    async with Client(base_url, stats) as client:
        run = Run(client, scenario, keys, ledger, password, t0)
        await asyncio.gather(*(Candidate(run, i, name).play() for i, name in enumerate(usernames)))
    return stats, ledger


# --- the floor --------------------------------------------------------------------------------------


async def _closed_loop(client: Client, endpoint: str, jobs, seconds: float) -> tuple[int, float]:
    """Each job sends its next request as soon as the last one answered; (requests answered, elapsed)."""
    stop = time.monotonic() + seconds
    done = 0

    async def loop(job):
        nonlocal done
        while time.monotonic() < stop:
            method, path, token, body = job()
            status, _ = await client.call(endpoint, method, path, token, body)
            if status == OK[endpoint]:
                done += 1

    started = time.monotonic()
    await asyncio.gather(*(loop(job) for job in jobs))
    return done, time.monotonic() - started


async def floor(base_url: str, probes: list[str], password: str, exam_id: int, seconds: float,
                rounds: int = 2, warmup: float = 2.0) -> tuple[Stats, dict]:
    """Throughput at saturation: /bench/reference and the autosave, alternated ``rounds`` times, each
    with one closed-loop client per probe account."""
    stats = Stats()
    async with Client(base_url, stats) as client:
        jobs_ref, jobs_save = [], []

        async def ready(username: str) -> tuple[str, dict]:
            status, body = await client.call("login", "POST", f"{API}/auth/token",
                                        body={"username": username, "password": password})
            if body is None or "token" not in body:
                raise SystemExit(f"floor: sign-in of {username} failed: {status} {stats.unexpected[-1:] }")
            _, attempt = await client.call("start", "POST", f"{API}/exams/{exam_id}/attempts", body["token"])
            return body["token"], attempt

        for n, (token, attempt) in enumerate(await asyncio.gather(*(ready(name) for name in probes))):
            rng = random.Random(n)
            items = [(item["id"], response_for(item, None, True, rng)) for item in attempt["items"]]
            counter = iter(range(1, 10**9))

            def save(token=token, items=items, counter=counter, aid=attempt["id"]):
                seq = next(counter)
                item_id, response = items[seq % len(items)]
                return "PUT", f"{API}/attempts/{aid}/answers/{item_id}", token, {"response": response, "seq": seq}

            def ref(items=items, counter=counter):
                seq = next(counter)
                return "PUT", "/bench/reference", None, {"response": items[seq % len(items)][1], "seq": seq}

            jobs_save.append(save)
            jobs_ref.append(ref)
        # Warm up first (unrecorded): every worker thread's connection, psycopg's prepared statements and
        # the servers' caches, which a cold first round would charge to whichever endpoint runs first.
        for jobs in (jobs_ref, jobs_save):
            await _closed_loop(client, "warmup", jobs, warmup)
        totals = {"reference": [0, 0.0], "floor_autosave": [0, 0.0]}
        for _ in range(rounds):
            for endpoint, jobs in (("reference", jobs_ref), ("floor_autosave", jobs_save)):
                done, elapsed = await _closed_loop(client, endpoint, jobs, seconds)
                totals[endpoint][0] += done
                totals[endpoint][1] += elapsed
    return stats, {endpoint: round(done / elapsed, 1) for endpoint, (done, elapsed) in totals.items()}


def run_loop(coroutine):
    try:
        import uvloop

        return uvloop.run(coroutine)
    except ImportError:
        return asyncio.run(coroutine)
