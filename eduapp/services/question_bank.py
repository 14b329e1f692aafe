"""The question bank: versions, categories, editing, status changes, export."""

from __future__ import annotations

from sqlalchemy import func, insert, select, update

from eduapp.domain.questions import QuestionData, content_of, fingerprint, from_content
from eduapp.extensions import db
from eduapp.models import Category, Question, QuestionVersion, User, VersionTag, utcnow
from eduapp.services import audit


def search_text(q: QuestionData) -> str:
    parts = [q.stem, *q.options, q.explanation or "", q.law or "", q.article or "", " ".join(q.tags)]
    return "\n".join(parts).lower()


def new_uid(fp: str, taken: set[str]) -> str:
    length = 10
    while f"q-{fp[:length]}" in taken:
        length += 2
    return f"q-{fp[:length]}"


def ensure_categories(paths: set[str]) -> dict[str, int]:
    """Ids of the category paths, creating any missing level; returns {path: id} for all known paths."""
    known = dict(db.session.execute(select(Category.path, Category.id)).all())
    for path in sorted(paths):
        parts = [p.strip() for p in path.split("/") if p.strip()]
        for depth in range(1, len(parts) + 1):
            sub = "/".join(parts[:depth])
            if sub in known:
                continue
            parent_id = known.get("/".join(parts[: depth - 1])) if depth > 1 else None
            category = Category(path=sub, name=parts[depth - 1], parent_id=parent_id)
            db.session.add(category)
            db.session.flush()
            known[sub] = category.id
        if path not in known and parts:
            known[path] = known["/".join(parts)]
    return known


def latest_numbers(question_ids: list[int], chunk: int = 5000) -> dict[int, int]:
    """The highest version number of each question that has versions."""
    found: dict[int, int] = {}
    ids = sorted(set(question_ids))
    for start in range(0, len(ids), chunk):
        found.update(
            db.session.execute(
                select(QuestionVersion.question_id, func.max(QuestionVersion.number))
                .where(QuestionVersion.question_id.in_(ids[start : start + chunk]))
                .group_by(QuestionVersion.question_id)
            ).all()
        )
    return found


def insert_versions(items: list[tuple[int, QuestionData, str]], actor: User | None) -> None:
    """Add a version to each question (id, content, fingerprint) and make it current."""
    if not items:
        return
    numbers = latest_numbers([qid for qid, _, _ in items])
    now = utcnow()
    rows = []
    for qid, q, fp in items:
        content = content_of(q)
        rows.append(
            {
                "question_id": qid,
                "number": numbers.get(qid, 0) + 1,
                "qtype": content["qtype"],
                "stem": content["stem"],
                "options": content["options"],
                "answer": content["answer"],
                "explanation": content["explanation"],
                "law": content["law"],
                "article": content["article"],
                "difficulty": content["difficulty"],
                "tags": content["tags"],
                "fingerprint": fp,
                "search_text": search_text(q),
                "created_at": now,
                "created_by_id": actor.id if actor else None,
            }
        )
    version_ids = list(
        db.session.execute(
            insert(QuestionVersion).returning(QuestionVersion.id, sort_by_parameter_order=True), rows
        ).scalars()
    )
    tag_rows = [
        {"version_id": vid, "tag": tag} for vid, row in zip(version_ids, rows, strict=True) for tag in row["tags"]
    ]
    if tag_rows:
        db.session.execute(insert(VersionTag), tag_rows)
    db.session.execute(
        update(Question),
        [
            {"id": qid, "current_version_id": vid, "updated_at": now}
            for (qid, _, _), vid in zip(items, version_ids, strict=True)
        ],
    )


def as_data(question: Question, version: QuestionVersion | None = None) -> QuestionData:
    version = version or question.current
    return from_content(
        {
            "qtype": version.qtype,
            "stem": version.stem,
            "options": version.options,
            "answer": version.answer,
            "explanation": version.explanation,
            "law": version.law,
            "article": version.article,
            "difficulty": version.difficulty,
            "tags": version.tags,
        },
        category=question.category.path if question.category else None,
        status=question.status,
        external_id=question.uid,
    )


def save_edit(actor: User, question: Question, q: QuestionData, ip: str | None = None) -> bool:
    """Edit a question: a new version when the content changed. Returns whether anything changed."""
    fp = fingerprint(q)
    changed = False
    if question.current is None or question.current.fingerprint != fp:
        insert_versions([(question.id, q, fp)], actor)
        changed = True
    wanted = ensure_categories({q.category}).get(q.category) if q.category else None
    if wanted != question.category_id:
        question.category_id = wanted
        changed = True
    if changed:
        db.session.flush()
        db.session.refresh(question)
        audit.record(
            "question.edit",
            actor=actor,
            obj_type="question",
            obj_id=question.uid,
            summary={"version": question.current.number},
            ip=ip,
        )
        db.session.commit()
    return changed


def create(actor: User, q: QuestionData, ip: str | None = None) -> Question:
    fp = fingerprint(q)
    taken = set(db.session.execute(select(Question.uid)).scalars())
    uid = q.external_id or new_uid(fp, taken)
    category_id = ensure_categories({q.category}).get(q.category) if q.category else None
    question = Question(uid=uid, category_id=category_id, status=q.status or "draft")
    db.session.add(question)
    db.session.flush()
    insert_versions([(question.id, q, fp)], actor)
    audit.record(
        "question.create", actor=actor, obj_type="question", obj_id=uid, summary={"status": question.status}, ip=ip
    )
    db.session.commit()
    return question


def set_status(actor: User, questions: list[Question], status: str, ip: str | None = None) -> int:
    changed = [q for q in questions if q.status != status]
    for q in changed:
        q.status = status
        q.updated_at = utcnow()
    if changed:
        audit.record(
            f"question.{status}", actor=actor, obj_type="question", summary={"uids": [q.uid for q in changed]}, ip=ip
        )
    db.session.commit()
    return len(changed)


def all_for_export(status: str | None = None) -> list[QuestionData]:
    query = select(Question).where(Question.current_version_id.is_not(None)).order_by(Question.uid)
    if status:
        query = query.where(Question.status == status)
    return [as_data(q) for q in db.session.execute(query).unique().scalars()]
