"""The law library: importing statute files and the queries its pages use.

Statutes are reference data: an import replaces a changed statute's articles wholesale and writes a
single audit record ("laws.import") when anything changed; an unchanged file writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import selectinload

from eduapp.domain import laws as law_rules
from eduapp.domain.law_library import IndexLevels, index_levels, level_of, level_rank
from eduapp.domain.laws import LawDocument
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.extensions import db
from eduapp.models import Law, LawArticle, Question, QuestionVersion, User, utcnow
from eduapp.services import audit
from eduapp.services.search import contains

ADDED, UPDATED, UNCHANGED, AMENDED = "added", "updated", "unchanged", "amended"
INDEX = "INDEX.tsv"  # a folder's index: file, title, version, [level,] articles


@dataclass(frozen=True)
class LawOutcome:
    action: str  # added | updated | unchanged
    slug: str
    title: str
    articles: int


@dataclass
class ImportSummary:
    laws: list[LawOutcome] = field(default_factory=list)  # in file-name order

    amendments: list = field(default_factory=list)  # services.law_amendments.AmendmentOutcome, one per new version

    def _slugs(self, action: str) -> list[str]:
        return [law.slug for law in self.laws if law.action == action]

    @property
    def added(self) -> list[str]:
        return self._slugs(ADDED)

    @property
    def updated(self) -> list[str]:
        return self._slugs(UPDATED)

    @property
    def unchanged(self) -> list[str]:
        return self._slugs(UNCHANGED)

    @property
    def amended(self) -> list[str]:
        return self._slugs(AMENDED)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.amended)


# --- import ------------------------------------------------------------------------------------------


def statute_files(path: Path) -> list[Path]:
    """The statute files of a folder: every *.md but a README, in name order."""
    return sorted(p for p in path.glob("*.md") if p.is_file() and p.name.lower() != "readme.md")


def import_dir(path: Path | str, actor: User | None = None) -> ImportSummary:
    """Import every statute file of ``path``; any problem in any file and nothing is written."""
    path = Path(path)
    files = statute_files(path)
    if not files:
        raise InputError([Problem(N_("There are no statute files (*.md) in %(path)s."), {"path": str(path)})])
    return import_files([(p.name, p.read_bytes()) for p in files], actor, folder_index(path))


def import_file(path: Path | str, actor: User | None = None) -> ImportSummary:
    path = Path(path)
    return import_files([(path.name, path.read_bytes())], actor, folder_index(path.parent))


def folder_index(folder: Path) -> IndexLevels:
    """The levels the folder's INDEX.tsv gives (none when it has no such file or no level column)."""
    index = folder / INDEX
    if not index.is_file():
        return IndexLevels({}, [])
    try:
        text = index.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return IndexLevels({}, [Problem(N_("The file is not UTF-8 text."), field=INDEX, row=1)])
    return index_levels(text, INDEX)


def import_files(
    files: list[tuple[str, bytes]], actor: User | None = None, index: IndexLevels | None = None
) -> ImportSummary:
    """Parse every file, then write them all in one transaction. A statute's level is the one ``index``
    (the folder's INDEX.tsv) gives its file, else the one its title implies (domain.law_library.level_of).

    Problems carry the file name in ``Problem.field`` and the line in ``Problem.row``."""
    index = index or IndexLevels({}, [])
    documents, problems = _parse_all(files)
    problems[:0] = index.problems
    problems.extend(_title_clashes(documents))
    if problems:
        raise InputError(problems)

    summary = ImportSummary()
    try:
        # Versions of one statute in the order they were made (the file-name order otherwise).
        order = sorted(range(len(documents)), key=lambda n: (
            documents[n][1].title, law_rules.version_of(documents[n][1].history)))
        saved = {n: _save(documents[n][1], index.levels.get(documents[n][0]) or level_of(documents[n][1].title),
                          actor, summary) for n in order}
        summary.laws.extend(saved[n] for n in range(len(documents)))
        if summary.changed:
            audit.record(
                "laws.import",
                actor=actor,
                obj_type="law",
                summary={"added": summary.added, "updated": summary.updated, "unchanged": len(summary.unchanged),
                         "amended": summary.amended},
            )
            db.session.commit()
        else:
            db.session.rollback()  # nothing to write; end the read transaction
    except Exception:
        db.session.rollback()
        raise
    return summary


