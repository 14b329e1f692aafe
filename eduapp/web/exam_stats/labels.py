"""The labels of the exam statistics page and its workbook: the item flags, the question types and
the headings with a "%" (kept here, not in the templates: Jinja's gettext would read the "%" as a
placeholder)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from eduapp.domain import item_stats

FLAG_LABELS = {
    item_stats.TOO_HARD: _l("Too hard"),
    item_stats.TOO_EASY: _l("Too easy"),
    item_stats.NOT_DISCRIMINATING: _l("Not discriminating"),
}
TYPE_LABELS = {
    "single": _l("Single choice"),
    "multiple": _l("Multiple choice"),
    "true_false": _l("True / false"),
    "fill_blank": _l("Fill in the blank"),
}
PERCENT_LABELS = {
    "participation": _l("Participation (%)"),
    "pass_rate": _l("Pass rate (%)"),
    "facility": _l("Facility index (%)"),
    "sd": _l("Standard deviation (%)"),
    "discrimination": _l("Discrimination index (%)"),
    "alpha": _l("Cronbach's alpha (%)"),
}
