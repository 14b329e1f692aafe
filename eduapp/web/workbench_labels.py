"""Names the 工作台 shows for codes (case stages, review steps, reminder kinds), in the reader's language."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from eduapp.domain import cases as case_rules
from eduapp.domain import reminders as reminder_rules

STEP_LABELS = {"officer": _l("Case officer's review"), "reviewer": _l("Legal review"),
               "approver": _l("Approval")}


def workbench_labels() -> dict:
    return {
        "case_status": {code: gettext(text) for code, text in case_rules.STATUS_LABELS.items()},
        "step": {code: str(text) for code, text in STEP_LABELS.items()},
        "kind": {code: gettext(text) for code, text in reminder_rules.KIND_LABELS.items()},
    }
