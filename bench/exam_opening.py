"""Benchmark: the opening minute of exam day alone, in about two and a half minutes.

bench/exam_day.py runs the whole day (about 20 minutes at 3,000 candidates), and its start and
autosave tails come from the minute after the opening: 3,000 starts within 60 s while those who have
started already answer. This runs that minute alone, on the same servers (gunicorn, PostgreSQL,
Redis, the Celery worker and beats of bench/_examday_servers.py) and the same world, so that a change
can be measured in minutes and measured again:

- every candidate already holds a bearer token (issued directly: there is no sign-in phase);
- the worker draws the papers ahead (``eduapp.exams.prepare_papers``), as on exam day;
- every candidate starts at a random moment in the 60 s after the opening and answers at the pace
  of the full run (its exam open --exam-minutes, default exam_day.EXAM_MINUTES), exactly as
  bench/exam_day.py's candidates do;
- the run is cut --seconds after the opening (default 110: the opening minute and the 50 s after it,
  when every candidate answers).

It prints the table of bench/exam_day.py, the CPU seconds of the web tier, PostgreSQL and itself,
and as its last line a JSON object (``start_p99_ms``, ``autosave_p99_ms``, ``web_cpu_seconds`` …).
Nothing is checked in the database: bench/exam_day.py does that for the whole day.

    python bench/exam_opening.py [--candidates 3000] [--exam-minutes 15] [--seconds 110]
        [--workers 2] [--threads 6] [--database-url …] [--redis-url …]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _examday_checks as checks  # noqa: E402 (bench/ is on the path when run as a script)
import _examday_load as load  # noqa: E402
import _examday_servers as servers  # noqa: E402
import _examday_world as world  # noqa: E402
import exam_day  # noqa: E402

API = load.API
LEAD = 20.0  # seconds from creating the exam to its opening: the worker draws the papers meanwhile


class Starter(load.Candidate):
    """A candidate who already holds a token: starts in the opening minute, then answers."""

    exam_id: int = 0
    tokens: dict[str, str] = {}

    async def play(self) -> None:
        run, rng = self.run, self.rng
        self.token = self.tokens[self.username]
        await run.until(run.t0 + 0.5 + rng.random() * run.scenario.start_window)
        while self.attempt_id is None and not run.over:
            status, attempt = await run.client.call("start", "POST", f"{API}/exams/{self.exam_id}/attempts",
                                                    self.token)
            if status == 201:
                self.attempt_id, self.items = attempt["id"], attempt["items"]
            else:
                await asyncio.sleep(load.RETRY_DELAY)
        self.next_resync = time.monotonic() + load.RESYNC_SECONDS
        await self.answer_all(run.t0 + run.scenario.answer_end - rng.random() * 5)


async def opening(base_url: str, scenario: load.Scenario, usernames: list[str], keys: dict, t0: float,
                  seconds: float) -> load.Stats:
    stats = load.Stats()
    async with load.Client(base_url, stats) as client:
        run = load.Run(client, scenario, keys, load.Ledger(), world.PASSWORD, t0)
        tasks = [asyncio.ensure_future(Starter(run, i, name).play()) for i, name in enumerate(usernames)]
        await asyncio.sleep(max(0.0, t0 + seconds - time.monotonic()))
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return stats


def issue_tokens(app, users: dict[str, int], names: list[str]) -> dict[str, str]:
    from eduapp.extensions import db
    from eduapp.models import User
    from eduapp.services import api_tokens

    with app.app_context():
        return {name: api_tokens.issue(db.session.get(User, users[name]), 24)[0] for name in names}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=3000)
    parser.add_argument("--exam-minutes", type=float, default=exam_day.EXAM_MINUTES,
                        help="the pace of the answers: as in a full run with the exam open this long")
    parser.add_argument("--seconds", type=float, default=110.0, help="cut the run this long after the opening")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--database-url", default=exam_day.DEFAULT_URL)
    parser.add_argument("--redis-url", default=exam_day.DEFAULT_REDIS)
    args = parser.parse_args(argv)
    gunicorn = servers.GunicornSettings("gthread", args.workers, args.threads)
    exam_seconds = args.exam_minutes * 60
    scenario = load.Scenario(candidates=args.candidates, login_window=0.0, start_window=60.0,
                             exam_seconds=exam_seconds, submit_window=90.0, answer_end=exam_seconds - 95)
    print(f"exam opening: {args.candidates} candidates, answers paced as a {args.exam_minutes:g}-minute exam, "
          f"cut {args.seconds:g} s after the opening; gunicorn {gunicorn.describe()}; load average "
          f"{servers.load_average()}", flush=True)

    from _pg import ensure_database, fresh_schema

    from eduapp.models import utcnow

    ensure_database(args.database_url)
    app = exam_day.bench_app(args.database_url)
    fresh_schema(app)
    world.import_bank(app)
    keys = world.answer_keys(app)
    units, enterprises = world.organisations(app)
    users = world.accounts(app, args.candidates, 0, units, enterprises)
    candidates = [name for name in users if name.startswith(world.CANDIDATE_PREFIX)]
    Starter.tokens = issue_tokens(app, users, candidates)

    exam_day.flush_redis(args.redis_url)
    workdir = Path(tempfile.mkdtemp(prefix="examopening-"))
    srv = servers.Servers(workdir, servers.bench_env(args.database_url, args.redis_url, exam_day.QUEUE), gunicorn)
    try:
        srv.start_celery()
        srv.start_web()
        srv.start_standby_beat()
        open_at = utcnow() + timedelta(seconds=LEAD)
        t0 = time.monotonic() + LEAD
        audience = [("role", "civil_servant"), ("role", "enterprise_staff")]
        Starter.exam_id = world.exam(app, "exam-day 年度学法考试", open_at, open_at + timedelta(seconds=exam_seconds),
                                     int(exam_seconds // 60) + 60, audience)
        celery = exam_day.bench_app(args.database_url, args.redis_url).extensions["celery"]
        celery.send_task("eduapp.exams.prepare_papers")
        prepared, waited = checks.wait_until_prepared(app, Starter.exam_id, len(candidates), LEAD - 2)
        web0, pg0, own0 = servers.cpu_seconds(srv.web_pids()), servers.postgres_cpu_seconds(), exam_day._own_cpu()
        stats = load.run_loop(opening(srv.base_url, scenario, candidates, keys.by_stem, t0, args.seconds))
        cpu = {"web": servers.cpu_seconds(srv.web_pids()) - web0, "postgres_all": servers.postgres_cpu_seconds() - pg0,
               "client": exam_day._own_cpu() - own0}
        srv.check_alive()
    finally:
        srv.stop()
        exam_day.flush_redis(args.redis_url)

    summary = stats.summary()
    print(f"papers drawn ahead: {prepared} in {waited:.1f} s")
    exam_day.report_table(summary)
    print(f"CPU seconds from the opening: web {cpu['web']:.0f}, PostgreSQL (all databases) {cpu['postgres_all']:.0f}, "
          f"load generator {cpu['client']:.0f} (of {2 * args.seconds:.0f} on 2 cores); load average "
          f"{servers.load_average()}")
    print(json.dumps({
        "candidates": args.candidates, "gunicorn": gunicorn.describe(),
        "starts": summary.get("start", {}).get("count", 0),
        "start_p99_ms": summary.get("start", {}).get("p99_ms"),
        "autosave_p99_ms": summary.get("autosave", {}).get("p99_ms"),
        "autosaves": summary.get("autosave", {}).get("count", 0), "server_errors_5xx": stats.server_errors(),
        "transport_errors": sum(stats.transport_errors.values()),
        "web_cpu_seconds": round(cpu["web"], 1), "postgres_cpu_seconds": round(cpu["postgres_all"], 1),
        "client_cpu_seconds": round(cpu["client"], 1), "load_average": servers.load_average(),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
