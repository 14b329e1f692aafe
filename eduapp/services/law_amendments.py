"""Amendments and repeals flowing into the question bank (docs/laws.md “Amendments and repeals”).

``add_version`` is called by the import (services.laws) when a file brings a new version of a statute
already in the library (the same title): the earlier version is kept and points to the new one, the two
are aligned article by article (eduapp.domain.law_amendments) and the diff is stored; then every
question whose current version cites the earlier version is dealt with:

- its article **renumbered** (same text, new number): the citation moves: a new version of the question,
  the same in all but the article, with a note saying why (the question's history shows it), and an
  audit record ``question.citation_moved``;
- its article **changed** or **removed**: the question is flagged (``review_reason``) and left out of
  new papers (``in_service``) until an editor reviews it (``review``: audited ``question.reviewed``); a
  changed article that also moved has its citation moved as well.

Attempts already taken keep what they showed: they point at question versions, which never change.

``repeal`` sets a statute's repeal date: from that day (China time) its questions are left out of new
papers; before it, nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import and_, exists, not_, select

from eduapp.domain import law_amendments as rules
from eduapp.domain.laws import LawDocument, version_of
from eduapp.domain.practice import china_day
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.domain.questions import fingerprint
from eduapp.extensions import db
from eduapp.models import Law, LawAmendment, LawArticle, Question, QuestionVersion, User, utcnow
from eduapp.services import audit

FLAGGED_KINDS = (rules.CHANGED, rules.REMOVED)
SUMMARY_KEYS = (*(f"articles_{kind}" for kind in rules.KINDS), "questions_flagged", "citations_moved")


@dataclass
class AmendmentOutcome:
    amendment: LawAmendment
    counts: dict[str, int]
    flagged: list[str] = field(default_factory=list)  # question uids
    moved: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {**self.counts, "questions_flagged": len(self.flagged), "citations_moved": len(self.moved)}


def total(outcomes: list[AmendmentOutcome]) -> dict[str, int]:
    """The sums of every outcome's summary (all keys present, 0 when there was no amendment)."""
    out = dict.fromkeys(SUMMARY_KEYS, 0)
    for outcome in outcomes:
        for key, value in outcome.summary().items():
            out[key] += value
    return out


def current_by_title(title: str) -> Law | None:
    """The version in force of the statute titled ``title``."""
    return db.session.execute(
        select(Law).where(Law.title == title, Law.superseded_by_id.is_(None))
    ).scalar_one_or_none()


def is_new_version(current: Law, doc: LawDocument) -> bool:
    """Whether ``doc`` is a later version of ``current`` rather than a correction of the same file."""
    return current.slug != doc.slug or version_of(current.history) != version_of(doc.history)


def add_version(current: Law, doc: LawDocument, actor: User | None = None,
                level: str | None = None) -> tuple[Law, AmendmentOutcome]:
    """Store ``doc`` as the version of ``current`` now in force; flush, no commit (the import commits)."""
    if current.slug == doc.slug:  # the same file, amended: the earlier version moves to a dated address
        current.slug = f"{doc.slug}-{version_of(current.history)[:10] or current.id}"[:100]
        db.session.flush()
    new = Law(slug=doc.slug, title=doc.title, history=doc.history, imported_at=utcnow(),
              level=level or current.level)
    new.articles.extend(
        LawArticle(label=a.label, number=a.number, position=a.position, chapter=a.chapter, section=a.section,
                   text=a.text)
        for a in doc.articles
    )
    db.session.add(new)
    db.session.flush()
    current.superseded_by_id = new.id
    alignment = rules.align([rules.Article(a.label, a.text) for a in current.articles],
                            [rules.Article(a.label, a.text) for a in doc.articles])
    amendment = LawAmendment(
        old_law_id=current.id, new_law_id=new.id, counts=alignment.counts(),
        pairs=[[p.kind, p.old.label if p.old else None, p.new.label if p.new else None, round(p.ratio, 3)]
               for p in alignment.pairs],
    )
    db.session.add(amendment)
    db.session.flush()
    outcome = AmendmentOutcome(amendment, alignment.counts())
    _follow(outcome, alignment, doc.title, actor)
    audit.record("laws.amend", actor=actor, obj_type="law", obj_id=new.slug,
                 summary={"title": doc.title, **outcome.summary()})
    return new, outcome


