"""Benchmark: machine instructions per request of an answer's autosave and of the floor's reference, in
the web process, counted by valgrind's callgrind. Unlike requests per second, the count is the same from
run to run whatever else the machine is doing, so it measures one change to the request path (issue 19:
the cuts in docs/performance.md); ``bench/exam_day.py --floor-only`` measures what they do to throughput.

What is counted: the WSGI app exactly as gunicorn serves it in ``bench/exam_day.py`` (bench/exam_day_wsgi.py:
production settings, eduapp with the reference mounted beside it), called directly with the environ
gunicorn would build for the floor's requests (a bearer-token PUT of one answer, or the same JSON body to
/bench/reference), one request after another in one thread. Callgrind's instrumentation is switched on
after WARMUP requests of the kind measured (caches, prepared statements, the token cache filled) and the
process leaves without Python's shutdown, so the count is the requests' own plus a fixed few hundred
thousand instructions of switching it on. Not counted: PostgreSQL's and Redis's own work (other
processes), gunicorn's HTTP parsing and the client (the same for both kinds). The token check is kept
for 60 s (EDUAPP_TOKEN_CACHE_SECONDS' bound) so that, as in the floor's closed loop, every measured
autosave finds it in the process's cache. The rate limit is counted in the process and added to Redis
every quarter second of the clock (eduapp/api/rate_tally.py): under valgrind that is every dozen or so
autosaves, and how many fall in the measured ones moves the count by up to about 1 % between runs.

    python bench/autosave_instructions.py [--requests N]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/eduapp_bench_instructions]
        [--redis-url redis://127.0.0.1:6379/10]

It uses its own database (created if missing, brought to the migrations' head and emptied) and its own
Redis database number (flushed). Needs ``valgrind`` and ``callgrind_control`` (Debian's valgrind); a run
takes about a minute and a half.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _examday_servers as servers  # noqa: E402 (bench/ is on the path when run as a script)

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/eduapp_bench_instructions"
DEFAULT_REDIS = "redis://127.0.0.1:6379/10"
QUEUE = "instructions-bench"
WARMUP = 30
KINDS = ("autosave", "reference")


def prepare(database_url: str, redis_url: str, state_file: Path) -> None:
    """The floor's world in small: the bank, one probe account with a started attempt and a token."""
    import _examday_world as world
    import redis
    from _examday_load import response_for
    from _pg import ensure_database, fresh_schema
    from exam_day import bench_app

    ensure_database(database_url)
    app = bench_app(database_url)
    fresh_schema(app)
    world.import_bank(app)
    units, enterprises = world.organisations(app)
    users = world.accounts(app, 1, 1, units, enterprises)
    world.reference_table(app)
    redis.Redis.from_url(redis_url).flushdb()
    import exam_day_wsgi
    from werkzeug.test import Client

    from eduapp.models import utcnow

    probe = next(name for name in users if name.startswith(world.PROBE_PREFIX))
    now = utcnow()
    exam_id = world.exam(app, "instructions probe", now - timedelta(minutes=1), now + timedelta(days=1), 600,
                         [("user", str(users[probe]))])
    client = Client(exam_day_wsgi.app)
    signed = client.post("/api/v1/auth/token", json={"username": probe, "password": world.PASSWORD})
    if signed.status_code != 201:
        raise SystemExit(f"sign-in of {probe} failed: {signed.status_code} {signed.get_data(as_text=True)}")
    token = signed.json["token"]
    attempt = client.post(f"/api/v1/exams/{exam_id}/attempts", headers={"Authorization": f"Bearer {token}"}).json
    rng = random.Random(1)
    items = [(item["id"], response_for(item, None, True, rng)) for item in attempt["items"]]
    state_file.write_text(json.dumps({"token": token, "attempt": attempt["id"], "items": items, "seq": 0}))


def drive(kind: str, requests: int, state_file: Path) -> None:
    """Run in callgrind: WARMUP requests, instrumentation on, ``requests`` requests, out (no shutdown)."""
    state = json.loads(state_file.read_text())
    import exam_day_wsgi

    app, token, attempt, items = exam_day_wsgi.app, state["token"], state["attempt"], state["items"]
    seq = state["seq"]

    def environ(path: str, body: bytes, bearer: bool) -> dict:
        env = {"REQUEST_METHOD": "PUT", "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "",
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
               "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
               "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
               "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "50000", "CONTENT_TYPE": "application/json",
               "CONTENT_LENGTH": str(len(body)), "HTTP_HOST": "127.0.0.1:8000", "HTTP_ACCEPT": "*/*",
               "HTTP_USER_AGENT": "Python/3.11 aiohttp", "HTTP_ACCEPT_ENCODING": "gzip, deflate"}
        if bearer:
            env["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return env

    def one() -> None:
        nonlocal seq
        seq += 1
        item_id, response = items[seq % len(items)]
        body = json.dumps({"response": response, "seq": seq}).encode()
        env = (environ(f"/api/v1/attempts/{attempt}/answers/{item_id}", body, True) if kind == "autosave"
               else environ("/bench/reference", body, False))
        status: list[str] = []
        out = app(env, lambda line, headers, exc_info=None: status.append(line))
        answer = b"".join(out)
        getattr(out, "close", lambda: None)()
        if not status[0].startswith("200"):
            raise SystemExit(f"{kind}: {status[0]} {answer[:200]!r}")

    for _ in range(WARMUP):
        one()
    subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=True, capture_output=True)
    for _ in range(requests):
        one()
    state["seq"] = seq
    state_file.write_text(json.dumps(state))
    sys.stdout.flush()
    os._exit(0)  # Python's shutdown is not the requests' work


def count(kind: str, args, state_file: Path, env: dict) -> int:
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--callgrind-out-file=/dev/null", sys.executable,
         str(Path(__file__).resolve()), "--drive", kind, "--state", str(state_file), "--requests", str(args.requests),
         "--database-url", args.database_url, "--redis-url", args.redis_url],
        env=env, capture_output=True, text=True, check=False)
    collected = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode != 0 or collected is None:
        raise SystemExit(f"{kind}: callgrind failed ({run.returncode}):\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
    return int(collected.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--drive", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--state", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    env = {**os.environ, **servers.bench_env(args.database_url, args.redis_url, QUEUE)}
    # The token check is kept per process for up to this long; under valgrind a hundred requests take
    # half a minute of wall time, which the default 5 s would split into a few fresh reads at random
    # points: at the bound, every request after the warm-up is served from the cache, as in the floor.
    env["EDUAPP_TOKEN_CACHE_SECONDS"] = "60"  # noqa: S105 (seconds, not a secret)
    if args.drive:
        os.environ.update(env)
        drive(args.drive, args.requests, args.state)
        return 0
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is missing: apt-get install valgrind")
    os.environ.update(env)
    with tempfile.TemporaryDirectory(prefix="instructions-") as workdir:
        state_file = Path(workdir) / "state.json"
        prepare(args.database_url, args.redis_url, state_file)
        per_request = {kind: count(kind, args, state_file, env) // args.requests for kind in KINDS}
    print("| request | instructions per request (web process) |\n|---|---|")
    for kind in KINDS:
        print(f"| {kind} | {per_request[kind]:,} |")
    print(json.dumps({**per_request, "requests": args.requests,
                      "autosave_over_reference": round(per_request["autosave"] / per_request["reference"], 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
