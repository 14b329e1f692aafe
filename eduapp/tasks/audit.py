"""The audit trail's periodic jobs: the hourly anchor (as ``eduapp audit anchor``) and the nightly check of
the keyed chain against the anchors (as ``eduapp audit verify``)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="eduapp.audit.verify_chain", ignore_result=False)
def verify_audit_chain() -> dict:
    """Check the whole chain; a break is logged as an error naming the first broken record."""
    from eduapp.services import last_runs

    # The result is also written to the trail (audit.verified), where the administrator's 工作台 reads it.
    result = last_runs.verify_and_record(None)
    if result["broken_record"] is not None or result["reason"] is not None:
        logger.error("audit chain BROKEN at record #%s: %s", result["broken_record"], result["reason"])
    return result


@shared_task(name="eduapp.audit.write_anchor", ignore_result=False)
def write_audit_anchor() -> dict:
    """Append the chain's count and head hash to the anchor file (EDUAPP_AUDIT_ANCHOR_FILE)."""
    from eduapp.services import audit

    anchor = audit.write_anchor()
    return {"count": anchor.count, "head_id": anchor.head_id, "head_hash": anchor.head_hash, "at": anchor.at}
