"""Reminders through the real parts (the PostgreSQL + Redis pass of `make test`): a Celery worker
subprocess on a Redis broker sends e-mail to a real local SMTP server (aiosmtpd). A scan sends
exactly one message per due item and a rerun none; SMTP down then up is retried and delivered once;
a worker process killed with SIGKILL in the middle of a send is redelivered and sends once."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from eduapp.domain.practice import china_day
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Delivery, PenaltyCase, ViolationType
from eduapp.tasks.reminders import scan_reminders
from tests import factories
from tests.test_offsets import world  # noqa: F401 (the fixture)
from tests.test_worker import start_worker, stop_worker

pytestmark = [pytest.mark.redis, pytest.mark.postgres]
ROOT = Path(__file__).resolve().parent.parent
SCAN_AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in China: the moment the worker's scans count from


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps what it receives; it can hold the first session at RCPT."""

    def __init__(self):
        self.messages: list[bytes] = []
        self.hold_first = False
        self.held = threading.Event()
        self._sessions = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        self._sessions += 1
        if self.hold_first and self._sessions == 1:
            self.held.set()
            await asyncio.sleep(60)  # the client is killed while it waits here
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(envelope.content)
        return "250 Message accepted"


class SmtpServer:
    def __init__(self, port: int):
        self.port, self.controller, self.mailbox = port, None, Mailbox()

    def start(self):
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture(scope="module")
def smtp_port():
    return _free_port()


@pytest.fixture(scope="module")
def reminder_worker(app, smtp_port, tmp_path_factory):
    """A worker whose default queue is its own (the send tasks it queues again come back to it)."""
    queue = f"eduapp-reminders-{uuid.uuid4().hex[:8]}"
    celery = app.extensions["celery"]
    saved_queue = celery.conf.task_default_queue
    process = start_worker(
        app, tmp_path_factory.mktemp("reminder-worker"), EDUAPP_CELERY_QUEUE=queue,
        EDUAPP_SMTP_HOST="127.0.0.1", EDUAPP_SMTP_PORT=str(smtp_port), EDUAPP_SMTP_TIMEOUT="5",
        EDUAPP_SMS_QUIET_HOURS="00:00-00:00",  # whatever the clock says while CI runs
        EDUAPP_REMINDER_RETRY_BASE_SECONDS="1", EDUAPP_REMINDER_RETRY_CAP_SECONDS="2",
    )
    celery.conf.task_default_queue = queue
    yield process
    celery.conf.task_default_queue = saved_queue
    stop_worker(process)


@pytest.fixture
def smtp(smtp_port):
    server = SmtpServer(smtp_port)
    yield server
    server.stop()


@pytest.fixture
def fine_due(ctx):
    """A decided, unpaid fine whose 10th day has come: one reminder for the contact (e-mail only)."""
    firm = factories.enterprise("甲企业", 1)
    factories.user("contact-w", firm, Role.ENTERPRISE_CONTACT, email="contact-w@example.com")
    vt = ViolationType(code="AIR-99-1", name="未依法取得排污许可证排放大气污染物", law="中华人民共和国大气污染防治法",
                       article="第九十九条", fine_min=10_000_000, fine_max=100_000_000)
    db.session.add(vt)
    db.session.flush()
    # The worker is a process of its own whose clock cannot be frozen: the scan is given SCAN_AT (at=).
    today = china_day(SCAN_AT)
    db.session.add(PenaltyCase(case_number="示环罚〔2026〕9号", enterprise_id=firm.id, violation_type_id=vt.id,
                               status="decided", opened_on=today - timedelta(days=40),
                               decided_on=today - timedelta(days=10), served_on=today - timedelta(days=10), proposed_fine=5_000_000, final_fine=5_000_000))
    db.session.commit()


def _scan_fine_due() -> dict:
    return scan_reminders.apply_async(kwargs={"kind": "fine_due", "at": SCAN_AT.isoformat()}).get(timeout=60)


