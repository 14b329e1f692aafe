"""Tasks through a real Celery worker on Redis and PostgreSQL (the second pass of `make test`), and
the same tasks in-process, as the embedded default runs them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from eduapp.celery_app import BEAT_SCHEDULE
from eduapp.extensions import db
from eduapp.tasks.audit import verify_audit_chain
from tests.conftest import PG_URL, REDIS_URL
from tests.test_audit import _make_records

ROOT = Path(__file__).resolve().parent.parent


def _tamper(record_id: int) -> None:
    db.session.execute(text("UPDATE audit_records SET summary = :s WHERE id = :id"), {"s": '{"i":999}', "id": record_id})
    db.session.commit()


def test_every_periodic_job_names_a_registered_task(app):
    celery = app.extensions["celery"]
    celery.loader.import_default_modules()
    assert {job["task"] for job in BEAT_SCHEDULE.values()} <= set(celery.tasks)


def test_audit_check_in_process(ctx):
    records = _make_records(4)
    assert verify_audit_chain.apply().get() == {"checked": len(records), "broken_record": None, "reason": None}
    _tamper(records[2].id)
    assert verify_audit_chain.apply().get()["broken_record"] == records[2].id


def start_worker(app, log_dir, queue: str | None = None, **env_extra):
    """A real Celery worker (prefork, one process) on PostgreSQL and Redis, on ``queue`` (its own,
    so nothing else on this Redis takes our tasks), with more EDUAPP_* settings; returns it once it
    answers a ping."""
    env = {
        **os.environ,
        "EDUAPP_ENV": "testing",
        "EDUAPP_SECRET_KEY": app.config["SECRET_KEY"],
        "EDUAPP_DATABASE_URL": PG_URL,
        "EDUAPP_REDIS_URL": REDIS_URL,
        **env_extra,
    }
    command = [sys.executable, "-m", "celery", "-A", "make_celery", "worker", "--pool", "prefork", "--concurrency",
               "1", "--loglevel", "INFO", "--without-gossip", "--without-mingle"]
    if queue:
        command += ["--queues", queue]
    log = open(log_dir / "worker.log", "w+")  # noqa: SIM115 (closed by stop_worker)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    process.log = log
    celery = app.extensions["celery"]
    deadline = time.monotonic() + 60
    while not celery.control.ping(timeout=1):
        if process.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            pytest.fail(f"the Celery worker did not start:\n{log.read()[-3000:]}")
    return process


def stop_worker(process) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    process.log.close()


@pytest.fixture(scope="module")
def worker(app, tmp_path_factory):
    queue = f"eduapp-test-{uuid.uuid4().hex[:8]}"
    process = start_worker(app, tmp_path_factory.mktemp("worker"), queue)
    yield queue
    stop_worker(process)


@pytest.mark.redis
@pytest.mark.postgres
def test_overdue_attempts_are_finalised_by_the_worker(worker, ctx):
    from datetime import timedelta

    from eduapp.domain.roles import Role
    from eduapp.models import Attempt
    from eduapp.services import attempts
    from eduapp.tasks.exams import finalise_overdue_attempts
    from tests import factories

    factories.bank()
    staff = factories.user("staff-w", factories.enterprise("甲企业", 1), Role.ENTERPRISE_STAFF)
    exam = factories.exam(duration_minutes=1)
    attempt = attempts.start(staff, exam, now=exam.open_at)  # its minute ended long ago
    assert finalise_overdue_attempts.apply_async(queue=worker).get(timeout=60) == 1
    db.session.expire_all()
    finished = db.session.get(Attempt, attempt.id)
    assert finished.state == "finished" and finished.finished_by == "deadline"
    assert finished.submitted_at == exam.open_at + timedelta(minutes=1)


@pytest.mark.redis
@pytest.mark.postgres
def test_audit_check_through_a_real_worker(worker, ctx):
    records = _make_records(3)
    result = verify_audit_chain.apply_async(queue=worker).get(timeout=60)
    assert result == {"checked": len(records), "broken_record": None, "reason": None}
    _tamper(records[1].id)
    result = verify_audit_chain.apply_async(queue=worker).get(timeout=60)
    assert result["broken_record"] == records[1].id and result["reason"]


@pytest.mark.redis
@pytest.mark.postgres
def test_papers_are_prepared_by_the_worker(worker, ctx):
    from datetime import timedelta

    from sqlalchemy import func, select

    from eduapp.domain.roles import Role
    from eduapp.models import PreparedPaper, utcnow
    from eduapp.tasks.exams import prepare_papers
    from tests import factories

    factories.bank()
    org = factories.enterprise("甲企业", 1)
    for n in range(4):
        factories.user(f"staff-p{n}", org, Role.ENTERPRISE_STAFF)
    now = utcnow()
    exam = factories.exam(open_at=now + timedelta(minutes=5), close_at=now + timedelta(hours=2))
    assert prepare_papers.apply_async(queue=worker).get(timeout=60) == {str(exam.id): 4}
    db.session.rollback()
    count = select(func.count()).select_from(PreparedPaper).where(PreparedPaper.exam_id == exam.id)
    assert db.session.execute(count).scalar_one() == 4
