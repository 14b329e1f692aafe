"""The scaled-out shape (docker compose --profile scaled, docs/scaling.md) on loopback, without Docker:
Debian's nginx with the shipped deploy/nginx-scaled.conf in front of two gunicorn instances of eduapp
(the Dockerfile's worker class, eduapp.gunicorn_worker.ArrivalThreadWorker, 6 threads), pgbouncer in
transaction mode in front of PostgreSQL, two Celery workers and two beats (eduapp/beat_lock.py lets
exactly one schedule). Then it checks what the shape must keep working across instances, and runs
the opening-minute bench (bench/exam_day.py --url) against nginx:

- sign-in: a browser signs in on one instance, its session cookie is honoured by the other;
- tokens: an API token issued by one instance is accepted by the other;
- rate limit: N + 1 API requests, alternating between the instances, are refused at N + 1 (the limit is
  counted in Redis, not per instance);
- beats: exactly one holds the lock and sends the periodic tasks; the other logs that it waits;
- bench: bench/exam_day.py against nginx's URL, 0 errors and 0 lost answers.

Ports: nginx 18080, gunicorn 18001 and 18002, pgbouncer 16432. The nginx config is the shipped file
with three substitutions only (``web:8000`` -> ``127.0.0.1:18001``, ``web2:8000`` -> ``127.0.0.1:18002``,
``listen 8080`` -> ``listen 127.0.0.1:18080``), included in a minimal main config in a temp directory.
pgbouncer gets its own ini there (auth_type any: it logs in to PostgreSQL as the URL's user, as the
local PostgreSQL trusts loopback). Needs Debian's nginx and pgbouncer (``apt-get install -y nginx
pgbouncer``, as root); run as root, it starts pgbouncer as the ``postgres`` user (pgbouncer refuses root).
Before 1.21 pgbouncer cannot keep psycopg's prepared statements in transaction mode: the rig then runs
eduapp with EDUAPP_DATABASE_PREPARED_STATEMENTS=false (docs/scaling.md).

    python bench/scaled_rig.py [run] [--candidates N] [--quick] [--exam-minutes M]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/eduapp_rig]
        [--redis-url redis://127.0.0.1:6379/13]
    python bench/scaled_rig.py stop     # stops a rig left running (its process groups, by id)

``run`` starts everything, checks, runs the bench, prints a table and a JSON line, and stops
everything (also on Ctrl-C or SIGTERM). ``--hold`` keeps it running after the checks, until Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import _examday_servers as servers  # noqa: E402 (bench/ is on the path when run as a script)

BIN = Path(sys.executable).parent
NGINX_PORT, WEB_PORTS, PGBOUNCER_PORT = 18080, (18001, 18002), 16432
DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/eduapp_rig"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
STATE = Path(tempfile.gettempdir()) / "eduapp-scaled-rig.json"
QUEUE = "examday-bench"  # bench/exam_day.py queues its tasks there
# Per minute per user, during the checks only (the bench raises it, as bench/exam_day.py does). At 100 and
# more, each instance counts a person's requests far below the limit itself and adds them to Redis in
# batches (eduapp/api/rate_tally.py): the check shows that two instances serving a person in turn still
# stop at the limit. Below 100 every request is counted in Redis at once (the same counters, a round trip each).
RATE_LIMIT = 120


def required_binaries() -> dict[str, str]:
    found = {name: shutil.which(name) or (f"/usr/sbin/{name}" if Path(f"/usr/sbin/{name}").exists() else "")
             for name in ("nginx", "pgbouncer")}
    missing = [name for name, path in found.items() if not path]
    if missing:
        raise SystemExit(f"missing: {', '.join(missing)}. Install (as root): apt-get install -y nginx pgbouncer")
    return found


def nginx_site() -> str:
    """The shipped config, its upstream addresses and listen port pointed at loopback."""
    text = (ROOT / "deploy" / "nginx-scaled.conf").read_text()
    for old, new in (("server web:8000", f"server 127.0.0.1:{WEB_PORTS[0]}"),
                     ("server web2:8000", f"server 127.0.0.1:{WEB_PORTS[1]}"),
                     ("listen 8080", f"listen 127.0.0.1:{NGINX_PORT}")):
        if old not in text:
            raise SystemExit(f"deploy/nginx-scaled.conf has no '{old}' any more: update bench/scaled_rig.py")
        text = text.replace(old, new)
    return text


def nginx_main(workdir: Path) -> str:
    temp = workdir / "nginx-temp"
    return (f"daemon off;\nworker_processes 1;\npid {workdir}/nginx.pid;\nerror_log {workdir}/nginx-error.log warn;\n"
            "events { worker_connections 8192; }\n"
            f"http {{\n  access_log off;\n  client_body_temp_path {temp}/body;\n  proxy_temp_path {temp}/proxy;\n"
            f"  fastcgi_temp_path {temp}/fastcgi;\n  uwsgi_temp_path {temp}/uwsgi;\n  scgi_temp_path {temp}/scgi;\n"
            f"  include {workdir}/eduapp-scaled.conf;\n}}\n")


def pgbouncer_ini(workdir: Path, database_url: str, prepared: bool) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    return ("[databases]\n"
            f"{url.database} = host={url.host or '127.0.0.1'} port={url.port or 5432} dbname={url.database} "
            f"user={url.username or 'postgres'}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {PGBOUNCER_PORT}\nunix_socket_dir =\n"
            "auth_type = any\npool_mode = transaction\nmax_client_conn = 1000\ndefault_pool_size = 20\n"
            "ignore_startup_parameters = extra_float_digits,options\nlog_connections = 0\nlog_disconnections = 0\n"
            f"logfile = {workdir}/pgbouncer.log\n"
            + ("max_prepared_statements = 200\n" if prepared else ""))


def pgbouncer_keeps_prepared_statements(binary: str) -> bool:
    """pgbouncer 1.21+ (max_prepared_statements) keeps psycopg's prepared statements in transaction mode;
    Debian 12's 1.18 does not: eduapp then runs with EDUAPP_DATABASE_PREPARED_STATEMENTS=false."""
    found = re.search(r"(\d+)\.(\d+)", subprocess.run([binary, "--version"], capture_output=True, text=True).stdout)
    return bool(found) and (int(found.group(1)), int(found.group(2))) >= (1, 21)


