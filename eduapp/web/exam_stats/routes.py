"""Exam statistics for exam managers, and competition leaderboards for candidates."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_login import current_user

from eduapp.domain.roles import Permission
from eduapp.extensions import db
from eduapp.models import Exam, Organisation
from eduapp.security import require, signed_in
from eduapp.services import exam_stats, exams
from eduapp.web.exam_stats import bp
from eduapp.web.exam_stats.export import export_xlsx
from eduapp.web.exam_stats.labels import FLAG_LABELS, PERCENT_LABELS, TYPE_LABELS
from eduapp.web.helpers import id_arg

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _exam_or_404(exam_id: int) -> Exam:
    exam = exams.get(exam_id)
    if exam is None:
        abort(404)
    return exam


def _org_arg() -> Organisation | None:
    """?org=<id>: an organisation that exists, or none; anything else is not found."""
    if not request.args.get("org", "").strip():
        return None
    org_id = id_arg("org")
    org = db.session.get(Organisation, org_id) if org_id else None
    if org is None:
        abort(404)
    return org


def number(value: float | int | None, digits: int = 2) -> str:
    """A figure without trailing zeros (18.5, 20); a dash when there is none."""
    if value is None:
        return "–"
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def duration(seconds: int) -> str:
    """Time taken as m:ss or h:mm:ss."""
    hours, rest = divmod(max(int(seconds), 0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@bp.route("/manage/exams/<id:exam_id>/stats")
@require(Permission.EXAMS_MANAGE)
def stats(exam_id: int):
    exam = _exam_or_404(exam_id)
    data = exam_stats.report(exam, _org_arg())
    tallest = max((count for _, _, count in data.histogram), default=0)
    return render_template(
        "exam_stats/report.html",
        exam=exam,
        r=data,
        tallest=tallest,
        flag_labels=FLAG_LABELS,
        type_labels=TYPE_LABELS,
        pct=PERCENT_LABELS,
        number=number,
    )


@bp.route("/manage/exams/<id:exam_id>/stats.xlsx")
@require(Permission.EXAMS_MANAGE)
def stats_xlsx(exam_id: int):
    exam = _exam_or_404(exam_id)
    return Response(
        export_xlsx(exam),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="exam-{exam.id}-statistics.xlsx"'},
    )


@bp.route("/exams/<id:exam_id>/leaderboard")
@signed_in
def leaderboard(exam_id: int):
    """Competitions only, for their candidates and for exam managers; anyone else finds nothing here."""
    user = current_user._get_current_object()
    exam = exams.competition_for(exam_id, user)
    if exam is None:
        abort(404)
    view = "orgs" if request.args.get("view") == "orgs" else "people"
    org = _org_arg() if view == "people" else None
    board = exam_stats.leaderboard(exam, org.id if org else None, viewer_id=user.id) if view == "people" else None
    orgs = exam_stats.org_leaderboard(exam) if view == "orgs" else None
    return render_template(
        "exam_stats/leaderboard.html",
        exam=exam,
        view=view,
        org=org,
        board=board,
        orgs=orgs,
        number=number,
        duration=duration,
    )
