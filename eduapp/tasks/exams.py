"""Finishing attempts whose time is up, so results and awards do not wait for the candidate."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task

FINALISE_GRACE = timedelta(seconds=20)


@shared_task(name="eduapp.exams.finalise_overdue", ignore_result=False)
def finalise_overdue_attempts() -> int:
    """Attempts whose deadline passed over FINALISE_GRACE ago: an answer that reached us before the
    deadline but still waits in a busy server's queue finds its attempt open (eduapp/request_time.py)."""
    from eduapp.services import attempts

    return attempts.finalise_overdue(grace=FINALISE_GRACE)


@shared_task(name="eduapp.exams.prepare_papers", ignore_result=False)
def prepare_papers() -> dict[int, int]:
    """Draw the papers of exams opening soon (EXAM_PREPARE_MINUTES ahead), so that the opening minute
    only copies them; forget those of closed exams. Returns {exam id: papers drawn}."""
    from flask import current_app

    from eduapp.services import papers

    return papers.prepare_upcoming(current_app.config["EXAM_PREPARE_MINUTES"])
