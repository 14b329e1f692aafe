"""Exam statistics (participation and pass rate per organisation, score histogram, item analysis)
and competition leaderboards.

Everything is computed over the attempts that count: per candidate one finished attempt, chosen by
the exam's grading method (``exam_rules.counting_attempt``). ``counting_attempts`` applies that rule
in Python; the reports apply the same ordering as a window function in SQL, so that the item
statistics of 100,000 attempts are one GROUP BY in the database (moments as ``domain.item_stats``
defines them), not millions of rows sent to Python. Marks and scores are stored in centipoints;
everything this module returns is in points.

The organisation tree and an exam's audience as a condition are eduapp.services.org_tree; the
labels and the Excel workbook of the statistics page are eduapp.web.exam_stats.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import Float, cast, func, or_, select

from eduapp.domain import exam_rules, grading, item_stats
from eduapp.domain.blueprint import max_score
from eduapp.extensions import db
from eduapp.models import Attempt, AttemptItem, Exam, Organisation, Question, QuestionVersion, User
from eduapp.services import exams
from eduapp.services.org_tree import OrgTree, audience_condition
from eduapp.stores import attempts as attempt_store

FINISHED = "finished"
QUESTION_ENDPOINT = "questions.show"  # the question editor; argument ``question_id``
HISTOGRAM_BINS = 10

def points(centipoints: float | int | None) -> int | float | None:
    return grading.points_number(centipoints)


def _ratio(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# --- the attempts that count -----------------------------------------------------------------------


def counting_attempts(exam: Exam) -> dict[int, int]:
    """Candidate id -> the id of their finished attempt that counts (the domain rule, row by row)."""
    finished: dict[int, list] = defaultdict(list)
    rows = db.session.execute(
        select(Attempt.id, Attempt.user_id, Attempt.score, Attempt.submitted_at)
        .where(Attempt.exam_id == exam.id, Attempt.state == FINISHED)
    )
    for attempt_id, user_id, score, submitted_at in rows:
        finished[user_id].append((attempt_id, score or 0, submitted_at))
    return {user_id: exam_rules.counting_attempt(exam.grading_method, rows) for user_id, rows in finished.items()}


def _counting(exam: Exam, org_ids: list[int] | None = None):
    """The counting attempts as a subquery (id, user_id, score, passed, max_score): the ordering of
    exam_rules.counting_attempt as ROW_NUMBER() per candidate (tests/test_exam_stats.py checks both agree)."""
    score = func.coalesce(Attempt.score, 0)
    if exam.grading_method == "last":
        order = (Attempt.submitted_at.desc(), Attempt.id.desc())
    else:
        order = (score.desc(), Attempt.submitted_at.asc(), Attempt.id.asc())
    ranked = select(
        Attempt.id, Attempt.user_id, score.label("score"), Attempt.passed, Attempt.max_score,
        func.row_number().over(partition_by=Attempt.user_id, order_by=order).label("rn"),
    ).where(Attempt.exam_id == exam.id, Attempt.state == FINISHED)
    if org_ids is not None:
        ranked = ranked.join(User, User.id == Attempt.user_id).where(User.organisation_id.in_(org_ids))
    ranked = ranked.subquery("ranked")
    return (
        select(ranked.c.id, ranked.c.user_id, ranked.c.score, ranked.c.passed, ranked.c.max_score)
        .where(ranked.c.rn == 1)
        .subquery("counting")
    )


# --- the report ------------------------------------------------------------------------------------


@dataclass
class OrgRow:
    """An organisation including its sub-units. Candidates: the audience (active accounts) plus
    anyone who attempted; attempted: started at least one attempt; finished: finished at least one."""

    org_id: int | None
    name: str
    depth: int = 0
    parent_name: str = ""
    candidates: int = 0
    attempted: int = 0
    finished: int = 0
    passed: int = 0
    score_sum: float = 0.0  # points, over the counting attempts

    def add(self, other: OrgRow) -> None:
        self.candidates += other.candidates
        self.attempted += other.attempted
        self.finished += other.finished
        self.passed += other.passed
        self.score_sum += other.score_sum

    @property
    def participation(self) -> float | None:
        """Finished as a percentage of the candidates."""
        return _ratio(self.finished, self.candidates)

    @property
    def pass_rate(self) -> float | None:
        """Passed as a percentage of those who finished."""
        return _ratio(self.passed, self.finished)

    @property
    def mean(self) -> float | None:
        return round(self.score_sum / self.finished, 2) if self.finished else None


@dataclass(frozen=True)
class QuestionRow:
    version_id: int
    question_id: int
    uid: str
    version: int
    qtype: str
    stem: str
    slots: tuple[int, ...]
    points: float
    stats: item_stats.ItemStats
    endpoint: str = QUESTION_ENDPOINT

    @property
    def flags(self) -> tuple[str, ...]:
        return self.stats.flags

    @property
    def places(self) -> str:
        """The slots as people count them (1-based)."""
        return ", ".join(str(s + 1) for s in self.slots)

    @property
    def link_args(self) -> dict:
        return {"question_id": self.question_id}


@dataclass
class Report:
    exam: Exam
    org: Organisation | None
    total: OrgRow
    orgs: list[OrgRow]
    org_choices: list[tuple[int, str, int]]  # (id, name, depth) of every organisation with candidates
    max_score: float  # points
    histogram: list[tuple[float, float, int]]
    stats: item_stats.ExamStats
    questions: list[QuestionRow] = field(default_factory=list)

    @property
    def flagged(self) -> list[QuestionRow]:
        return [q for q in self.questions if q.flags]


def _participation(exam: Exam, tree: OrgTree, counting) -> dict[int, OrgRow]:
    """Per organisation, its own candidates only (``_roll_up`` adds the sub-units)."""
    population = [User.id.in_(select(Attempt.user_id).where(Attempt.exam_id == exam.id))]
    audience = audience_condition(exam, tree)
    if audience is not None:
        population.append(audience)
    people = db.session.execute(select(User.id, User.organisation_id).where(or_(*population))).all()

    attempted = set(db.session.execute(select(Attempt.user_id).where(Attempt.exam_id == exam.id).distinct())
                    .scalars())
    results = {
        user_id: (score, grading.passed(score, exam.pass_score) if passed is None else bool(passed))
        for user_id, score, passed in db.session.execute(
            select(counting.c.user_id, counting.c.score, counting.c.passed)
        )
    }
    direct: dict[int, OrgRow] = {}
    for user_id, org_id in people:
        row = direct.setdefault(org_id, OrgRow(org_id, tree.names.get(org_id, "")))
        row.candidates += 1
        if user_id in attempted:
            row.attempted += 1
        if user_id in results:
            score, passed = results[user_id]
            row.finished += 1
            row.passed += int(passed)
            row.score_sum += score / 100
    return direct


def _roll_up(tree: OrgTree, direct: dict[int, OrgRow], roots: list[int]) -> list[OrgRow]:
    """Rows for ``roots`` and their sub-units, parents first, each summing its subtree."""
    order = list(tree.walk(roots))
    rows = {org_id: OrgRow(org_id, tree.names[org_id], depth,
                           tree.names.get(tree.parent.get(org_id), "") if depth else "")
            for org_id, depth in order}
    for org_id, _ in reversed(order):  # children before parents
        if org_id in direct:
            rows[org_id].add(direct[org_id])
        parent = tree.parent.get(org_id)
        if parent in rows and rows[org_id].depth > 0:
            rows[parent].add(rows[org_id])
    return [rows[org_id] for org_id, _ in order if rows[org_id].candidates]


def _item_moments(counting) -> list[tuple[int, int, item_stats.Moments]]:
    """(slot, version id, moments in points): one GROUP BY over the counting attempts' items."""
    x = cast(func.coalesce(AttemptItem.mark, 0), Float)
    t = cast(counting.c.score, Float)
    rows = db.session.execute(
        select(AttemptItem.slot, AttemptItem.question_version_id, func.count(), func.sum(x), func.sum(x * x),
               func.sum(t), func.sum(t * t), func.sum(x * t), func.max(AttemptItem.points))
        .join(counting, counting.c.id == AttemptItem.attempt_id)
        .group_by(AttemptItem.slot, AttemptItem.question_version_id)
    )
    return [
        (slot, version_id, item_stats.Moments(int(n), sx / 100, sx2 / 10_000, st / 100, st2 / 10_000, sxt / 10_000,
                                              float(most)))
        for slot, version_id, n, sx, sx2, st, st2, sxt, most in rows
    ]


