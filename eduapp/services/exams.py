"""Exam definitions: saving (checked against the bank), audiences, and what a learner may take."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import joinedload, selectinload

from eduapp.domain import exam_rules
from eduapp.domain.blueprint import Candidate, Section, check_sections, max_score, shortfalls
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.extensions import db
from eduapp.models import (
    Category,
    Exam,
    ExamAudience,
    ExamOverride,
    Organisation,
    PreparedPaper,
    Question,
    QuestionVersion,
    User,
    VersionTag,
    utcnow,
)
from eduapp.services import audit

SETTING_FIELDS = (
    "title", "description", "is_competition", "status", "open_at", "close_at", "duration_minutes",
    "attempts_allowed", "grading_method", "pass_score", "shuffle_questions", "shuffle_options", "navigation",
    "review_policy", "mc_rule", "points_on_pass", "certificate",
)


@dataclass(frozen=True)
class Override:
    user_id: int
    extra_minutes: int = 0
    extra_attempts: int = 0


def candidates(now: datetime | None = None) -> list[Candidate]:
    """Every published question new papers may draw on the day of ``now`` (not waiting for review after
    an amendment, not citing a repealed statute: services.law_amendments.in_service), by its current
    version, as blueprints see it."""
    from eduapp.services.law_amendments import in_service

    rows = db.session.execute(
        select(Question.id, QuestionVersion.id, QuestionVersion.qtype, QuestionVersion.difficulty, Category.path,
               QuestionVersion.law)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .outerjoin(Category, Category.id == Question.category_id)
        .where(Question.status == "published", in_service(now))
    ).all()
    tags: dict[int, set[str]] = {}
    for version_id, tag in db.session.execute(
        select(VersionTag.version_id, VersionTag.tag)
        .join(Question, Question.current_version_id == VersionTag.version_id)
        .where(Question.status == "published")
    ):
        tags.setdefault(version_id, set()).add(tag)
    return [Candidate(qid, vid, qtype, difficulty, path, law, frozenset(tags.get(vid, ())))
            for qid, vid, qtype, difficulty, path, law in rows]


def sections_of(exam: Exam) -> list[Section]:
    return [Section(**{**s, "categories": tuple(s.get("categories", ())), "laws": tuple(s.get("laws", ())),
                       "tags": tuple(s.get("tags", ()))}) for s in exam.sections]


def save(actor: User | None, exam: Exam | None, fields: dict, sections: list[Section],
         audience: list[exam_rules.AudienceEntry], overrides: list[Override] | None = None) -> Exam:
    """Create or update an exam; every problem (settings, sections, what the bank can fill) at once."""
    settings = exam_rules.Settings(**{k: fields[k] for k in exam_rules.Settings.__dataclass_fields__})
    problems = check_sections(sections)
    problems += exam_rules.check_settings(settings, max_score(sections) if not problems else 0)
    if not problems:
        problems += shortfalls(sections, candidates())
    if not audience:
        problems.append(Problem(N_("Choose who may take the exam: roles, organisations or people."), {}, "audience"))
    if problems:
        raise InputError(problems)

    created = exam is None
    before = None if created else {k: _plain(getattr(exam, k)) for k in SETTING_FIELDS}
    if created:
        exam = Exam(created_by_id=actor.id if actor else None, sections=[])
        db.session.add(exam)
    for key in SETTING_FIELDS:
        setattr(exam, key, fields[key])
    exam.sections = [{**asdict(s), "categories": list(s.categories), "laws": list(s.laws), "tags": list(s.tags)}
                     for s in sections]
    exam.updated_at = utcnow()
    exam.audience = [ExamAudience(kind=e.kind, value=e.value) for e in dict.fromkeys(audience)]
    if overrides is not None:
        exam.overrides = [ExamOverride(user_id=o.user_id, extra_minutes=o.extra_minutes,
                                       extra_attempts=o.extra_attempts) for o in overrides]
    db.session.flush()
    # Papers drawn ahead (services.papers) follow the blueprint and audience as they were: drawn again.
    db.session.execute(delete(PreparedPaper).where(PreparedPaper.exam_id == exam.id))
    after = {k: _plain(getattr(exam, k)) for k in SETTING_FIELDS}
    audit.record("exam.create" if created else "exam.update", actor=actor, obj_type="exam", obj_id=exam.id,
                 summary=after if created else audit.changes(before, after))
    db.session.commit()
    return exam


def _plain(value):
    return value.isoformat() if isinstance(value, datetime) else value


def org_chain(org: Organisation | None) -> list[int]:
    """The organisation and every unit above it."""
    ids = []
    while org is not None and org.id not in ids:
        ids.append(org.id)
        org = org.parent
    return ids


def audience_entries(exam: Exam) -> list[exam_rules.AudienceEntry]:
    return [exam_rules.AudienceEntry(a.kind, a.value) for a in exam.audience]


def may_take(user: User, exam: Exam) -> bool:
    if exam.status != "published":
        return False
    entries = audience_entries(exam)
    # The organisation chain is a query per level: only when the audience names organisations.
    chain = org_chain(user.organisation) if any(e.kind == "org" for e in entries) else []
    return exam_rules.in_audience(entries, user.id, user.roles, chain)


def visible_exams(user: User) -> list[Exam]:
    """Published exams whose audience includes the user, soonest closing first."""
    exams = db.session.execute(
        select(Exam).where(Exam.status == "published").order_by(Exam.close_at)
        .options(selectinload(Exam.audience), selectinload(Exam.overrides))
    ).scalars()
    chain = org_chain(user.organisation)
    return [e for e in exams if exam_rules.in_audience(audience_entries(e), user.id, user.roles, chain)]


def override_for(exam: Exam, user_id: int) -> ExamOverride | None:
    return next((o for o in exam.overrides if o.user_id == user_id), None)


def get(exam_id: int) -> Exam | None:
    return db.session.get(Exam, exam_id)


def competition_for(exam_id: int, user: User) -> Exam | None:
    """A competition whose leaderboard ``user`` may see (its candidates and exam managers), else None:
    for anyone else, as for an exam that is not a competition, there is no leaderboard."""
    from eduapp.domain.roles import Permission

    exam = get(exam_id)
    if exam is None or not exam.is_competition:
        return None
    return exam if user.can(Permission.EXAMS_MANAGE) or may_take(user, exam) else None


_FOR_START = select(Exam).where(Exam.id == bindparam("exam")).options(joinedload(Exam.audience),
                                                                        joinedload(Exam.overrides))


def get_for_start(exam_id: int) -> Exam | None:
    """The exam with who may take it and its overrides, in one statement (what a start reads)."""
    return db.session.execute(_FOR_START, {"exam": exam_id}).unique().scalar_one_or_none()
