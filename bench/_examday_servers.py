"""The exam-day benchmark's servers on loopback: gunicorn (bench/exam_day_wsgi.py), one Celery worker
and exactly one beat, each a process group of its own that the bench stops by its id."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class GunicornSettings:
    worker_class: str = "sync"
    workers: int = 4
    threads: int = 1

    def describe(self) -> str:
        threads = f" x {self.threads} threads" if self.worker_class == "gthread" else ""
        connections = " (worker_connections 1000)" if self.worker_class == "gevent" else ""
        return f"{self.worker_class}, {self.workers} workers{threads}{connections}"


# gthread as shipped (Dockerfile): the worker that stamps when a request was queued (eduapp/request_time.py)
_WORKER_CLASSES = {"gthread": "eduapp.gunicorn_worker.ArrivalThreadWorker"}


def bench_env(database_url: str, redis_url: str, queue: str) -> dict[str, str]:
    """The servers' environment: production settings, the bench's own database, Redis db and queue,
    and the rate limits raised (configuration only) for thousands of candidates behind one loopback
    address."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDUAPP_")}
    env.update({
        "EDUAPP_ENV": "production",
        "EDUAPP_SECRET_KEY": "exam-day-bench-" + "k" * 32,
        "EDUAPP_AUDIT_KEY": "exam-day-bench-audit-" + "a" * 32,
        "EDUAPP_DATABASE_URL": database_url,
        "EDUAPP_REDIS_URL": redis_url,
        "EDUAPP_SECURE_COOKIES": "false",
        "EDUAPP_LOGIN_RATE_LIMIT": "100000 per minute",
        # the floor's probes send several saves a second each; the limit is still counted per request
        "EDUAPP_API_RATE_LIMIT": "100000 per minute",
        "EDUAPP_CELERY_QUEUE": queue,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "bench")]),
    })
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Servers:
    workdir: Path
    env: dict[str, str]
    gunicorn: GunicornSettings
    port: int = 0
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self, name: str, command: list[str]) -> None:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        self.processes[name] = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                                start_new_session=True)

    def start_web(self) -> None:
        self.port = free_port()
        g = self.gunicorn
        command = [str(BIN / "gunicorn"), "--chdir", str(ROOT / "bench"), "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(g.workers), "--worker-class", _WORKER_CLASSES.get(g.worker_class, g.worker_class),
                   "--backlog", "4096",
                   "--timeout", "120", "--graceful-timeout", "5"]
        if g.worker_class == "gthread":
            command += ["--threads", str(g.threads)]
        self._spawn("gunicorn", [*command, "exam_day_wsgi:app"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.check_alive()
            with contextlib.suppress(OSError), \
                    urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as reply:  # noqa: S310
                if reply.status == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s:\n" + self.tail("gunicorn"))

    def start_celery(self) -> None:
        """The worker and the scheduling beat (call ``start_standby_beat`` a few seconds later)."""
        celery = str(BIN / "celery")
        self._spawn("worker", [celery, "-A", "make_celery", "worker", "--loglevel=WARNING", "--pool", "prefork",
                               "--concurrency", "2", "--without-gossip", "--without-mingle", "-n",
                               f"examday-bench@{socket.gethostname()}"])
        self._spawn("beat", [celery, "-A", "make_celery", "beat", "--loglevel=WARNING", "--schedule",
                             str(self.workdir / "celerybeat-schedule")])
        self._beat_started = time.monotonic()

    def start_standby_beat(self) -> None:
        """A second beat, once the first has had 3 s to take the beat lock: it must wait for it
        (eduapp/beat_lock.py)."""
        time.sleep(max(0.0, self._beat_started + 3 - time.monotonic()))
        self._spawn("beat-standby", [str(BIN / "celery"), "-A", "make_celery", "beat", "--loglevel=WARNING",
                                     "--schedule", str(self.workdir / "celerybeat-schedule-2")])

    def beats(self) -> dict[str, bool]:
        """Which beat holds the lock and whether the standby waited for it (from their logs)."""
        return {name: "this beat holds" in (self.workdir / f"{name}.log").read_text(errors="replace")
                for name in ("beat", "beat-standby")}

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.tail(name)}")

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.workdir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def web_pids(self) -> list[int]:
        """The gunicorn master and its workers (for CPU accounting)."""
        master = self.processes["gunicorn"].pid
        children = Path(f"/proc/{master}/task/{master}/children")
        pids = [master]
        with contextlib.suppress(OSError):
            pids += [int(p) for p in children.read_text().split()]
        return pids

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the processes (and of their finished children), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total / ticks


def postgres_cpu_seconds() -> float:
    """CPU of every PostgreSQL process on the machine (others' tests included: a rough share)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    pids.append(int(entry.name))
    return cpu_seconds(pids)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class LoadSampler:
    """The machine's 1-minute load average, read every ``every`` seconds beside the run: the load during
    the exam, not only before and after it (docs/performance.md lists it for each run)."""

    def __init__(self, every: float = 5.0):
        self.every, self.samples = every, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.samples.append(float(Path("/proc/loadavg").read_text().split()[0]))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict:
        s = self.samples or [float(Path("/proc/loadavg").read_text().split()[0])]
        return {"min": min(s), "mean": round(sum(s) / len(s), 1), "max": max(s), "samples": len(s)}


class CpuHog:
    """``count`` processes that each keep one core busy (a pure Python loop), for a run on a loaded
    machine (issue 19: answers sent in time are never refused, even when the servers are slow)."""

    def __init__(self, count: int):
        self.count, self.processes = count, []

    def __enter__(self):
        for _ in range(self.count):
            self.processes.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            process.kill()
            process.wait()
