"""The enterprise hears the outcome of its offset application (reminder kind ``offset_outcome``).

When a step of an application decides, ``notify`` writes the applicant's notice in the caller's
transaction (services.offsets.decide calls it just before its commit): the inbox at once, e-mail and
SMS queued per the person's reminder preferences, under the reminders' dedupe key (kind, application,
applicant, occasion), the occasion naming the step, so each step's decision is told once. The notice
carries the step, its decision and comment, and at the final decision the proposed fine after 从轻
(or that it stays). The e-mail and SMS go to their send tasks once the transaction commits; run
in-process (no broker), they wait for ``eduapp reminders run`` like every other reminder's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import event

from eduapp.domain import reminders as rules
from eduapp.domain.offsets import yuan
from eduapp.extensions import db
from eduapp.services import reminder_due, reminder_sending

COMMENT_CHARS = 200  # of the comment in the notice (the application's page has all of it)
_QUEUE = "eduapp.offset_outcome.deliveries"


def notify(application, step: str, decision: str, comment: str, now: datetime) -> int:
    """Write the applicant's notice of ``step``'s ``decision``; returns how many notices are new (0 or 1).
    The application's case already carries the outcome (the fine after an approval)."""
    comment = " ".join((comment or "").split())
    if len(comment) > COMMENT_CHARS:
        comment = comment[:COMMENT_CHARS - 1] + "…"
    params = {"case": application.case.case_number, "enterprise": application.case.enterprise.name,
              "step": step, "decision": decision, "comment": comment, "fine": yuan(application.case.proposed_fine)}
    due = reminder_due.Due("offset_application", application.id, application.applicant_id,
                           rules.outcome_occasion(step, decision), params, f"/offsets/applications/{application.id}")
    result = reminder_due.write(rules.OFFSET_OUTCOME, [due], now)
    _queue_after_commit(result.queued)
    return result.created


def _queue_after_commit(delivery_ids: list[int]) -> None:
    if not delivery_ids:
        return
    session = db.session()
    session.info.setdefault(_QUEUE, {}).update(reminder_sending.channel_of(delivery_ids))
    if not event.contains(session, "after_commit", _after_commit):
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_soft_rollback", _after_rollback)


def _after_commit(session) -> None:
    from eduapp.tasks.reminders import queue_channels

    pending = session.info.pop(_QUEUE, None)
    if pending:
        queue_channels(pending)


def _after_rollback(session, previous_transaction) -> None:
    session.info.pop(_QUEUE, None)
