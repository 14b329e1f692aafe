"""Exams for exam managers: every exam (paginated, filtered) and an exam's statistics, the figures the
statistics page shows. Scores are in points; percentages from 0 to 100."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext
from marshmallow import Schema, fields, validate

from eduapp.api.bureau_common import (
    ID,
    BureauBlueprint,
    Flag,
    Id,
    PageArgs,
    Text,
    api_error,
    errors,
    page_out,
    page_schema,
)
from eduapp.api.common import Points
from eduapp.domain.blueprint import max_score
from eduapp.domain.roles import Permission
from eduapp.extensions import db
from eduapp.models import Organisation, utcnow
from eduapp.security import require
from eduapp.services import bureau_queries, exam_stats, exams

blp = BureauBlueprint("api_exam_admin", __name__, url_prefix="/api/v1", description="Exam management (exam managers)")


class ExamListArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(["draft", "published"]))
    state = fields.String(validate=validate.OneOf(["upcoming", "open", "closed"]),
                          metadata={"description": "by the time now: not yet open, open, or closed"})
    is_competition = Flag()
    q = Text(validate=validate.Length(min=1, max=200), metadata={"description": "text in the title"})


class ManagedExamOut(Schema):
    id = fields.Integer()
    title = fields.String()
    is_competition = fields.Boolean()
    status = fields.String(metadata={"description": "draft | published"})
    state = fields.String(metadata={"description": "upcoming | open | closed"})
    open_at = fields.DateTime()
    close_at = fields.DateTime()
    duration_minutes = fields.Integer()
    attempts_allowed = fields.Integer()
    grading_method = fields.String()
    pass_score = fields.Integer()
    max_score = fields.Integer()
    points_on_pass = fields.Integer()
    attempts = fields.Integer(metadata={"description": "attempts started, by every candidate"})
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


ManagedExamPageOut = page_schema("ManagedExamPageOut", ManagedExamOut)


class StatisticsArgs(Schema):
    org_id = Id(strict=False, metadata={"description": "only the candidates of this organisation and its units"})


class OrgRefOut(Schema):
    id = fields.Integer()
    name = fields.String()


class ParticipationOut(Schema):
    candidates = fields.Integer(metadata={"description": "the audience (active accounts) and anyone who attempted"})
    attempted = fields.Integer()
    finished = fields.Integer()
    passed = fields.Integer()
    participation = fields.Float(allow_none=True, metadata={"description": "finished, % of the candidates"})
    pass_rate = fields.Float(allow_none=True, metadata={"description": "passed, % of those who finished"})
    mean_score = fields.Float(allow_none=True)


class OrgParticipationOut(ParticipationOut):
    org_id = fields.Integer(allow_none=True)
    name = fields.String()
    depth = fields.Integer(metadata={"description": "0 for a top organisation, 1 for its units, …"})
    parent_name = fields.String()


class BandOut(Schema):
    low = fields.Float()
    high = fields.Float()
    count = fields.Integer()


class SummaryOut(Schema):
    attempts = fields.Integer(metadata={"description": "counting attempts (one per candidate)"})
    mean = fields.Float(allow_none=True)
    median = fields.Float(allow_none=True)
    sd = fields.Float(allow_none=True)
    alpha = fields.Float(allow_none=True, metadata={"description": "Cronbach's alpha as a percentage; null below "
                                                                   "min_attempts (EDUAPP_STATS_MIN_ATTEMPTS)"})
    min_attempts = fields.Integer(metadata={"description": "attempts needed for alpha and item flags"})
    sample_ok = fields.Boolean(metadata={"description": "attempts >= min_attempts: alpha and flags are given"})


class ItemStatsOut(Schema):
    question_id = fields.Integer()
    uid = fields.String()
    version = fields.Integer()
    qtype = fields.String()
    stem = fields.String()
    positions = fields.List(fields.Integer(), metadata={"description": "the places (1-based) it was shown at"})
    points = fields.Float()
    attempts = fields.Integer()
    facility = fields.Float(allow_none=True, metadata={"description": "mean mark, % of the item's points"})
    sd = fields.Float(allow_none=True)
    discrimination = fields.Float(allow_none=True, metadata={"description": "-100 to 100"})
    flags = fields.List(fields.String(), metadata={"description": "too_hard, too_easy, not_discriminating; none "
                                                                 "while sample_ok is false"})
    sample_ok = fields.Boolean(metadata={"description": "attempts >= min_attempts: the item may be flagged"})


class StatisticsOut(Schema):
    exam_id = fields.Integer()
    title = fields.String()
    pass_score = fields.Integer()
    max_score = Points()
    organisation = fields.Nested(OrgRefOut, allow_none=True, metadata={"description": "the filter, if any"})
    total = fields.Nested(ParticipationOut)
    organisations = fields.List(fields.Nested(OrgParticipationOut))
    histogram = fields.List(fields.Nested(BandOut), metadata={"description": "ten equal score bands"})
    summary = fields.Nested(SummaryOut)
    items = fields.List(fields.Nested(ItemStatsOut))


def _state(exam, now) -> str:
    return "upcoming" if now < exam.open_at else ("open" if now < exam.close_at else "closed")


def _participation(row: exam_stats.OrgRow) -> dict:
    return {"candidates": row.candidates, "attempted": row.attempted, "finished": row.finished,
            "passed": row.passed, "participation": row.participation, "pass_rate": row.pass_rate,
            "mean_score": row.mean}


@blp.route("/exams/manage")
@require(Permission.EXAMS_MANAGE)
@errors(blp)
@blp.arguments(ExamListArgs, location="query")
@blp.response(200, ManagedExamPageOut)
def list_exams(args):
    """Every exam, drafts included, the latest closing first (``per_page`` at most 100)."""
    now = utcnow()
    query = bureau_queries.exams(now=now, status=args.get("status"), state=args.get("state"),
                                 q=(args.get("q") or "").strip() or None, is_competition=args.get("is_competition"))
    rows, total = bureau_queries.paginate(query, args["page"], args["per_page"])
    items = []
    for exam, attempts in rows:
        items.append({
            "id": exam.id, "title": exam.title, "is_competition": exam.is_competition, "status": exam.status,
            "state": _state(exam, now), "open_at": exam.open_at, "close_at": exam.close_at,
            "duration_minutes": exam.duration_minutes, "attempts_allowed": exam.attempts_allowed,
            "grading_method": exam.grading_method, "pass_score": exam.pass_score,
            "max_score": max_score(exams.sections_of(exam)), "points_on_pass": exam.points_on_pass,
            "attempts": attempts, "created_at": exam.created_at, "updated_at": exam.updated_at,
        })
    return page_out(items, total, args)


@blp.route(f"/exams/<{ID}:exam_id>/statistics")
@require(Permission.EXAMS_MANAGE)
@errors(blp, 404)
@blp.arguments(StatisticsArgs, location="query")
@blp.response(200, StatisticsOut)
def statistics(args, exam_id: int):
    """Participation and pass rate in all and per organisation, the score histogram, the summary
    (mean, median, SD, Cronbach's alpha) and the item statistics of the attempts that count."""
    exam = exams.get(exam_id)
    if exam is None:
        abort(404)
    org = None
    if args.get("org_id"):
        org = db.session.get(Organisation, args["org_id"])
        if org is None:
            text = gettext("No such organisation.")
            raise api_error(404, "not_found", f"org_id: {text}", {"org_id": text})
    report = exam_stats.report(exam, org)
    return {
        "exam_id": exam.id, "title": exam.title, "pass_score": exam.pass_score, "max_score": report.max_score,
        "organisation": {"id": org.id, "name": org.name} if org else None,
        "total": _participation(report.total),
        "organisations": [{**_participation(r), "org_id": r.org_id, "name": r.name, "depth": r.depth,
                           "parent_name": r.parent_name} for r in report.orgs],
        "histogram": [{"low": low, "high": high, "count": count} for low, high, count in report.histogram],
        "summary": vars(report.stats),
        "items": [{"question_id": q.question_id, "uid": q.uid, "version": q.version, "qtype": q.qtype,
                   "stem": q.stem, "positions": [s + 1 for s in q.slots], "points": q.points,
                   "attempts": q.stats.attempts, "facility": q.stats.facility, "sd": q.stats.sd,
                   "discrimination": q.stats.discrimination, "flags": list(q.stats.flags),
                   "sample_ok": q.stats.sample_ok}
                  for q in report.questions],
    }