def _wait_for(condition, timeout=60.0, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        db.session.expire_all()
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def _email() -> Delivery | None:
    return db.session.execute(select(Delivery).where(Delivery.channel == "email")).scalar_one_or_none()


def test_a_scan_sends_one_message_per_due_item_and_a_rerun_none(reminder_worker, smtp, fine_due):
    smtp.start()
    assert _scan_fine_due() == {"fine_due": 1}
    _wait_for(lambda: len(smtp.mailbox.messages) == 1, what="the e-mail")
    message = email.message_from_bytes(smtp.mailbox.messages[0], policy=email.policy.default)
    assert "示环罚〔2026〕9号" in message["Subject"] and message["To"] == "contact-w@example.com"
    assert _scan_fine_due() == {"fine_due": 0}
    time.sleep(3)
    assert len(smtp.mailbox.messages) == 1
    assert _email().status == "sent" and _email().attempts == 1


def test_smtp_down_then_up_is_retried_and_delivered_once(reminder_worker, smtp, fine_due):
    assert _scan_fine_due() == {"fine_due": 1}
    _wait_for(lambda: _email() is not None and _email().attempts >= 2 and _email().status == "retrying",
              what="two failed tries while SMTP is down")
    assert _email().last_error
    smtp.start()
    _wait_for(lambda: _email().status == "sent", what="the retry after SMTP came back")
    time.sleep(3)
    assert len(smtp.mailbox.messages) == 1


def test_a_worker_killed_in_the_middle_of_a_send_is_redelivered_and_sends_once(reminder_worker, smtp, fine_due):
    smtp.mailbox.hold_first = True
    smtp.start()
    assert _scan_fine_due() == {"fine_due": 1}
    assert smtp.mailbox.held.wait(60), "the send never reached the SMTP server"
    children = subprocess.run(["pgrep", "-P", str(reminder_worker.pid)], capture_output=True, text=True).stdout.split()
    assert children, "no pool process to kill"
    for pid in children:
        os.kill(int(pid), signal.SIGKILL)
    _wait_for(lambda: _email().status == "sent", timeout=90, what="the redelivered send")
    time.sleep(3)
    assert len(smtp.mailbox.messages) == 1
    assert _email().attempts == 1  # the killed try's transaction was rolled back with its connection


def test_many_e_mails_go_out_in_batches_once_each(reminder_worker, smtp, ctx):
    """45 deliveries make three tasks of at most 20 (EDUAPP_REMINDER_SEND_BATCH); each e-mail goes out once."""
    from eduapp.models import Reminder
    from eduapp.tasks.reminders import queue

    smtp.start()
    firm = factories.enterprise("乙企业", 2)
    ids = []
    for n in range(45):
        person = factories.user(f"staff-b{n}", firm, Role.ENTERPRISE_STAFF, email=f"staff-b{n}@example.com")
        reminder = Reminder(kind="exam_closing", object_type="exam", object_id=1, recipient_id=person.id,
                            occasion="1d", params={"title": "年度考试", "close": "2026-12-02 18:00"}, link="/exams/")
        db.session.add(reminder)
        db.session.flush()
        delivery = Delivery(reminder_id=reminder.id, channel="email", status="queued")
        db.session.add(delivery)
        db.session.flush()
        ids.append(delivery.id)
    db.session.commit()
    assert queue(ids) == 45
    _wait_for(lambda: db.session.execute(select(db.func.count()).select_from(Delivery)
                                         .where(Delivery.status == "sent")).scalar_one() == 45,
              what="45 sent deliveries")
    time.sleep(2)
    recipients = [email.message_from_bytes(m, policy=email.policy.default)["To"] for m in smtp.mailbox.messages]
    assert sorted(recipients) == sorted(f"staff-b{n}@example.com" for n in range(45))


def test_a_step_decision_reaches_the_applicant_by_e_mail_once_after_its_commit(reminder_worker, smtp, world):  # noqa: F811
    """services.offset_outcome: the decision's transaction writes the notice, its commit queues the send."""
    from eduapp.services import offsets

    contact = world["contact"]
    contact.email = "contact-a@example.com"
    db.session.commit()
    smtp.start()
    application = offsets.apply(contact, world["cases"][0])
    offsets.decide(world["officer"], application, "approve", "材料齐全")
    _wait_for(lambda: len(smtp.mailbox.messages) == 1, what="the e-mail of the officer's decision")
    message = email.message_from_bytes(smtp.mailbox.messages[0], policy=email.policy.default)
    assert message["To"] == "contact-a@example.com" and "学法从轻申请" in message["Subject"]
    assert "承办人意见：同意" in message.get_body().get_content() and "材料齐全" in message.get_body().get_content()
    time.sleep(3)
    assert len(smtp.mailbox.messages) == 1 and _email().status == "sent"