def _follow(outcome: AmendmentOutcome, alignment: rules.Alignment, title: str, actor: User | None) -> None:
    """Move the citations of renumbered articles, flag the questions citing changed or removed ones."""
    by_old = alignment.of_old()
    citing = db.session.execute(
        select(Question, QuestionVersion)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(QuestionVersion.law == title, QuestionVersion.article.in_(list(by_old)))
        .order_by(Question.uid)
    ).all()
    for question, version in citing:
        pair = by_old[version.article]
        if pair.kind == rules.UNCHANGED:
            continue
        if pair.new is not None and pair.moved:
            _move(question, version, pair.new.label, outcome.amendment.id, actor)
            outcome.moved.append(question.uid)
        if pair.kind in FLAGGED_KINDS:
            question.review_reason = pair.kind
            question.review_amendment_id = outcome.amendment.id
            outcome.flagged.append(question.uid)
    db.session.flush()


def _move(question: Question, version: QuestionVersion, label: str, amendment_id: int, actor: User | None) -> None:
    """A new version of ``question`` citing ``label``, noted as moved by the amendment."""
    from eduapp.services import question_bank

    data = replace(question_bank.as_data(question, version), article=label)
    question_bank.insert_versions([(question.id, data, fingerprint(data))], actor)
    db.session.flush()
    db.session.refresh(question)
    question.current.note = {"moved_from": version.article, "moved_to": label, "amendment": amendment_id}
    audit.record("question.citation_moved", actor=actor, obj_type="question", obj_id=question.uid,
                 summary={"law": version.law, "from": version.article, "to": label,
                          "version": question.current.number})


# --- review ------------------------------------------------------------------------------------------


def review(actor: User, question: Question, ip: str | None = None) -> None:
    """An editor has checked a flagged question against the new text: it may be drawn again."""
    if question.review_reason is None:
        raise InputError([Problem(N_("This question is not waiting for review."), {}, "question")])
    reason, amendment_id = question.review_reason, question.review_amendment_id
    question.review_reason = None
    question.review_amendment_id = None
    audit.record("question.reviewed", actor=actor, obj_type="question", obj_id=question.uid,
                 summary={"reason": reason, "amendment": amendment_id}, ip=ip)
    db.session.commit()


def waiting(amendment: LawAmendment) -> list[Question]:
    """The questions this amendment flagged that still wait for review."""
    return list(db.session.execute(
        select(Question).where(Question.review_amendment_id == amendment.id, Question.review_reason.is_not(None))
        .order_by(Question.uid)
    ).scalars())


# --- repeal ------------------------------------------------------------------------------------------


def repeal(title: str, on: date, actor: User | None = None) -> dict:
    """Repeal the statute titled ``title`` on ``on``; returns {"title", "repealed_on", "questions_retired"}."""
    law = current_by_title(title.strip())
    if law is None:
        raise InputError([Problem(N_("There is no statute titled “%(title)s” in the library."),
                                  {"title": title}, "title")])
    before = law.repealed_on
    law.repealed_on = on
    retired = db.session.execute(
        select(Question.uid).join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(QuestionVersion.law == law.title, Question.status == "published").order_by(Question.uid)
    ).scalars().all()
    if before != on:
        audit.record("laws.repeal", actor=actor, obj_type="law", obj_id=law.slug,
                     summary={"title": law.title, "on": on.isoformat(), "questions": len(retired)})
        db.session.commit()
    else:
        db.session.rollback()
    return {"title": law.title, "repealed_on": on.isoformat(), "questions_retired": len(retired)}


# --- what new papers may draw ------------------------------------------------------------------------


def in_service(now: datetime | date | None = None):
    """The condition (on Question joined to its current QuestionVersion) of a question new papers may
    draw: not waiting for review, and not citing a statute repealed on or before the day of ``now``."""
    today = now if isinstance(now, date) and not isinstance(now, datetime) else china_day(now or utcnow())
    repealed = exists().where(Law.title == QuestionVersion.law, Law.superseded_by_id.is_(None),
                              Law.repealed_on.is_not(None), Law.repealed_on <= today)
    return and_(Question.review_reason.is_(None), not_(repealed))


# --- the pages ---------------------------------------------------------------------------------------


def list_amendments() -> list[LawAmendment]:
    return list(db.session.execute(select(LawAmendment).order_by(LawAmendment.created_at.desc(),
                                                                 LawAmendment.id.desc())).scalars())


def amendment_by_id(amendment_id: int) -> LawAmendment | None:
    return db.session.get(LawAmendment, amendment_id)


@dataclass(frozen=True)
class DiffRow:
    kind: str
    old: LawArticle | None
    new: LawArticle | None


def diff_rows(amendment: LawAmendment, kinds: tuple[str, ...] = rules.KINDS) -> list[DiffRow]:
    """The stored diff with both versions' articles, in the new version's order."""
    old = {a.label: a for a in amendment.old_law.articles}
    new = {a.label: a for a in amendment.new_law.articles}
    return [DiffRow(kind, old.get(o) if o else None, new.get(n) if n else None)
            for kind, o, n, _ in amendment.pairs if kind in kinds]
