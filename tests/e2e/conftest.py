"""The production shape on loopback, for the browser tests: a database of their own on PostgreSQL
(dropped and created anew), the migrations, the statutes, the question bank and the demo data loaded
with the `eduapp` command, gunicorn serving the app, a Celery worker on a Redis database of their own,
and Debian's Chromium driven by Playwright (never a browser download).

Run with `make e2e` (EDUAPP_E2E=1). Settings, all optional:
  EDUAPP_E2E_PG_SERVER   the PostgreSQL server (default postgresql+psycopg://postgres@127.0.0.1:5432)
  EDUAPP_E2E_DB          the database the tests own (default eduapp_e2e; dropped at the start)
  EDUAPP_E2E_REDIS_URL   the Redis database the tests own (default redis://127.0.0.1:6379/12; flushed)
  EDUAPP_CHROMIUM        the browser (default /usr/bin/chromium)
  EDUAPP_ARTIFACTS       screenshots and server logs (default artifacts/e2e)
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
LAWS_DIR = ROOT.parent / "shared" / "laws"
LAWS_LOCAL_DIR = ROOT.parent / "shared" / "laws-local"

PG_SERVER = os.environ.get("EDUAPP_E2E_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432").rstrip("/")
DB_NAME = os.environ.get("EDUAPP_E2E_DB", "eduapp_e2e")
REDIS_URL = os.environ.get("EDUAPP_E2E_REDIS_URL", "redis://127.0.0.1:6379/12")
QUEUE = "eduapp-e2e"
CHROMIUM = os.environ.get("EDUAPP_CHROMIUM", "/usr/bin/chromium")
# Headless, and nothing that reaches for the internet: the network here is closed, and Chromium's
# background connections would only be refused.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Generous: other test suites may be running on the same two cores.
STARTUP_TIMEOUT = 120


def artifacts_dir() -> Path:
    path = Path(os.environ.get("EDUAPP_ARTIFACTS", ROOT / "artifacts" / "e2e"))
    return path if path.is_absolute() else ROOT / path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass
class Stack:
    """What the browser tests talk to."""

    base_url: str
    database_url: str
    redis_url: str
    env: dict
    artifacts: Path
    logs: dict[str, Path] = field(default_factory=dict)

    def eduapp(self, *args: str, timeout: float = 600) -> str:
        """Run the `eduapp` command against the test stack; its output, or a failure showing it."""
        done = subprocess.run([str(BIN / "eduapp"), *args], cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        if done.returncode != 0:
            pytest.fail(f"eduapp {' '.join(args)} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done.stdout

    def query(self, sql: str, **params) -> list:
        """Rows of a query on the test database (the tests own it: they may look behind the pages)."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return list(conn.execute(text(sql), params))
        finally:
            engine.dispose()

    def run_task(self, name: str, *args, timeout: float = 180):
        """Hand a task to the Celery worker and wait for what it returns."""
        client = celery_client()
        try:
            return client.send_task(name, args=args, queue=QUEUE).get(timeout=timeout)
        finally:
            client.close()


def _recreate_database() -> str:
    from sqlalchemy import create_engine, text

    if not re.fullmatch(r"[a-z_][a-z0-9_]*", DB_NAME):
        raise pytest.UsageError(f"EDUAPP_E2E_DB must be a plain lower-case name, got {DB_NAME!r}")
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    return f"{PG_SERVER}/{DB_NAME}"


def _flush_redis() -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    client.close()


def _start(name: str, args: list[str], stack: Stack) -> subprocess.Popen:
    log = stack.artifacts / f"{name}.log"
    stack.logs[name] = log
    with open(log, "wb") as out:
        # A session of its own, so that its children (gunicorn's and Celery's workers) can be killed with it.
        return subprocess.Popen(args, cwd=ROOT, env=stack.env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    """A warm shutdown (gunicorn and Celery finish what they are doing); a process group that is still
    there a minute later is killed (its leader is not reaped yet, so the group is still ours)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def _wait_for_web(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited {process.returncode} before it served:\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (our own loopback URL)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(f"gunicorn did not answer {url} within {STARTUP_TIMEOUT} s:\n{tail(log)}")


def celery_client():
    from celery import Celery

    return Celery("eduapp-e2e", broker=REDIS_URL, backend=REDIS_URL)


def _wait_for_worker(process: subprocess.Popen, log: Path) -> None:
    client = celery_client()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the Celery worker exited {process.returncode} before it was ready:\n{tail(log)}")
            if client.control.ping(timeout=2.0):
                return
        pytest.fail(f"the Celery worker did not answer a ping within {STARTUP_TIMEOUT} s:\n{tail(log)}")
    finally:
        client.close()


@pytest.fixture(scope="session")
def stack():
    artifacts = artifacts_dir()
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True)
    port = free_port()
    database_url = _recreate_database()
    _flush_redis()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("EDUAPP_")},
        # Production, as deployed, but over plain HTTP on loopback: the session cookie may not be Secure.
        "EDUAPP_ENV": "production",
        "EDUAPP_SECURE_COOKIES": "false",
        "EDUAPP_SECRET_KEY": secrets.token_hex(32),
        "EDUAPP_AUDIT_KEY": secrets.token_hex(32),
        "EDUAPP_AUDIT_ANCHOR_FILE": str(artifacts / "audit-anchors.jsonl"),
        "EDUAPP_DATABASE_URL": database_url,
        "EDUAPP_REDIS_URL": REDIS_URL,
        "EDUAPP_CELERY_QUEUE": QUEUE,
        "EDUAPP_BASE_URL": f"http://127.0.0.1:{port}",
        "EDUAPP_SMS_QUIET_HOURS": "00:00-00:00",  # SMS reminders go out whatever the hour of the run
        # The journey's bureau people sign in with a password only: two-factor sign-in (on by default in
        # production for the deciding roles) has its own tests, tests/test_two_factor.py.
        "EDUAPP_2FA_ROLES": "",
        "PYTHONUNBUFFERED": "1",
    }
    stack = Stack(base_url=f"http://127.0.0.1:{port}", database_url=database_url, redis_url=REDIS_URL, env=env,
                  artifacts=artifacts)

    steps = [("db", "upgrade"), ("questions", "import", "question_bank"), ("demo",)]
    for folder in (LAWS_LOCAL_DIR, LAWS_DIR):  # national laws first, then the local regulations
        if folder.is_dir():
            steps.insert(1, ("laws", "import", str(folder)))
    with open(artifacts / "setup.log", "w", encoding="utf-8") as out:
        for args in steps:
            started = time.monotonic()
            printed = stack.eduapp(*args)
            out.write(f"$ eduapp {' '.join(args)}  ({time.monotonic() - started:.1f} s)\n{printed}\n")

    processes = []
    try:
        web = _start("gunicorn", [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "-w", "2",
                                  "--timeout", "120", "--access-logfile", "-", "wsgi:app"], stack)
        processes.append(web)
        worker = _start("worker", [sys.executable, "-m", "celery", "-A", "make_celery", "worker",
                                   "--concurrency", "1", "-Q", QUEUE, "-n", f"e2e-{port}@%h",
                                   "--loglevel", "INFO", "--without-gossip", "--without-mingle"], stack)
        processes.append(worker)
        _wait_for_web(web, f"{stack.base_url}/healthz", stack.logs["gunicorn"])
        _wait_for_worker(worker, stack.logs["worker"])
        yield stack
    finally:
        for process in reversed(processes):
            _stop(process)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no browser at {CHROMIUM}: `apt-get install chromium` (or set EDUAPP_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report
