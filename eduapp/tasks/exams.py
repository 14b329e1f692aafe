"""Finishing attempts whose time is up, so results and awards do not wait for the candidate."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="eduapp.exams.finalise_overdue", ignore_result=False)
def finalise_overdue_attempts() -> int:
    from eduapp.services import attempts

    return attempts.finalise_overdue()
