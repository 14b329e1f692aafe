"""Early-warning reminders: the periodic scan, the sends (one task per channel, so each has its own
rate limit) and the sweep that queues again what a lost task or the quiet hours left pending.

Every task is idempotent: a scan writes each reminder once (its dedupe key), a send sends a delivery
once (services.reminder_sending.deliver). With acks_late and reject_on_worker_lost (the Celery
settings), a send whose worker is killed is redelivered and then done once.
"""

from __future__ import annotations

from celery import current_app as celery_app
from celery import shared_task


def queue(delivery_ids: list[int], countdown: float | None = None) -> int:
    """Hand deliveries to their channel's send task (after the commit that wrote them)."""
    from eduapp.services import reminder_sending

    eager = celery_app.conf.task_always_eager
    if eager and countdown:
        return 0  # in-process: a later try waits for `eduapp reminders run` or the sweep
    tasks = {"email": send_email, "sms": send_sms}
    sent = 0
    for delivery_id, channel in sorted(reminder_sending.channel_of(delivery_ids).items()):
        if channel in tasks:
            tasks[channel].apply_async((delivery_id,), countdown=countdown)
            sent += 1
    return sent


def _deliver(delivery_id: int) -> str:
    from eduapp.services import reminder_sending

    outcome = reminder_sending.deliver(delivery_id)
    if outcome.retry_in is not None and outcome.status in ("retrying", "deferred", "not_yet"):
        queue([delivery_id], countdown=max(1.0, outcome.retry_in))
    return outcome.status


@shared_task(name="eduapp.reminders.send_email", ignore_result=False)
def send_email(delivery_id: int) -> str:
    return _deliver(delivery_id)


@shared_task(name="eduapp.reminders.send_sms", ignore_result=False)
def send_sms(delivery_id: int) -> str:
    return _deliver(delivery_id)


@shared_task(name="eduapp.reminders.scan", ignore_result=False)
def scan_reminders(kind: str | None = None) -> dict:
    """Scan one kind (or all) and queue the new e-mails and SMS; returns {kind: reminders created}."""
    from eduapp.domain.reminders import KINDS
    from eduapp.services import reminders

    created = {}
    for each in (kind,) if kind else KINDS:
        result = reminders.scan(each)
        queue(result.queued)
        created[each] = result.created
    return created


@shared_task(name="eduapp.reminders.sweep", ignore_result=False)
def sweep_deliveries() -> int:
    """Queue again pending deliveries whose time has come and that no task has touched lately."""
    from eduapp.services import reminder_sending

    return queue(reminder_sending.due_pending())
