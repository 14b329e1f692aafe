"""The question bank's coverage map (issue 17 item 4), read with a handful of set-based queries: the
published questions with their citations, their draws and their answers each one GROUP BY, however
large the bank and its history; the rule itself is ``domain.coverage``.

- Published questions: status ``published``, cited by their current version's law and article.
- Drawn: how many times a question was put before a learner: an item of an exam paper (attempt_items,
  any version of the question, annulled attempts included: the paper was drawn) plus a practice or
  daily question answered (practice_answers with source practice or daily; a finished exam also writes
  practice answers with source exam, which are not counted twice).
- Facility: the share of right answers over all its practice answers (practice, daily and exam).
- The catalogue: the violation types in the database (``eduapp cases catalogue`` loads them), active
  ones only; while none is loaded, the packaged file eduapp/data/violations.yaml.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import Integer, cast, func, select

from eduapp.domain import coverage as rules
from eduapp.extensions import db
from eduapp.models import AttemptItem, Law, LawArticle, PracticeAnswer, Question, QuestionVersion, ViolationType

PUBLISHED = "published"
DRAW_SOURCES = ("practice", "daily")  # practice answers that are a draw of their own


def catalogue() -> list[rules.CatalogueEntry]:
    """The catalogue's active codes with their articles, in code order (the database's) or file order."""
    rows = db.session.execute(
        select(ViolationType.code, ViolationType.law, ViolationType.article, ViolationType.active)
        .order_by(ViolationType.code)
    ).all()
    if not rows:
        from eduapp.services.cases import read_catalogue

        rows = [(r.code, r.law, r.article, r.active) for r in read_catalogue()]
    return [rules.CatalogueEntry(code, law, article) for code, law, article, active in rows if active]


def published_figures() -> list[rules.QuestionFigures]:
    """Every published question's citation, draws and answers: three grouped queries, no loop over the DB."""
    published = (
        select(Question.id, QuestionVersion.law, QuestionVersion.article)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(Question.status == PUBLISHED)
    )
    in_papers = dict(db.session.execute(
        select(QuestionVersion.question_id, func.count(AttemptItem.id))
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .where(Question.status == PUBLISHED)
        .group_by(QuestionVersion.question_id)
    ).all())
    practice = func.sum(cast(PracticeAnswer.source.in_(DRAW_SOURCES), Integer))
    right = func.sum(cast(PracticeAnswer.correct, Integer))
    answered = {
        question_id: (drawn or 0, answers, right or 0)
        for question_id, drawn, answers, right in db.session.execute(
            select(PracticeAnswer.question_id, practice, func.count(PracticeAnswer.id), right)
            .join(Question, Question.id == PracticeAnswer.question_id)
            .where(Question.status == PUBLISHED)
            .group_by(PracticeAnswer.question_id)
        )
    }
    figures = []
    for question_id, law, article in db.session.execute(published):
        drawn, answers, right_answers = answered.get(question_id, (0, 0, 0))
        figures.append(rules.QuestionFigures(law, article, in_papers.get(question_id, 0) + drawn, answers,
                                             right_answers))
    return figures


def coverage_map(min_questions: int = rules.MIN_QUESTIONS) -> rules.CoverageMap:
    return rules.coverage(catalogue(), published_figures(), min_questions,
                          current_app.config["STATS_MIN_ATTEMPTS"])


def library_slugs(found: rules.CoverageMap) -> dict[tuple[str, str], str]:
    """(law title, article label) → the statute's slug in the law library, for the map's articles the
    library holds (one query)."""
    titles = [law.law for law in found.laws]
    if not titles:
        return {}
    wanted = {(row.law, row.article) for law in found.laws for row in law.articles}
    rows = db.session.execute(
        select(Law.title, Law.slug, LawArticle.label).join(LawArticle, LawArticle.law_id == Law.id)
        .where(Law.title.in_(titles))
    )
    return {(title, label): slug for title, slug, label in rows if (title, label) in wanted}
