"""The question bank's coverage map for question editors (issue 17 item 4): per statute and article the
published questions, how often they were drawn and their facility, and the violation catalogue's codes
whose article has fewer than ``min_questions`` published questions (domain.coverage)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from eduapp.api.bureau_common import BureauBlueprint, errors
from eduapp.domain.coverage import MIN_QUESTIONS
from eduapp.domain.roles import Permission
from eduapp.security import require
from eduapp.services import coverage

blp = BureauBlueprint("api_question_coverage", __name__, url_prefix="/api/v1",
                      description="The question bank's coverage of the statutes (editors)")


class CoverageArgs(Schema):
    min_questions = fields.Integer(load_default=MIN_QUESTIONS, validate=validate.Range(1, 100),
                                   metadata={"description": "published questions a catalogue article needs"})


class CoverageFiguresOut(Schema):
    questions = fields.Integer(metadata={"description": "published questions citing it"})
    drawn = fields.Integer(metadata={"description": "times its questions were put into exam papers or answered "
                                                    "in practice (practice and daily questions)"})
    answers = fields.Integer(metadata={"description": "answers to its questions (practice, daily and exam): "
                                                      "what the facility rests on"})
    right = fields.Integer(metadata={"description": "of those, right"})
    facility = fields.Float(allow_none=True, metadata={"description": "share of right answers in percent; "
                                                                      "null without answers"})


class CoverageArticleOut(CoverageFiguresOut):
    article = fields.String(metadata={"description": "the article's label, e.g. 第九十九条"})
    codes = fields.List(fields.String(), metadata={"description": "catalogue codes punished under the article"})
    covered = fields.Boolean(metadata={"description": "false: a catalogue article with fewer than "
                                                     "min_questions published questions"})
    flag = fields.String(allow_none=True, metadata={"description": "too_hard (facility below 20) or too_easy "
                                                                  "(above 90), only from min_attempts answers"})


class CoverageLawOut(CoverageFiguresOut):
    law = fields.String(metadata={"description": "the statute's full title"})
    articles = fields.List(fields.Nested(CoverageArticleOut))


class CoverageUncoveredOut(Schema):
    code = fields.String()
    law = fields.String()
    article = fields.String()
    questions = fields.Integer(metadata={"description": "published questions on its article"})


class CoverageOut(Schema):
    uncovered = fields.List(fields.Nested(CoverageUncoveredOut), metadata={"description": "in catalogue order"})
    articles_covered = fields.Integer(metadata={"description": "catalogue articles with enough questions"})
    catalogue_articles = fields.Integer(metadata={"description": "distinct articles of the active catalogue"})
    questions_published = fields.Integer()
    questions_uncited = fields.Integer(metadata={"description": "published questions citing no law or article"})
    min_questions = fields.Integer()
    min_attempts = fields.Integer(metadata={"description": "answers a flag needs (EDUAPP_STATS_MIN_ATTEMPTS)"})
    laws = fields.List(fields.Nested(CoverageLawOut))


@blp.route("/questions/coverage")
@require(Permission.QUESTIONS_EDIT)
@errors(blp)
@blp.arguments(CoverageArgs, location="query")
@blp.response(200, CoverageOut)
def question_coverage(args):
    """The coverage map: the catalogue's uncovered codes, then per statute and article the figures (the
    same as ``eduapp questions coverage`` and the page /questions/coverage)."""
    found = coverage.coverage_map(args["min_questions"])
    return {**found.summary(), "min_attempts": found.min_attempts, "laws": found.laws}
