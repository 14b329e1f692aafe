"""The audit trail's periodic jobs: the hourly anchor (as ``eduapp audit anchor``) and the nightly check of
the keyed chain against the anchors (as ``eduapp audit verify``)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="eduapp.audit.verify_chain", ignore_result=False)
def verify_audit_chain() -> dict:
    """Check the whole chain; a break is logged as an error naming the first broken record."""
    from eduapp.services import audit

    checked, broken = audit.verify()
    if broken is not None:
        logger.error("audit chain BROKEN at record #%s: %s", broken.record_id, broken.reason)
    return {
        "checked": checked,
        "broken_record": broken.record_id if broken else None,
        "reason": broken.reason if broken else None,
    }


@shared_task(name="eduapp.audit.write_anchor", ignore_result=False)
def write_audit_anchor() -> dict:
    """Append the chain's count and head hash to the anchor file (EDUAPP_AUDIT_ANCHOR_FILE)."""
    from eduapp.services import audit

    anchor = audit.write_anchor()
    return {"count": anchor.count, "head_id": anchor.head_id, "head_hash": anchor.head_hash, "at": anchor.at}