def _questions(cells: list[tuple[int, int, item_stats.Moments]],
               min_attempts: int = 1) -> tuple[list[QuestionRow], list]:
    by_version: dict[int, item_stats.Moments] = {}
    by_slot: dict[int, item_stats.Moments] = {}
    slots: dict[int, set[int]] = defaultdict(set)
    for slot, version_id, m in cells:
        by_version[version_id] = by_version[version_id] + m if version_id in by_version else m
        by_slot[slot] = by_slot[slot] + m if slot in by_slot else m
        slots[version_id].add(slot)
    info = {
        row.id: row
        for row in db.session.execute(
            select(QuestionVersion.id, QuestionVersion.question_id, QuestionVersion.number, QuestionVersion.qtype,
                   QuestionVersion.stem, Question.uid)
            .join(Question, Question.id == QuestionVersion.question_id)
            .where(QuestionVersion.id.in_(list(by_version)))
        )
    } if by_version else {}
    questions = []
    for version_id, m in by_version.items():
        v = info.get(version_id)
        if v is None:
            continue
        questions.append(QuestionRow(version_id, v.question_id, v.uid, v.number, v.qtype, v.stem,
                                     tuple(sorted(slots[version_id])), m.max_mark,
                                     item_stats.item_stats(version_id, m, min_attempts)))
    questions.sort(key=lambda q: (q.slots[0], q.version_id))
    return questions, [by_slot[s] for s in sorted(by_slot)]


