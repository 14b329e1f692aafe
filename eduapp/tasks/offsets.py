"""Offset applications whose current step passed its deadline escalate: a reminder (kind
offset_overdue) to the step's holders and the approvers. The application stays open (the bureau's
delay never voids it); the task keeps its name in the beat schedule."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="eduapp.offsets.expire_overdue", ignore_result=False)
def expire_overdue_applications() -> int:
    from eduapp.services import offset_escalation
    from eduapp.tasks.reminders import queue

    overdue, deliveries = offset_escalation.escalate()
    queue(deliveries)
    return overdue
