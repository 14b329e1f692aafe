"""Early-warning reminders: the periodic scan, the sends (one task per channel, so each has its own
rate limit; a task carries up to REMINDER_SEND_BATCH deliveries) and the sweep that queues again what
a lost task or the quiet hours left pending.

Every task is idempotent: a scan writes each reminder once (its dedupe key), a send sends a delivery
once (services.reminder_sending.deliver). With acks_late and reject_on_worker_lost (the Celery
settings), a send whose worker is killed is redelivered and then done once.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict

from celery import current_app as celery_app
from celery import shared_task
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)


def queue(delivery_ids: list[int], countdown: float | None = None) -> int:
    """Hand deliveries to their channel's send task (after the commit that wrote them), up to
    REMINDER_SEND_BATCH of them a task; returns how many deliveries were queued."""
    from eduapp.services import reminder_sending

    eager = celery_app.conf.task_always_eager
    if eager and countdown:
        return 0  # in-process: a later try waits for `eduapp reminders run` or the sweep
    return _queue(reminder_sending.channel_of(delivery_ids), countdown)


def queue_channels(channels: dict[int, str]) -> int:
    """Hand deliveries whose channel is known (delivery id -> channel) to their send tasks, without a
    database query: callable once a transaction has committed (a session's after_commit). In-process
    (no broker) nothing is sent from there: they wait for `eduapp reminders run` or the sweep."""
    if celery_app.conf.task_always_eager:
        return 0
    return _queue(channels, None)


def _queue(channels: dict[int, str], countdown: float | None) -> int:
    from flask import current_app

    tasks = {"email": send_email, "sms": send_sms}
    by_channel: dict[str, list[int]] = defaultdict(list)
    for delivery_id, channel in sorted(channels.items()):
        if channel in tasks:
            by_channel[channel].append(delivery_id)
    batch = current_app.config["REMINDER_SEND_BATCH"]
    queued = 0
    for channel, ids in by_channel.items():
        for start in range(0, len(ids), batch):
            chunk = ids[start:start + batch]
            try:
                tasks[channel].apply_async((chunk,), countdown=countdown)
            except OperationalError:
                # The broker (Redis) is down: the deliveries stay pending in the database, and the
                # sweep queues them again once it can (reminder_sending.STALE_AFTER). Never fail the
                # request or commit that wrote them.
                left = sum(len(rest) for rest in by_channel.values()) - queued
                log.warning("reminders: the task queue is unreachable; %d deliveries not queued now, "
                            "the sweep will queue them again", left)
                return queued
            queued += len(chunk)
    return queued


def _deliver(delivery_ids: list[int] | int) -> dict[str, int]:
    """Send each delivery in its own transaction; one that raises does not stop the others (it stays
    pending, and the sweep queues it again). Returns how many ended in each outcome."""
    from eduapp.extensions import db
    from eduapp.services import reminder_sending

    outcomes: Counter[str] = Counter()
    if isinstance(delivery_ids, int):  # a task queued before sends were batched
        delivery_ids = [delivery_ids]
    for delivery_id in delivery_ids:
        try:
            outcome = reminder_sending.deliver(delivery_id)
        except Exception:
            db.session.rollback()
            log.exception("reminder delivery %s: the send raised; the sweep will queue it again", delivery_id)
            outcomes["error"] += 1
            continue
        outcomes[outcome.status] += 1
        if outcome.retry_in is not None and outcome.status in ("retrying", "deferred", "not_yet"):
            queue([delivery_id], countdown=max(1.0, outcome.retry_in))
    return dict(outcomes)


# ignore_result: the outcome of each send is its delivery row (the delivery log).
@shared_task(name="eduapp.reminders.send_email", ignore_result=True)
def send_email(delivery_ids: list[int] | int) -> dict[str, int]:
    return _deliver(delivery_ids)


@shared_task(name="eduapp.reminders.send_sms", ignore_result=True)
def send_sms(delivery_ids: list[int] | int) -> dict[str, int]:
    return _deliver(delivery_ids)


@shared_task(name="eduapp.reminders.scan", ignore_result=False)
def scan_reminders(kind: str | None = None, at: str | None = None) -> dict:
    """Scan one kind (or all) and queue the new e-mails and SMS; returns {kind: reminders created}.
    ``at``: the moment the scan counts its days from, ISO 8601 with a time zone (a replay after an outage,
    or a test that cannot freeze the worker's clock); the beat never passes it, so the scan counts from now."""
    from datetime import datetime

    from eduapp.domain.reminders import KINDS
    from eduapp.services import last_runs, reminders

    now = datetime.fromisoformat(at) if at else None
    if now is not None and now.tzinfo is None:
        raise ValueError(f"at needs a time zone: {at!r}")
    created = {}
    for each in (kind,) if kind else KINDS:
        result = reminders.scan(each, now)
        queue(result.queued)
        created[each] = result.created
    if not kind:
        last_runs.record_scan()  # the administrator's 工作台 shows when the beat's scan last ran
    return created


@shared_task(name="eduapp.reminders.sweep", ignore_result=False)
def sweep_deliveries() -> int:
    """Queue again pending deliveries whose time has come and that no task has touched lately."""
    from eduapp.services import reminder_sending

    return queue(reminder_sending.due_pending())
