"""Offset applications whose current step passed its deadline lapse, and their points are released."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="eduapp.offsets.expire_overdue", ignore_result=False)
def expire_overdue_applications() -> int:
    from eduapp.services import offsets

    return offsets.expire_overdue()
