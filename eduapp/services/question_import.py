"""Importing question files: compare with the bank, then write all or nothing.

A question with an id (our id, a GIFT name, a Moodle idnumber, an Excel 编号) is matched by it; one
without (Aiken, Word) is matched by its content: any version with the very same content, else the
bank question with the same normalised stem, options and answer (domain/question_match.py). A match
with the same content is unchanged; a match with other content gets a new version (published versions
never change); no match is added.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from eduapp.domain import question_match
from eduapp.domain.formats import registry
from eduapp.domain.problems import N_, Problem
from eduapp.domain.questions import ParseResult, QuestionData, Skipped, fingerprint, from_content
from eduapp.extensions import db
from eduapp.models import Question, QuestionVersion, User
from eduapp.services import audit
from eduapp.services.question_bank import ensure_categories, insert_versions, new_uid


@dataclass(frozen=True)
class Item:
    file: str
    line: int | None
    uid: str | None
    text: str  # a short description: the problem, the reason, or the stem


@dataclass
class ImportReport:
    added: list[Item] = field(default_factory=list)
    updated: list[Item] = field(default_factory=list)
    unchanged: list[Item] = field(default_factory=list)
    skipped: list[Item] = field(default_factory=list)
    rejected: list[Item] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)
    written: bool = False
    # Problems with their files, for callers that translate messages themselves.
    problems: list[tuple[str, Problem]] = field(default_factory=list)
    skips: list[tuple[str, Skipped]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in ("added", "updated", "unchanged", "skipped", "rejected")}


@dataclass
class _Planned:
    file: str
    q: QuestionData
    fingerprint: str
    question_id: int | None = None  # None: add
    new_version: bool = False
    status: str | None = None
    category_changed: bool = False


def parse_file(data: bytes, filename: str, fmt: str | None, category: str | None) -> tuple[str | None, ParseResult]:
    """Parse one file; an unknown format or an oversized file is a problem, not an exception."""
    limit = current_app.config["QUESTION_IMPORT_MAX_MB"] * 1024 * 1024
    if len(data) > limit:
        result = ParseResult()
        result.problems.append(
            Problem(
                N_("The file is larger than %(max)s MB."),
                {"max": current_app.config["QUESTION_IMPORT_MAX_MB"]},
                "file",
                None,
            )
        )
        return fmt, result
    fmt = fmt if fmt and fmt != "auto" else registry.detect(filename, data)
    if fmt is None:
        return None, ParseResult()
    # A workbook or Word document is checked before it is unpacked and read no further than the row
    # limit (workbooks.py).
    limits = ({"max_rows": current_app.config["IMPORT_MAX_ROWS"],
               "max_unpacked_mb": current_app.config["IMPORT_MAX_UNPACKED_MB"]} if fmt in ("xlsx", "docx") else {})
    return fmt, registry.module(fmt).parse(data, filename=filename, category=category, **limits)


def plan(files: list[tuple[str, ParseResult]], report: ImportReport) -> list[_Planned]:
    """Decide what each question would do, without writing anything."""
    from eduapp.i18n import message  # messages in the caller's language

    planned: list[_Planned] = []
    existing = {
        uid: (qid, status, category_path, fp)
        for uid, qid, status, category_path, fp in db.session.execute(
            select(Question.uid, Question.id, Question.status, Question.category_id, QuestionVersion.fingerprint).join(
                QuestionVersion, QuestionVersion.id == Question.current_version_id
            )
        ).all()
    }
    from eduapp.models import Category

    category_ids = dict(db.session.execute(select(Category.path, Category.id)).all())
    known_fingerprints = set(db.session.execute(select(QuestionVersion.fingerprint)).scalars())
    seen_ids: dict[str, tuple[str, int | None]] = {}
    seen_fps: set[str] = set()
    by_content = _ContentIndex()
    for filename, result in files:
        for problem in result.problems:
            text = message(problem)
            if result.place == "paragraph" and problem.row:  # Word: "第 12 段：……"
                text = message(Problem(N_("Paragraph %(number)s: %(problem)s"),
                                       {"number": problem.row, "problem": text}))
            report.rejected.append(Item(filename, problem.row, None, text))
            report.problems.append((filename, problem))
        for skip in result.skipped:
            report.skipped.append(
                Item(filename, skip.line, skip.name, message(Problem(skip.msgid, {"type": skip.source_type})))
            )
            report.skips.append((filename, skip))
        for q in result.questions:
            fp = fingerprint(q)
            item = Item(filename, q.line, q.external_id, q.stem[:60])
            if q.external_id:
                if q.external_id in seen_ids:
                    other_file, other_line = seen_ids[q.external_id]
                    problem = Problem(
                        N_("The id “%(value)s” repeats the question at %(where)s."),
                        {"value": q.external_id, "where": f"{other_file}:{other_line}"},
                        "id",
                        q.line,
                    )
                    report.rejected.append(Item(filename, q.line, q.external_id, message(problem)))
                    report.problems.append((filename, problem))
                    continue
                seen_ids[q.external_id] = (filename, q.line)
                match = existing.get(q.external_id)
                if match is None:
                    planned.append(_Planned(filename, q, fp, status=q.status))
                    report.added.append(item)
                    continue
                qid, status, category_id, current_fp = match
                wanted_category = category_ids.get(q.category) if q.category else category_id
                content_changed = current_fp != fp
                status_changed = q.status is not None and q.status != status
                category_changed = q.category is not None and wanted_category != category_id
                if content_changed or status_changed or category_changed:
                    planned.append(
                        _Planned(
                            filename,
                            q,
                            fp,
                            qid,
                            content_changed,
                            q.status if status_changed else None,
                            category_changed,
                        )
                    )
                    report.updated.append(item)
                else:
                    report.unchanged.append(item)
            else:
                if fp in known_fingerprints or fp in seen_fps:
                    report.unchanged.append(item)
                    continue
                seen_fps.add(fp)
                key = question_match.content_key(q)
                if key in by_content.added:  # the file repeats a question it adds
                    report.unchanged.append(item)
                    continue
                match = by_content.find(key)
                by_content.seen(key)
                if match is not None:  # the same question typed again: unchanged, or what the file adds
                    qid, bank = match
                    new = question_match.merged(bank, q)
                    new_fp = fingerprint(new)
                    if new_fp == fingerprint(bank):
                        report.unchanged.append(Item(filename, q.line, by_content.uids[qid], q.stem[:60]))
                    else:
                        planned.append(_Planned(filename, new.with_(line=q.line), new_fp, qid, True))
                        report.updated.append(Item(filename, q.line, by_content.uids[qid], q.stem[:60]))
                    continue
                planned.append(_Planned(filename, q, fp, status=q.status))
                report.added.append(item)
    return planned


class _ContentIndex:
    """The bank's questions by content key (question_match.py), read on first use; and the keys this
    import has met, so a file that repeats a question adds or updates it once."""

    def __init__(self):
        self.keys: dict[str, tuple[int, QuestionData]] | None = None
        self.uids: dict[int, str] = {}
        self.added: set[str] = set()

    def find(self, key: str) -> tuple[int, QuestionData] | None:
        if self.keys is None:
            self.keys = {}
            rows = db.session.execute(
                select(Question.id, Question.uid, QuestionVersion.qtype, QuestionVersion.stem, QuestionVersion.options,
                       QuestionVersion.answer, QuestionVersion.explanation, QuestionVersion.law,
                       QuestionVersion.article, QuestionVersion.difficulty, QuestionVersion.tags)
                .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
                .order_by(Question.id)
            ).all()
            for qid, uid, qtype, stem, options, answer, explanation, law, article, difficulty, tags in rows:
                bank = from_content({"qtype": qtype, "stem": stem, "options": options, "answer": answer,
                                     "explanation": explanation, "law": law, "article": article,
                                     "difficulty": difficulty, "tags": tags})
                self.keys.setdefault(question_match.content_key(bank), (qid, bank))
                self.uids[qid] = uid
        return self.keys.get(key)

    def seen(self, key: str) -> None:
        self.added.add(key)  # the file's later copies of this question are unchanged


def apply(planned: list[_Planned], actor: User | None, files: list[str], report: ImportReport) -> None:
    """Write the plan in one transaction."""
    if not planned:
        return
    try:
        categories = ensure_categories({p.q.category for p in planned if p.q.category})
        taken = set(db.session.execute(select(Question.uid)).scalars())
        new_rows = []
        for p in planned:
            if p.question_id is None:
                uid = p.q.external_id or new_uid(p.fingerprint, taken)
                taken.add(uid)
                new_rows.append(
                    {"uid": uid, "category_id": categories.get(p.q.category), "status": p.status or "draft"}
                )
        new_ids = insert_questions(new_rows)
        versioned: list[tuple[int, QuestionData, str]] = []
        new_iter = iter(new_ids)
        for p in planned:
            if p.question_id is None:
                versioned.append((next(new_iter), p.q, p.fingerprint))
            else:
                question = db.session.get(Question, p.question_id)
                if p.status:
                    question.status = p.status
                if p.category_changed:
                    question.category_id = categories.get(p.q.category)
                if p.new_version:
                    versioned.append((p.question_id, p.q, p.fingerprint))
        insert_versions(versioned, actor)
        audit.record(
            "questions.import",
            actor=actor,
            obj_type="question_bank",
            summary={
                "files": files,
                **report.counts(),
                "added": [i.uid for i in report.added if i.uid][:2000],
                "updated": [i.uid for i in report.updated if i.uid][:2000],
            },
        )
        db.session.commit()
        report.written = True
    except Exception:
        db.session.rollback()
        raise


def insert_questions(rows: list[dict]) -> list[int]:
    from sqlalchemy import insert

    from eduapp.models import utcnow

    if not rows:
        return []
    now = utcnow()
    for row in rows:
        row.setdefault("created_at", now)
        row.setdefault("updated_at", now)
    result = db.session.execute(insert(Question).returning(Question.id, sort_by_parameter_order=True), rows)
    return list(result.scalars())


def import_files(
    files: list[tuple[str, bytes]],
    *,
    fmt: str | None = None,
    category: str | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    actor: User | None = None,
) -> ImportReport:
    """Import files (name, bytes). Writes nothing when any question is rejected, unless skip_invalid."""
    report = ImportReport()
    parsed: list[tuple[str, ParseResult]] = []
    for filename, data in files:
        found_fmt, result = parse_file(data, filename, fmt, category)
        if found_fmt is None and not result.problems:
            report.ignored_files.append(filename)
            continue
        parsed.append((filename, result))
    planned = plan(parsed, report)
    if dry_run or (report.rejected and not skip_invalid):
        return report
    apply(planned, actor, [name for name, _ in parsed], report)
    return report
