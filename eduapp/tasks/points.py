"""The nightly expiry of study points: what is left of each lot past its expiry is written off."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="eduapp.points.expire", ignore_result=False)
def expire_points() -> dict:
    """Safe to run twice: a second run finds nothing left to expire."""
    from eduapp.services import points

    run = points.expire()
    return {"accounts": run.accounts, "lots": run.lots, "points": run.points}
