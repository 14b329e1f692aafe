"""Study points: the nightly expiry (what is left of each lot past its expiry is written off) and the
placing points of competitions that have closed."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="eduapp.points.expire", ignore_result=False)
def expire_points() -> dict:
    """Safe to run twice: a second run finds nothing left to expire."""
    from eduapp.services import awards

    run = awards.expire()
    return {"accounts": run.accounts, "lots": run.lots, "points": run.points}


@shared_task(name="eduapp.points.award_competitions", ignore_result=False)
def award_competition_placings() -> dict:
    """Safe to run twice: each placing is awarded once (its source key)."""
    from eduapp.services import competitions

    return {str(exam_id): n for exam_id, n in competitions.award_due_competitions().items()}