def report(exam: Exam, org: Organisation | None = None) -> Report:
    """The statistics of ``exam`` over all candidates, or over those of ``org`` and its sub-units."""
    tree = OrgTree()
    org_ids = tree.subtree(org.id) if org is not None else None
    # Participation is per candidate, so the filtered rows are the unfiltered ones of the subtree.
    direct = _participation(exam, tree, _counting(exam))
    all_rows = _roll_up(tree, direct, tree.roots())
    if org is not None:
        inside = set(org_ids)
        direct = {o: row for o, row in direct.items() if o in inside}
        rows = _roll_up(tree, direct, [org.id])
    else:
        rows = all_rows
    total = OrgRow(None, "")
    for row in direct.values():
        total.add(row)

    counting = _counting(exam, org_ids)
    totals = [(score or 0) / 100 for score in db.session.execute(select(counting.c.score)).scalars()]
    biggest = db.session.execute(select(func.max(counting.c.max_score))).scalar()
    maximum = biggest / 100 if biggest else float(max_score(exams.sections_of(exam)))
    min_attempts = current_app.config["STATS_MIN_ATTEMPTS"]
    questions, slot_moments = _questions(_item_moments(counting), min_attempts)
    return Report(
        exam=exam,
        org=org,
        total=total,
        orgs=rows,
        org_choices=[(r.org_id, r.name, r.depth) for r in all_rows],
        max_score=maximum,
        histogram=item_stats.histogram(totals, maximum, HISTOGRAM_BINS),
        stats=item_stats.exam_stats(totals, slot_moments, min_attempts),
        questions=questions,
    )