def _parse_all(files: list[tuple[str, bytes]]) -> tuple[list[tuple[str, LawDocument]], list[Problem]]:
    documents: list[tuple[str, LawDocument]] = []
    problems: list[Problem] = []
    for name, data in files:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            problems.append(
                Problem(N_("The file is not UTF-8 text."), field=name, row=data[: err.start].count(b"\n") + 1)
            )
            continue
        doc, found = law_rules.parse_law(text, Path(name).stem)
        problems.extend(Problem(p.msgid, p.params, name, p.row) for p in found)
        if doc is not None:
            documents.append((name, doc))
    return documents, problems


def _title_clashes(documents: list[tuple[str, LawDocument]]) -> list[Problem]:
    """Titles are unique: two files, or a file and another statute already imported, may not share one."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], str] = {}
    for name, doc in documents:
        version = law_rules.version_of(doc.history)
        if (doc.title, version) in seen:
            problems.append(
                Problem(
                    N_("The title “%(title)s” is also the title of %(other)s."),
                    {"title": doc.title, "other": seen[doc.title, version]},
                    name,
                    1,
                )
            )
            continue
        seen[doc.title, version] = name
        # Another file with the title is a new version (services.law_amendments) unless it is the same
        # version as, or an earlier one than, the statute in force.
        other = db.session.execute(
            select(Law).where(Law.title == doc.title, Law.slug != doc.slug, Law.superseded_by_id.is_(None))
        ).scalar()
        known = db.session.execute(select(Law.id).where(Law.slug == doc.slug)).scalar() is not None
        if other is not None and not known and law_rules.version_of(other.history) >= version:
            problems.append(
                Problem(
                    N_("The title “%(title)s” is already used by the statute imported from %(other)s, "
                       "in the same or a later version."),
                    {"title": doc.title, "other": f"{other.slug}.md"},
                    name,
                    1,
                )
            )
    return problems


def _stored_key(law: Law) -> tuple:
    return (
        law.title,
        law.history,
        law.level,
        [(a.label, a.number, a.position, a.chapter, a.section, a.text) for a in law.articles],
    )


def _document_key(doc: LawDocument, level: str) -> tuple:
    return (doc.title, doc.history, level, [a.key() for a in doc.articles])


def _save(doc: LawDocument, level: str, actor: User | None, summary: ImportSummary) -> LawOutcome:
    from eduapp.services import law_amendments

    law = db.session.execute(
        select(Law).where(Law.slug == doc.slug).options(selectinload(Law.articles))
    ).scalar_one_or_none()
    if law is not None and _stored_key(law) == _document_key(doc, level):
        return LawOutcome(UNCHANGED, doc.slug, doc.title, len(doc.articles))
    current = law_amendments.current_by_title(doc.title)
    if current is not None and (law is None or law.id == current.id) and law_amendments.is_new_version(current, doc):
        _, outcome = law_amendments.add_version(current, doc, actor, level)
        summary.amendments.append(outcome)
        return LawOutcome(AMENDED, doc.slug, doc.title, len(doc.articles))
    action = ADDED if law is None else UPDATED
    if law is None:
        law = Law(slug=doc.slug)
        db.session.add(law)
    else:
        # Remove the old articles before inserting the new: (law_id, label) is unique.
        law.articles.clear()
        db.session.flush()
    law.title = doc.title
    law.history = doc.history
    law.level = level
    law.imported_at = utcnow()
    law.articles.extend(
        LawArticle(
            label=a.label, number=a.number, position=a.position, chapter=a.chapter, section=a.section, text=a.text
        )
        for a in doc.articles
    )
    db.session.flush()
    return LawOutcome(action, doc.slug, doc.title, len(doc.articles))


# --- queries for the pages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LawListing:
    law: Law
    articles: int

    @property
    def version(self) -> str:
        return law_rules.version_of(self.law.history)


def list_laws(level: str | None = None) -> list[LawListing]:
    """Every statute (of ``level``, when given) with its number of articles: by level (法律, 行政法规,
    省级地方性法规, 设区的市地方性法规, other), each level by title.

    Sorted here rather than in SQL so the order is the same whatever collation the database uses."""
    count = func.count(LawArticle.id)
    query = (select(Law, count).outerjoin(LawArticle, LawArticle.law_id == Law.id)
             .where(Law.superseded_by_id.is_(None)).group_by(Law.id))
    if level is not None:
        query = query.where(Law.level == level)
    listings = [LawListing(law, n) for law, n in db.session.execute(query).all()]
    return sorted(listings, key=lambda item: (level_rank(item.law.level), item.law.title))


def level_counts() -> dict[str, int]:
    """How many statutes in force each level has (levels without any are left out)."""
    rows = db.session.execute(
        select(Law.level, func.count(Law.id)).where(Law.superseded_by_id.is_(None)).group_by(Law.level)
    ).all()
    return {level: n for level, n in rows}


def law_by_slug(slug: str) -> Law | None:
    """A statute with its articles loaded (in order)."""
    return db.session.execute(
        select(Law).where(Law.slug == slug).options(selectinload(Law.articles))
    ).scalar_one_or_none()


def law_by_id(law_id: int) -> Law | None:
    """A statute with its articles loaded (in order), by id (the API's address)."""
    return db.session.execute(
        select(Law).where(Law.id == law_id).options(selectinload(Law.articles))
    ).scalar_one_or_none()


def article_by_key(law_id: int, key: str) -> LawArticle | None:
    """An article of a statute by its key (99, 20-1: domain.law_library.article_key) or its label."""
    from eduapp.domain.law_library import article_key, parse_article_key

    parsed = parse_article_key(key)
    if parsed is None:
        if len(key) > law_rules.MAX_LABEL:
            return None
        return db.session.execute(
            select(LawArticle).where(LawArticle.law_id == law_id, LawArticle.label == key)
        ).scalar_one_or_none()
    candidates = db.session.execute(
        select(LawArticle).where(LawArticle.law_id == law_id, LawArticle.number == parsed[0])
        .order_by(LawArticle.position)
    ).scalars()
    return next((a for a in candidates if article_key(a.label) == key), None)


def article_by_slug(slug: str, label: str) -> LawArticle | None:
    return db.session.execute(
        select(LawArticle).join(Law).where(Law.slug == slug, LawArticle.label == label)
    ).scalar_one_or_none()


def article_for(law_title: str, label: str) -> LawArticle | None:
    """The article a question cites: by the statute's full title and the label (第九十九条)."""
    return db.session.execute(
        select(LawArticle).join(Law).where(Law.title == law_title, Law.superseded_by_id.is_(None),
                                           LawArticle.label == label)
    ).scalar_one_or_none()


def neighbours(article: LawArticle) -> tuple[LawArticle | None, LawArticle | None]:
    """The articles before and after ``article`` in its statute."""
    base = select(LawArticle).where(LawArticle.law_id == article.law_id)
    previous = db.session.execute(
        base.where(LawArticle.position < article.position).order_by(LawArticle.position.desc()).limit(1)
    ).scalar_one_or_none()
    following = db.session.execute(
        base.where(LawArticle.position > article.position).order_by(LawArticle.position).limit(1)
    ).scalar_one_or_none()
    return previous, following


def questions_citing(article: LawArticle) -> list[QuestionVersion]:
    """Current versions of published questions whose current version cites ``article``."""
    return list(
        db.session.execute(
            select(QuestionVersion)
            .join(Question, Question.current_version_id == QuestionVersion.id)
            .where(
                Question.status == "published",
                QuestionVersion.law == article.law.title,
                QuestionVersion.article == article.label,
            )
            .order_by(Question.uid)
        )
        .scalars()
        .all()
    )


def matching_laws(terms: list[str], level: str | None = None) -> list[Law]:
    """Statutes (of ``level``, when given) whose title contains every term (for the top of the search
    results)."""
    if not terms:
        return []
    query = select(Law).where(Law.superseded_by_id.is_(None), *[contains(Law.title, t) for t in terms])
    if level is not None:
        query = query.where(Law.level == level)
    return list(
        db.session.execute(query.order_by(Law.title))
        .scalars()
        .all()
    )


def search_articles(terms: list[str], level: str | None = None) -> Select:
    """Articles (of statutes of ``level``, when given) matching every term, each in the article's text,
    its label or its statute's title, with at least one term found in the text or label (so a
    statute's name alone lists only the articles that mention it). Substring matching: it works for
    Chinese, which has no word breaks."""
    if not terms:
        return select(LawArticle).where(false())
    in_article = [or_(contains(LawArticle.text, t), LawArticle.label == t) for t in terms]
    each = [or_(cond, contains(Law.title, t)) for cond, t in zip(in_article, terms, strict=True)]
    if level is not None:
        each.append(Law.level == level)
    return (
        select(LawArticle)
        .join(Law)
        .where(Law.superseded_by_id.is_(None), *each, or_(*in_article))
        .options(selectinload(LawArticle.law))
        .order_by(Law.title, LawArticle.position)
    )


def article_anchor(label: str) -> str:
    """The HTML id of an article on its statute's page: 第九十九条 → a99."""
    return law_rules.article_anchor(label)