def pooled_url(database_url: str) -> str:
    from sqlalchemy.engine import make_url

    url = make_url(database_url).set(host="127.0.0.1", port=PGBOUNCER_PORT)
    return url.render_as_string(hide_password=False)


class Rig(servers.Servers):
    """The processes, each a process group of its own (stopped by its id; the ids also go to STATE
    so that ``stop`` finds a rig left running)."""

    def _spawn(self, name: str, command: list[str], env: dict | None = None, user: str | None = None) -> None:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        self.processes[name] = subprocess.Popen(command, cwd=ROOT, env=env or self.env, stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True, user=user)
        STATE.write_text(json.dumps({"workdir": str(self.workdir),
                                     "pgids": {n: p.pid for n, p in self.processes.items()}}))

    def start_pgbouncer(self, binary: str, database_url: str) -> None:
        ini = self.workdir / "pgbouncer.ini"
        ini.write_text(pgbouncer_ini(self.workdir, database_url, pgbouncer_keeps_prepared_statements(binary)))
        user = "postgres" if os.geteuid() == 0 else None
        if user:
            shutil.chown(ini, user)
            (self.workdir / "pgbouncer.log").touch()
            shutil.chown(self.workdir / "pgbouncer.log", user)
        self._spawn("pgbouncer", [binary, str(ini)], user=user)
        wait_for_port(PGBOUNCER_PORT, self, "pgbouncer")

    def start_web_instances(self, env: dict[str, str]) -> None:
        for n, port in enumerate(WEB_PORTS, 1):
            self._spawn(f"web{n}", [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
                                    "--worker-class", "eduapp.gunicorn_worker.ArrivalThreadWorker", "--threads", "6",
                                    "--backlog", "4096", "--timeout", "120", "--graceful-timeout", "5", "wsgi:app"],
                        env=env)
        for n, port in enumerate(WEB_PORTS, 1):
            wait_for_http(f"http://127.0.0.1:{port}/healthz", self, f"web{n}")

    def stop_web_instances(self) -> None:
        for name in ("web1", "web2"):
            process = self.processes.pop(name)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)

    def start_nginx(self, binary: str) -> None:
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.workdir / "nginx-temp" / sub).mkdir(parents=True, exist_ok=True)
        (self.workdir / "nginx-temp").chmod(0o777)
        for sub in (self.workdir / "nginx-temp").iterdir():
            sub.chmod(0o777)
        (self.workdir / "eduapp-scaled.conf").write_text(nginx_site())
        (self.workdir / "nginx.conf").write_text(nginx_main(self.workdir))
        subprocess.run([binary, "-t", "-q", "-c", str(self.workdir / "nginx.conf")], check=True)
        self._spawn("nginx", [binary, "-c", str(self.workdir / "nginx.conf")])
        wait_for_http(f"http://127.0.0.1:{NGINX_PORT}/healthz", self, "nginx")

    def start_celery_pair(self) -> None:
        celery = str(BIN / "celery")
        for n in (1, 2):
            self._spawn(f"worker{n}", [celery, "-A", "make_celery", "worker", "--loglevel=INFO", "--pool", "prefork",
                                       "--concurrency", "1", "--without-gossip", "--without-mingle", "-n",
                                       f"rig-worker{n}@{socket.gethostname()}"])
        for n in (1, 2):
            self._spawn(f"beat{n}", [celery, "-A", "make_celery", "beat", "--loglevel=INFO", "--schedule",
                                     str(self.workdir / f"celerybeat-schedule-{n}")])
            time.sleep(3)  # the first takes the lock; the second must find it taken

    def beat_report(self) -> dict[str, dict]:
        report = {}
        for name in ("beat1", "beat2"):
            text = (self.workdir / f"{name}.log").read_text(errors="replace")
            report[name] = {"holds": "this beat holds" in text, "waits": "another beat holds" in text,
                            "sent": text.count("Sending due task")}
        return report


