"""Typical cases (以案释法): drafting from a decided case, editing, the review and publishing steps, what
learners read, and the questions attached to them. The rules are in eduapp.domain.case_studies; import
and export are in services.case_study_files. Every change writes an audit record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from eduapp.domain import case_studies as rules
from eduapp.domain.case_studies import Article, Draft
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.extensions import db
from eduapp.models import CaseStudy, LawArticle, PenaltyCase, Question, User, utcnow
from eduapp.services import audit, laws

ACTION_CODES = {rules.SUBMIT: "case_study.submit", rules.PUBLISH: "case_study.publish",
                rules.RETURN: "case_study.return", rules.RETIRE: "case_study.retire"}


# --- reading ---------------------------------------------------------------------------------------------


def get(study_id: int) -> CaseStudy | None:
    return db.session.get(CaseStudy, study_id)


def by_uid(uid: str) -> CaseStudy | None:
    return db.session.execute(select(CaseStudy).where(CaseStudy.uid == uid)).scalar_one_or_none()


def listing(status: str | None = None) -> list[CaseStudy]:
    """Every case study (or those of one status) for the editors, the latest changed first."""
    query = select(CaseStudy)
    if status in rules.STATUSES:
        query = query.where(CaseStudy.status == status)
    return list(db.session.execute(query.order_by(CaseStudy.updated_at.desc(), CaseStudy.id.desc())).scalars())


def published(limit: int | None = None) -> list[CaseStudy]:
    """The published case studies, the newest first (what learners read)."""
    query = (select(CaseStudy).where(CaseStudy.status == rules.PUBLISHED)
             .order_by(CaseStudy.published_at.desc(), CaseStudy.id.desc()))
    return list(db.session.execute(query.limit(limit) if limit else query).scalars())


def published_one(study_id: int) -> CaseStudy | None:
    study = get(study_id)
    return study if study is not None and study.status == rules.PUBLISHED else None


def articles_of(study: CaseStudy) -> list[Article]:
    return [Article(a.get("law", ""), a.get("article", ""), a.get("role", rules.VIOLATED))
            for a in study.articles or []]


def linked_articles(study: CaseStudy) -> list[tuple[Article, LawArticle | None]]:
    """Each article with its page in the law library (None while that statute or article is not loaded)."""
    return [(a, laws.article_for(a.law, a.article)) for a in articles_of(study)]


def questions_of(study: CaseStudy, only_published: bool = True) -> list[Question]:
    """The attached questions in the case study's order (the published ones, for learners)."""
    uids = list(study.question_uids or [])
    if not uids:
        return []
    found = {q.uid: q for q in db.session.execute(select(Question).where(Question.uid.in_(uids))).unique().scalars()}
    return [found[u] for u in uids if u in found and (found[u].status == "published" or not only_published)]


def question_ids(study: CaseStudy) -> list[int]:
    return [q.id for q in questions_of(study)]


def published_question_ids() -> list[int]:
    """The published questions attached to any published case study (what 每日一练 may draw from them)."""
    uids = {u for s in published() for u in (s.question_uids or [])}
    if not uids:
        return []
    return sorted(db.session.execute(
        select(Question.id).where(Question.uid.in_(uids), Question.status == "published")).scalars())


def as_draft(study: CaseStudy) -> Draft:
    return Draft(title=study.title, facts=study.facts, decision=study.decision, lesson=study.lesson,
                 articles=articles_of(study), question_uids=list(study.question_uids or []), uid=study.uid,
                 source_case_number=study.source_case.case_number if study.source_case else None,
                 enterprise=study.enterprise)


# --- drafting and editing -----------------------------------------------------------------------------------


def case_facts(case: PenaltyCase) -> rules.CaseFacts:
    """What the draft is made from, with every person the case's record names (to be masked)."""
    org = case.enterprise
    people = [org.legal_representative, org.env_manager]
    people += db.session.execute(select(User.full_name).where(User.organisation_id == org.id)).scalars().all()
    if case.officer_id:
        people.append(db.session.get(User, case.officer_id).full_name)
    vt = case.violation_type
    return rules.CaseFacts(case.case_number, case.status, org.name, case.description or "", vt.name, vt.law,
                           vt.article, case.decided_on, case.final_fine,
                           tuple(p for p in people if p and p != org.name))


