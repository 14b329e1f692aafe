"""The coverage map for question editors: per statute and article the published questions, how often
they were drawn and their facility; the catalogue's uncovered penalty articles first."""

from __future__ import annotations

from flask import render_template

from eduapp.domain.item_stats import TOO_EASY, TOO_HARD
from eduapp.domain.roles import Permission
from eduapp.security import require
from eduapp.services import coverage
from eduapp.web.exam_stats.labels import FLAG_LABELS
from eduapp.web.questions import bp


@bp.route("/coverage")
@require(Permission.QUESTIONS_EDIT)
def coverage_map():
    found = coverage.coverage_map()
    return render_template(
        "questions/coverage.html",
        found=found,
        slugs=coverage.library_slugs(found),
        flags={TOO_HARD: (FLAG_LABELS[TOO_HARD], "text-bg-danger"),
               TOO_EASY: (FLAG_LABELS[TOO_EASY], "text-bg-warning")},
    )
