"""The coverage map of the question bank (issue 17 items 3 and 4): per statute and per article, how many
published questions cite it, how often they were drawn, and how easy they were; and the penalty
articles of the violation catalogue that the bank does not cover.

The rule (issue 17 item 3): every violation code of the catalogue has at least ``MIN_QUESTIONS`` (two)
published questions on its article. Several codes can share an article (AIR-99-1, AIR-99-2 and
AIR-99-3 are all 《大气污染防治法》第九十九条): the questions count for the article, so each of those
codes is covered or uncovered together. A question's citation is its statute's full title and the
article's label (第九十九条), as in the catalogue; both are compared after trimming blanks.

Facility here is the share of answers that were right (practice, daily questions and finished exams),
in percent. A handful of answers says little, so an article is called too hard (过难, below
``item_stats.HARD_BELOW``) or too easy (过易, above ``item_stats.EASY_ABOVE``) only when its figure rests
on at least ``min_attempts`` answers (the app's EDUAPP_STATS_MIN_ATTEMPTS, as for exam statistics).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from eduapp.domain.item_stats import EASY_ABOVE, HARD_BELOW, MIN_ATTEMPTS, TOO_EASY, TOO_HARD
from eduapp.domain.laws import parse_label

MIN_QUESTIONS = 2  # published questions a catalogue article needs (issue 17 item 3)


@dataclass(frozen=True)
class CatalogueEntry:
    """A violation code and the article that punishes it (the catalogue's code, law, article)."""

    code: str
    law: str
    article: str


@dataclass(frozen=True)
class QuestionFigures:
    """One published question: its citation, how often it was drawn (into exam papers and practice),
    and its answers (all of them, exam answers included) and how many were right."""

    law: str | None
    article: str | None
    drawn: int = 0
    answers: int = 0
    right: int = 0


def facility(answers: int, right: int) -> float | None:
    """The share of right answers in percent (one decimal); None without answers."""
    return round(100 * right / answers, 1) if answers else None


def facility_flag(answers: int, right: int, min_attempts: int = MIN_ATTEMPTS) -> str | None:
    """TOO_HARD / TOO_EASY from ``min_attempts`` answers on; None below them or in between."""
    value = facility(answers, right)
    if value is None or answers < min_attempts:
        return None
    if value < HARD_BELOW:
        return TOO_HARD
    if value > EASY_ABOVE:
        return TOO_EASY
    return None


@dataclass
class _Figures:
    questions: int = 0
    drawn: int = 0
    answers: int = 0
    right: int = 0

    def add(self, q: QuestionFigures | _Figures, questions: int = 1) -> None:
        self.questions += questions
        self.drawn += q.drawn
        self.answers += q.answers
        self.right += q.right

    @property
    def facility(self) -> float | None:
        return facility(self.answers, self.right)


@dataclass
class ArticleRow(_Figures):
    law: str = ""
    article: str = ""
    codes: tuple[str, ...] = ()  # catalogue codes punished under this article
    covered: bool = True  # False: a catalogue article with fewer than the minimum of questions
    flag: str | None = None  # TOO_HARD / TOO_EASY, only from the minimum sample


@dataclass
class LawRow(_Figures):
    law: str = ""
    articles: list[ArticleRow] = field(default_factory=list)


@dataclass(frozen=True)
class Uncovered:
    code: str
    law: str
    article: str
    questions: int  # published questions on its article (fewer than the minimum)

    def as_dict(self) -> dict:
        return {"code": self.code, "law": self.law, "article": self.article, "questions": self.questions}


@dataclass
class CoverageMap:
    laws: list[LawRow]
    uncovered: list[Uncovered]  # catalogue order
    questions_published: int
    uncited: int  # published questions that name no law or no article
    catalogue_articles: int  # distinct (law, article) of the catalogue
    articles_covered: int  # of those, with at least min_questions questions
    min_questions: int = MIN_QUESTIONS
    min_attempts: int = MIN_ATTEMPTS

    def uncovered_articles(self) -> list[ArticleRow]:
        """The uncovered catalogue articles (each with its codes), in the order of the catalogue."""
        rows = {(r.law, r.article): r for law in self.laws for r in law.articles}
        return [rows[key] for key in dict.fromkeys((u.law, u.article) for u in self.uncovered)]

    def summary(self) -> dict:
        """What ``eduapp questions coverage`` prints as its last line (JSON)."""
        return {
            "uncovered": [u.as_dict() for u in self.uncovered],
            "articles_covered": self.articles_covered,
            "catalogue_articles": self.catalogue_articles,
            "questions_published": self.questions_published,
            "questions_uncited": self.uncited,
            "min_questions": self.min_questions,
        }


def _key(law: str | None, article: str | None) -> tuple[str, str] | None:
    law, article = (law or "").strip(), (article or "").strip()
    return (law, article) if law and article else None


def article_order(label: str) -> tuple:
    """第九条 before 第十条 before 第十条之一; labels that are no article number last, by text."""
    try:
        number, sub = parse_label(label)
    except ValueError:
        return (1, 0, 0, label)
    return (0, number, sub, label)


def coverage(
    catalogue: Iterable[CatalogueEntry],
    questions: Iterable[QuestionFigures],
    min_questions: int = MIN_QUESTIONS,
    min_attempts: int = MIN_ATTEMPTS,
) -> CoverageMap:
    """The map: statutes (by title) → articles (by number), every cited article and every catalogue
    article (with 0 questions when none cites it); the uncovered catalogue codes in catalogue order."""
    catalogue = list(catalogue)
    rows: dict[tuple[str, str], ArticleRow] = {}
    published = uncited = 0
    for q in questions:
        published += 1
        key = _key(q.law, q.article)
        if key is None:
            uncited += 1
            continue
        rows.setdefault(key, ArticleRow(law=key[0], article=key[1])).add(q)
    codes: dict[tuple[str, str], list[str]] = {}
    for entry in catalogue:
        key = _key(entry.law, entry.article)
        if key is not None:
            codes.setdefault(key, []).append(entry.code)
    for key, found in codes.items():
        row = rows.setdefault(key, ArticleRow(law=key[0], article=key[1]))
        row.codes = tuple(found)
        row.covered = row.questions >= min_questions
    uncovered = []
    for entry in catalogue:
        key = _key(entry.law, entry.article)
        if key is not None and not rows[key].covered:
            uncovered.append(Uncovered(entry.code, key[0], key[1], rows[key].questions))
    laws: dict[str, LawRow] = {}
    for key in sorted(rows, key=lambda k: (k[0], article_order(k[1]))):
        row = rows[key]
        row.flag = facility_flag(row.answers, row.right, min_attempts)
        law = laws.setdefault(row.law, LawRow(law=row.law))
        law.articles.append(row)
        law.add(row, row.questions)
    return CoverageMap(
        laws=list(laws.values()),
        uncovered=uncovered,
        questions_published=published,
        uncited=uncited,
        catalogue_articles=len(codes),
        articles_covered=sum(1 for key in codes if rows[key].covered),
        min_questions=min_questions,
        min_attempts=min_attempts,
    )