# --- leaderboards ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    rank: int
    user_id: int
    name: str
    org_id: int
    org_name: str
    score: float  # points
    seconds: int  # time taken


@dataclass(frozen=True)
class Leaderboard:
    entries: list[Entry]
    total: int  # candidates ranked
    viewer: Entry | None  # the viewer's own entry, wherever it ranks


@dataclass(frozen=True)
class OrgEntry:
    rank: int
    org_id: int
    name: str
    participants: int
    average: float  # points, of the participants' best scores


def _best(exam: Exam, org_ids: list[int] | None = None):
    """Each candidate's best finished attempt: by score, then time taken (exam_rules.leaderboard_key)."""
    score = func.coalesce(Attempt.score, 0)
    seconds = attempt_store.seconds_taken()
    ranked = select(
        Attempt.user_id, score.label("score"), seconds.label("seconds"),
        func.row_number().over(partition_by=Attempt.user_id,
                               order_by=(score.desc(), seconds.asc(), Attempt.id.asc())).label("rn"),
    ).where(Attempt.exam_id == exam.id, Attempt.state == FINISHED)
    if org_ids is not None:
        ranked = ranked.join(User, User.id == Attempt.user_id).where(User.organisation_id.in_(org_ids))
    ranked = ranked.subquery("ranked")
    return (select(ranked.c.user_id, ranked.c.score, ranked.c.seconds).where(ranked.c.rn == 1)
            .subquery("best"))


def leaderboard(exam: Exam, org_id: int | None = None, limit: int = 100, viewer_id: int | None = None) -> Leaderboard:
    """The top ``limit`` candidates (ties share a rank), overall or within an organisation and its sub-units."""
    org_ids = OrgTree().subtree(org_id) if org_id is not None else None
    best = _best(exam, org_ids)
    ranked = select(
        best.c.user_id, best.c.score, best.c.seconds,
        func.rank().over(order_by=(best.c.score.desc(), best.c.seconds.asc())).label("rank"),
    ).subquery("ranked_best")
    query = (
        select(ranked.c.rank, ranked.c.user_id, User.full_name, User.organisation_id, Organisation.name,
               ranked.c.score, ranked.c.seconds)
        .join(User, User.id == ranked.c.user_id)
        .join(Organisation, Organisation.id == User.organisation_id)
    )

    def entry(row) -> Entry:
        rank, user_id, name, org, org_name, score, seconds = row
        return Entry(int(rank), user_id, name, org, org_name, points(score), int(seconds or 0))

    entries = [entry(r) for r in db.session.execute(query.order_by(ranked.c.rank, ranked.c.user_id).limit(limit))]
    viewer = next((e for e in entries if e.user_id == viewer_id), None)
    if viewer is None and viewer_id is not None:
        row = db.session.execute(query.where(ranked.c.user_id == viewer_id)).first()
        viewer = entry(row) if row else None
    total = db.session.execute(select(func.count()).select_from(best)).scalar_one()
    return Leaderboard(entries, total, viewer)


def org_leaderboard(exam: Exam) -> list[OrgEntry]:
    """Organisations (the candidates' own) by the average of their participants' best scores."""
    best = _best(exam)
    rows = db.session.execute(
        select(User.organisation_id, Organisation.name, func.count(), func.avg(cast(best.c.score, Float)))
        .select_from(best)
        .join(User, User.id == best.c.user_id)
        .join(Organisation, Organisation.id == User.organisation_id)
        .group_by(User.organisation_id, Organisation.name)
    ).all()
    standings = sorted(((org_id, name, int(count), points(float(average))) for org_id, name, count, average in rows),
                       key=lambda r: exam_rules.org_leaderboard_key(r[3], r[2], r[1]))
    ranks = exam_rules.shared_ranks([r[3] for r in standings])
    return [OrgEntry(rank, org_id, name, count, average)
            for rank, (org_id, name, count, average) in zip(ranks, standings, strict=True)]
