"""What every module of the offset workflow shares: the open statuses, the permission of each step,
the error a step raises, the bureau's calendar day, the case's open application and how an
application ends (its reserved points posted or released).

services.offsets (the workflow), services.offset_facts (a pending application follows its case) and
services.offset_steps (what a step needs besides the four eyes) import this module, never each other
back; services.offsets re-exports its names.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from eduapp.domain import offsets as rules
from eduapp.domain.roles import Permission
from eduapp.extensions import db
from eduapp.models import OffsetApplication, utcnow
from eduapp.services import reservations

LOCAL = ZoneInfo("Asia/Shanghai")
OPEN = ("pending_officer", "pending_reviewer", "pending_approver")
STEP_PERMISSION = {"officer": Permission.CASES_HANDLE, "reviewer": Permission.OFFSETS_REVIEW,
                   "approver": Permission.OFFSETS_APPROVE}
STATUS_STEP = {v: k for k, v in rules.STEP_STATUS.items()}


class OffsetError(Exception):
    def __init__(self, code: str, msgid: str, status: int = 409, **params):
        super().__init__(code)
        self.code, self.msgid, self.status, self.params = code, msgid, status, params


def today_local(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(LOCAL).date()


def open_application(case_id: int) -> OffsetApplication | None:
    return db.session.execute(
        select(OffsetApplication).where(OffsetApplication.case_id == case_id, OffsetApplication.status.in_(OPEN))
    ).unique().scalar_one_or_none()


def settle(application: OffsetApplication, status: str, now: datetime) -> None:
    application.status = status
    application.finished_at = now
    application.step_deadline = None
    if application.reservation_id is not None:
        if status == "approved":  # only what the evaluation at approval uses; the rest goes back
            reservations.post(application.reservation_id, points=application.points, now=now, commit=False)
        else:
            reservations.void(application.reservation_id, now=now, commit=False)