def wait_for_port(port: int, rig: Rig, name: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rig.check_alive()
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not listen on {port}:\n{rig.tail(name)}")


def wait_for_http(url: str, rig: Rig, name: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rig.check_alive()
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as reply:  # noqa: S310
            if reply.status == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"{name} did not answer {url} within {seconds:.0f} s:\n{rig.tail(name)}")


# --- the checks ---------------------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _http(opener, method: str, url: str, body: dict | bytes | None = None,
          headers: dict | None = None) -> tuple[int, str]:
    data, headers = body, dict(headers or {})
    if isinstance(body, dict):
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with opener.open(request, timeout=30) as reply:
            return reply.status, reply.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def check_session(username: str, password: str) -> dict:
    """Sign in through instance 1's login form; instance 2 must see the session (GET /login redirects a
    signed-in user)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    a, b = (f"http://127.0.0.1:{port}" for port in WEB_PORTS)
    status, page = _http(opener, "GET", f"{a}/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    before, _ = _http(opener, "GET", f"{b}/login")
    form = urllib.parse.urlencode({"csrf_token": token.group(1) if token else "", "username": username,
                                   "password": password, "captcha_id": "", "captcha": ""}).encode()
    signed_in, _ = _http(opener, "POST", f"{a}/login", form, {"Content-Type": "application/x-www-form-urlencoded"})
    after, _ = _http(opener, "GET", f"{b}/login")
    ok = status == 200 and before == 200 and signed_in == 302 and after == 302
    return {"ok": ok, "detail": f"instance 2 /login before {before}, sign-in on instance 1 {signed_in}, "
                                f"instance 2 /login after {after} (302: signed in)"}


def check_token(username: str, password: str) -> tuple[dict, str]:
    opener = urllib.request.build_opener(_NoRedirect)
    a, b = (f"http://127.0.0.1:{port}" for port in WEB_PORTS)
    status, body = _http(opener, "POST", f"{a}/api/v1/auth/token", {"username": username, "password": password})
    token = json.loads(body).get("token", "") if status == 201 else ""
    used, _ = _http(opener, "GET", f"{b}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    bogus, _ = _http(opener, "GET", f"{b}/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    return ({"ok": status == 201 and used == 200 and bogus == 401,
             "detail": f"issued on instance 1: {status}; used on instance 2: {used}; a made-up token: {bogus}"},
            token)


def check_rate_limit(token: str) -> dict:
    """The token check spent one request of the user's budget; RATE_LIMIT more, alternating between
    the instances: the last one is the RATE_LIMIT + 1st and is refused (429)."""
    opener = urllib.request.build_opener(_NoRedirect)
    statuses = []
    for n in range(RATE_LIMIT):
        port = WEB_PORTS[n % 2]
        status, _ = _http(opener, "GET", f"http://127.0.0.1:{port}/api/v1/me",
                          headers={"Authorization": f"Bearer {token}"})
        statuses.append(status)
    # the token check above used one request of the same user's budget
    accepted = sum(1 for s in statuses if s == 200) + 1  # with the token check's request
    first_refused = next((i + 1 for i, s in enumerate(statuses) if s == 429), None)
    ok = statuses[-1] == 429 and all(s == 200 for s in statuses[:RATE_LIMIT - 1])
    return {"ok": ok, "detail": f"limit {RATE_LIMIT}/min per user; 1 request (the token check) + {RATE_LIMIT} "
                                f"alternating between the instances: {accepted} answered 200, then 429 (request "
                                f"{first_refused + 1 if first_refused else None} of the user's)"}


def check_beats(rig: Rig, seconds: float = 75) -> dict:
    """From the beats' logs (INFO): one holds the lock and sends the periodic tasks (several run every
    minute: wait for one), the other logged that it waits and sent nothing."""
    deadline = time.monotonic() + seconds
    report = rig.beat_report()
    while not any(r["sent"] for r in report.values()) and time.monotonic() < deadline:
        time.sleep(2)
        report = rig.beat_report()
    holders = [name for name, r in report.items() if r["holds"]]
    senders = [name for name, r in report.items() if r["sent"]]
    waiting = [name for name, r in report.items() if r["waits"] and not r["holds"]]
    ok = len(holders) == 1 and senders == holders and len(waiting) == 1
    return {"ok": ok, "detail": f"holds the lock: {holders}; sent periodic tasks: "
                                f"{ {n: r['sent'] for n, r in report.items()} }; waits: {waiting}"}


def check_world(database_url: str) -> tuple[str, str]:
    """A fresh schema and two accounts to sign in with (the bench rebuilds its own world afterwards)."""
    import _examday_world as world
    from _pg import ensure_database, fresh_schema
    from exam_day import bench_app

    ensure_database(database_url)
    app = bench_app(database_url)
    fresh_schema(app)
    units, enterprises = world.organisations(app)
    users = world.accounts(app, 2, 0, units, enterprises)
    return sorted(users)[0], world.PASSWORD


def run_bench(args) -> tuple[dict, str]:
    command = [sys.executable, str(ROOT / "bench" / "exam_day.py"), "--url", f"http://127.0.0.1:{NGINX_PORT}",
               "--database-url", args.database_url, "--redis-url", args.redis_url]
    if args.quick:
        command.append("--quick")
    if args.candidates:
        command += ["--candidates", str(args.candidates)]
    if args.exam_minutes:
        command += ["--exam-minutes", str(args.exam_minutes)]
    print("$ " + " ".join(command[1:]), flush=True)
    lines = []
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as process:
        for line in process.stdout:
            print("  | " + line, end="", flush=True)
            lines.append(line)
    result = {}
    with contextlib.suppress(ValueError, IndexError):
        result = json.loads(lines[-1])
    ok = process.returncode == 0 and result.get("errors") == 0 and result.get("lost_answers") == 0 \
        and result.get("server_errors_5xx") == 0
    detail = (f"{result.get('candidates')} candidates: errors {result.get('errors')}, "
              f"lost {result.get('lost_answers')}, "
              f"start p99 {result.get('start_p99_ms')} ms, autosave p99 {result.get('autosave_p99_ms')} ms, "
              f"submit p99 {result.get('submit_p99_ms')} ms, load {result.get('load_average')}") if result else \
        f"the bench failed (exit {process.returncode})"
    return {"ok": ok, "detail": detail}, json.dumps(result, ensure_ascii=False)


def stop_left_running() -> int:
    if not STATE.exists():
        print("no rig running (no state file)")
        return 0
    state = json.loads(STATE.read_text())
    for name, pgid in state["pgids"].items():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGTERM)
            print(f"stopped {name} (process group {pgid})")
    STATE.unlink()
    return 0


def _stop_on_signal(signum, frame):
    raise SystemExit(f"stopped by signal {signum}")  # the finally below stops every process


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", nargs="?", default="run", choices=["run", "stop"])
    parser.add_argument("--database-url", default=DEFAULT_DB)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS)
    parser.add_argument("--candidates", type=int)
    parser.add_argument("--quick", action="store_true", help="the bench's --quick (300 candidates, short)")
    parser.add_argument("--exam-minutes", type=float)
    parser.add_argument("--skip-bench", action="store_true")
    parser.add_argument("--hold", action="store_true", help="keep the rig running after the checks (Ctrl-C stops)")
    args = parser.parse_args(argv)
    if args.action == "stop":
        return stop_left_running()
    binaries = required_binaries()
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGHUP, _stop_on_signal)
    import redis

    username, password = check_world(args.database_url)
    redis.Redis.from_url(args.redis_url).flushdb()  # the rig's own database number only
    workdir = Path(tempfile.mkdtemp(prefix="scaled-rig-"))
    workdir.chmod(0o755)
    env = servers.bench_env(pooled_url(args.database_url), args.redis_url, QUEUE)
    env["EDUAPP_TRUSTED_PROXIES"] = "1"
    if not pgbouncer_keeps_prepared_statements(binaries["pgbouncer"]):
        env["EDUAPP_DATABASE_PREPARED_STATEMENTS"] = "false"
    rig = Rig(workdir, env, servers.GunicornSettings("gthread", 1, 6))
    checks: dict[str, dict] = {}
    bench_json = ""
    began = time.monotonic()
    print(f"scaled rig: logs in {workdir}; load average {servers.load_average()}", flush=True)
    try:
        rig.start_pgbouncer(binaries["pgbouncer"], args.database_url)
        rig.start_celery_pair()
        rig.start_web_instances({**env, "EDUAPP_API_RATE_LIMIT": f"{RATE_LIMIT} per minute"})
        rig.start_nginx(binaries["nginx"])
        print(f"[{time.monotonic() - began:.0f} s] up: nginx :{NGINX_PORT} -> gunicorn :{WEB_PORTS[0]} "
              f":{WEB_PORTS[1]}; pgbouncer :{PGBOUNCER_PORT}; 2 workers, 2 beats", flush=True)
        checks["session across instances"] = check_session(username, password)
        checks["token across instances"], token = check_token(username, password)
        checks["rate limit across instances"] = check_rate_limit(token)
        # the bench's limits (bench/exam_day.py raises them for thousands of candidates on one address)
        rig.stop_web_instances()
        rig.start_web_instances(env)
        if args.hold:
            print("holding: Ctrl-C stops the rig", flush=True)
            while True:
                time.sleep(5)
                rig.check_alive()
        if not args.skip_bench:
            checks["bench through nginx"], bench_json = run_bench(args)
        rig.check_alive()
        checks["exactly one beat schedules"] = check_beats(rig)
    except BaseException:
        print(f"the rig's logs: {workdir}", file=sys.stderr)
        raise
    finally:
        rig.stop()
        STATE.unlink(missing_ok=True)

    print(f"\n[{time.monotonic() - began:.0f} s] checks (load average {servers.load_average()}):")
    print(f"{'check':<30}{'result':<8}detail")
    for name, c in checks.items():
        print(f"{name:<30}{'ok' if c['ok'] else 'FAILED':<8}{c['detail']}")
    print(json.dumps({"checks": {name: c["ok"] for name, c in checks.items()},
                      "all_ok": all(c["ok"] for c in checks.values()),
                      "bench": json.loads(bench_json) if bench_json else None}, ensure_ascii=False))
    if all(c["ok"] for c in checks.values()):
        shutil.rmtree(workdir, ignore_errors=True)
        return 0
    print(f"the rig's logs: {workdir}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
