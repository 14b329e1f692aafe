"""The leaderboard of a knowledge competition (知识竞赛排行榜), as the page /exams/<id>/leaderboard shows it:
the same candidates, order and visibility (services.exam_stats).

Only competitions have one, and only their candidates and exam managers see it; for anyone else, and
for an exam that is not a competition, it is not found (404). Candidates are ranked by their best
finished score, then the time it took; ties share a rank. The page shows names and organisations
unmasked to the competition's own candidates, and so does this.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from marshmallow import Schema, fields, validate

from eduapp.api.arguments import Blueprint
from eduapp.api.common import ID, MAX_ID
from eduapp.api.errors import responds
from eduapp.extensions import db
from eduapp.models import Organisation
from eduapp.security import signed_in
from eduapp.services import exam_stats, exams

blp = Blueprint("api_leaderboard", __name__, url_prefix="/api/v1", description="Competition leaderboards")


class LeaderboardArgs(Schema):
    org = fields.Integer(validate=validate.Range(min=1, max=MAX_ID), metadata={
        "description": "only this organisation and its sub-units (e.g. my own: organisation.id of GET /me)"})


class LeaderboardEntryOut(Schema):
    rank = fields.Integer(required=True, metadata={"description": "ties share a rank"})
    name = fields.String(required=True)
    organisation = fields.String(required=True)
    organisation_id = fields.Integer(required=True)
    score = fields.Float(required=True, metadata={"description": "the best finished score, in points"})
    seconds = fields.Integer(required=True, metadata={"description": "time that attempt took"})
    me = fields.Boolean(required=True, metadata={"description": "this is my own entry"})


class LeaderboardOut(Schema):
    exam_id = fields.Integer(required=True)
    exam_title = fields.String(required=True)
    organisation = fields.String(allow_none=True, required=True, metadata={"description": "the ?org= chosen"})
    total = fields.Integer(required=True, metadata={"description": "candidates ranked"})
    entries = fields.List(fields.Nested(LeaderboardEntryOut), required=True, metadata={"description": "the first 100"})
    mine = fields.Nested(LeaderboardEntryOut, allow_none=True, required=True,
                         metadata={"description": "my entry, wherever it ranks; null: no finished attempt"})


class LeaderboardOrgOut(Schema):
    rank = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    name = fields.String(required=True)
    participants = fields.Integer(required=True)
    average = fields.Float(required=True, metadata={"description": "of the participants' best scores, in points"})
    mine = fields.Boolean(required=True, metadata={"description": "my own organisation"})


def _competition(exam_id: int):
    """The competition, if the signed-in person may see its leaderboard (as the page: 404 otherwise)."""
    exam = exams.competition_for(exam_id, current_user._get_current_object())
    if exam is None:
        abort(404)
    return exam


def _entry(entry: exam_stats.Entry) -> dict:
    return {"rank": entry.rank, "name": entry.name, "organisation": entry.org_name, "organisation_id": entry.org_id,
            "score": entry.score, "seconds": entry.seconds, "me": entry.user_id == current_user.id}


@blp.route(f"/exams/<{ID}:exam_id>/leaderboard")
@signed_in
@blp.arguments(LeaderboardArgs, location="query")
@blp.response(200, LeaderboardOut)
@responds(blp, 401, 403, 404)
def leaderboard(args, exam_id: int):
    """A competition's candidates by best score, then time taken (the first 100, and my own place);
    ``org``: within an organisation and its sub-units (an unknown one is 404)."""
    exam = _competition(exam_id)
    org = None
    if args.get("org") is not None:
        org = db.session.get(Organisation, args["org"])
        if org is None:
            abort(404)
    board = exam_stats.leaderboard(exam, org.id if org else None, viewer_id=current_user.id)
    return {"exam_id": exam.id, "exam_title": exam.title, "organisation": org.name if org else None,
            "total": board.total, "entries": [_entry(e) for e in board.entries],
            "mine": _entry(board.viewer) if board.viewer else None}


@blp.route(f"/exams/<{ID}:exam_id>/leaderboard/organisations")
@signed_in
@blp.response(200, LeaderboardOrgOut(many=True))
@responds(blp, 401, 403, 404)
def organisations(exam_id: int):
    """The candidates' organisations by the average of their participants' best scores."""
    exam = _competition(exam_id)
    return [{"rank": o.rank, "organisation_id": o.org_id, "name": o.name, "participants": o.participants,
             "average": o.average, "mine": o.org_id == current_user.organisation_id}
            for o in exam_stats.org_leaderboard(exam)]