def decided_cases(limit: int = 200) -> list[PenaltyCase]:
    """Cases a case study may be made from (the penalty decided), the latest decided first."""
    return list(db.session.execute(
        select(PenaltyCase).where(PenaltyCase.status.in_(rules.FROM_CASE_STATUSES))
        .order_by(PenaltyCase.decided_on.desc().nulls_last(), PenaltyCase.id.desc()).limit(limit)
    ).unique().scalars())


def unknown_questions(uids: list[str], line: int | None = None) -> list[Problem]:
    if not uids:
        return []
    known = set(db.session.execute(select(Question.uid).where(Question.uid.in_(uids))).scalars())
    return [Problem(N_("No question has the id “%(value)s”."), {"value": u[:64]}, "questions", line)
            for u in uids if u not in known]


def new_uid() -> str:
    return rules.next_uid(list(db.session.execute(select(CaseStudy.uid)).scalars()))


def _apply(study: CaseStudy, draft: Draft) -> dict:
    """Copy the draft's fields onto ``study``; the fields that changed."""
    values = {"title": draft.title.strip(), "facts": draft.facts.strip(), "decision": draft.decision.strip(),
              "lesson": draft.lesson.strip(), "enterprise": draft.enterprise.strip(),
              "articles": [{"law": a.law, "article": a.article, "role": a.role} for a in draft.articles],
              "question_uids": list(dict.fromkeys(draft.question_uids))}
    changed = {k: v for k, v in values.items() if getattr(study, k) != v}
    for key, value in changed.items():
        setattr(study, key, value)
    return changed


def create(actor: User | None, draft: Draft, source_case: PenaltyCase | None = None, *, commit: bool = True,
           now: datetime | None = None) -> CaseStudy:
    """A new draft; InputError (nothing written) for bad fields or unknown questions."""
    problems = rules.check(draft) + unknown_questions(draft.question_uids)
    if problems:
        raise InputError(problems)
    now = now or utcnow()
    study = CaseStudy(uid=draft.uid or new_uid(), status=rules.DRAFT, author_id=actor.id if actor else None,
                      source_case_id=source_case.id if source_case else None, created_at=now, updated_at=now,
                      title="", facts="", decision="", lesson="", enterprise="", articles=[], question_uids=[])
    _apply(study, draft)
    db.session.add(study)
    audit.record("case_study.create", actor=actor, obj_type="case_study", obj_id=study.uid,
                 summary={"title": study.title, "case": source_case.case_number if source_case else None})
    if commit:
        db.session.commit()
    return study


def create_from_case(actor: User, case: PenaltyCase, now: datetime | None = None) -> CaseStudy:
    """A draft made from a decided case (names masked, the enterprise named, the article linked)."""
    draft, problem = rules.draft_from_case(case_facts(case))
    if problem is not None:
        raise InputError([problem])
    return create(actor, draft, case, now=now)


def update(actor: User | None, study: CaseStudy, draft: Draft, *, commit: bool = True,
           now: datetime | None = None) -> dict:
    """Save a draft's edits; only a draft may be edited (return one under review or retired first)."""
    if study.status not in rules.EDITABLE:
        raise InputError([Problem(N_("Only a draft can be edited: return it to draft first."), {}, "status")])
    problems = rules.check(draft) + unknown_questions(draft.question_uids)
    if problems:
        raise InputError(problems)
    changed = _apply(study, draft)
    if changed:
        study.updated_at = now or utcnow()
        audit.record("case_study.update", actor=actor, obj_type="case_study", obj_id=study.uid,
                     summary={"title": study.title, "fields": sorted(changed)})
    if commit:
        db.session.commit()
    return changed


def act(actor: User, study: CaseStudy, action: str, now: datetime | None = None) -> CaseStudy:
    """Submit for review, publish (another editor than the author), return to draft, retire."""
    problem = rules.check_action(action, study.status, actor.id, study.author_id)
    if problem is not None:
        raise InputError([problem])
    if action == rules.PUBLISH and not study.facts.strip():
        raise InputError([Problem(N_("Describe the facts of the case."), {}, "facts")])
    now = now or utcnow()
    study.status = rules.next_status(action)
    study.updated_at = now
    if action == rules.PUBLISH:
        study.reviewer_id, study.published_at = actor.id, now
    audit.record(ACTION_CODES[action], actor=actor, obj_type="case_study", obj_id=study.uid,
                 summary={"title": study.title})
    db.session.commit()
    return study
