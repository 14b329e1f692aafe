"""Practice rules: which question comes next, the daily set, the wrong-answer book, progress per law.

Pure functions over plain values. A learner's history is a list of AnswerRecord (one per answer, from
practice, the daily set or a finished exam); the services load it and the questions, these
functions decide.

- A question is *mastered* once it has been answered correctly at least once.
- A question is in the *wrong-answer book* (错题本) when its latest answer is wrong: answering it
  correctly takes it out, answering it wrongly again (anywhere) puts it back.
- Practice goes in *rounds*: a round visits each question of its scope once, the questions not yet
  mastered first, then the rest, each group in an order drawn from the round's seed. Nothing but the
  seed and the round's start is kept: the questions "done" in the round are those answered since it
  started, so the order survives reloads, back buttons and a second tab.
- The *daily set* (每日一练) is drawn from the learner's id and the date in China, mixing the types
  of question in turn; questions already answered today stay in it, so it cannot change under the
  learner even if the bank does.
"""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from eduapp.domain.digits import is_digits
from eduapp.domain.grading import Key, check_response
from eduapp.domain.problems import N_, Problem
from eduapp.domain.questions import CHOICE_TYPES, FILL_BLANK, SINGLE, TRUE_FALSE, indices_from_letters
from eduapp.domain.questions import normalise_text as normalise

DAILY_SIZE = 10
# China has kept UTC+8 without daylight saving since 1991: a fixed offset is exact and needs no tz database.
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")

PRACTICE, DAILY, EXAM = "practice", "daily", "exam"  # where an answer was given
LAW, CATEGORY, TAG, BOOK = "law", "category", "tag", "book"
CASE_STUDY = "case"  # the questions attached to a published case study (以案释法); the value is its id
SCOPE_KINDS = (LAW, CATEGORY, TAG, BOOK, CASE_STUDY)
MAX_SCOPE_VALUE = 300
MAX_ID_DIGITS = 12


# --- history -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    question_id: int
    correct: bool
    answered_at: datetime
    seq: int = 0  # the row id: orders two answers given at the same instant
    source: str = PRACTICE  # practice | daily | exam


def _order(record: AnswerRecord) -> tuple[datetime, int]:
    return record.answered_at, record.seq


def latest_answers(records: Iterable[AnswerRecord], upto: int | None = None) -> dict[int, AnswerRecord]:
    """Each question's latest answer (among the answers stored up to row ``upto``, when given)."""
    latest: dict[int, AnswerRecord] = {}
    for r in records:
        if upto is not None and r.seq > upto:
            continue
        seen = latest.get(r.question_id)
        if seen is None or _order(r) > _order(seen):
            latest[r.question_id] = r
    return latest


def mastered(records: Iterable[AnswerRecord]) -> set[int]:
    """Questions answered correctly at least once."""
    return {r.question_id for r in records if r.correct}


def wrong_book(
    records: Iterable[AnswerRecord], published: Iterable[int] | None = None, upto: int | None = None
) -> list[int]:
    """The wrong-answer book: questions whose latest answer is wrong, the most recently missed first.

    Only ``published`` questions, when given (a retired question cannot be practised again).
    ``upto`` gives the book as it stood when row ``upto`` was the learner's latest answer."""
    allowed = None if published is None else set(published)
    wrong = [
        r
        for r in latest_answers(records, upto=upto).values()
        if not r.correct and (allowed is None or r.question_id in allowed)
    ]
    return [r.question_id for r in sorted(wrong, key=_order, reverse=True)]


# --- ordering ------------------------------------------------------------------------------------------


def rank(seed: str, item: object) -> int:
    """A pseudo-random but reproducible place for ``item``: the same seed always gives the same order
    (in every process, unlike hash())."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{item}".encode()).digest()[:8], "big")


def practice_order(candidates: Iterable[int], mastered_ids: set[int], seed: str) -> list[int]:
    """The order of a round: questions not yet mastered first, then the rest, each group shuffled by ``seed``."""
    return sorted(set(candidates), key=lambda q: (q in mastered_ids, rank(seed, q)))


def next_question(candidates: Iterable[int], mastered_ids: set[int], done: set[int], seed: str) -> int | None:
    """The next question of the round, or None when every candidate has been answered in it."""
    for question_id in practice_order(candidates, mastered_ids, seed):
        if question_id not in done:
            return question_id
    return None


@dataclass(frozen=True, slots=True)
class RoundProgress:
    total: int  # questions in the round
    answered: int  # of them answered in the round
    right_first_time: int  # of them answered correctly at the first try of the round

    @property
    def position(self) -> int:
        """1-based number of the question being shown."""
        return min(self.answered + 1, self.total)

    @property
    def finished(self) -> bool:
        return self.answered >= self.total


def answers_in_round(records: Iterable[AnswerRecord], mark: int) -> list[AnswerRecord]:
    """The practice answers stored since a round started (daily and exam answers belong to no round)."""
    return [r for r in records if r.source == PRACTICE and r.seq > mark]


def round_progress(candidates: Iterable[int], in_round: Iterable[AnswerRecord]) -> RoundProgress:
    """How far a round has gone, from the answers given since it started."""
    pool = set(candidates)
    first: dict[int, AnswerRecord] = {}
    for r in sorted(in_round, key=_order):
        if r.question_id in pool:
            first.setdefault(r.question_id, r)
    return RoundProgress(len(pool), len(first), sum(1 for r in first.values() if r.correct))


# Round tokens: "<mark>.<hex nonce>", the mark being the id of the learner's latest answer when the
# round started (0 for none): the answers stored after it belong to the round. Row ids, not clock
# times, so an answer given in the same instant as the round started is never on the wrong side.
# The whole token seeds the round's order. Anything else is not a round (a new one is started).
ROUND_RE = re.compile(r"^(\d{1,12})\.([0-9a-f]{8,32})$")


def last_seq(records: Iterable[AnswerRecord]) -> int:
    return max((r.seq for r in records), default=0)


def new_round(mark: int, nonce: str) -> str:
    return f"{mark}.{nonce}"


def round_mark(token: str | None, latest: int) -> int | None:
    """Where the round of ``token`` started; None for a malformed token or one past ``latest``
    (the learner's latest answer: a round cannot start after it)."""
    match = ROUND_RE.match(token or "")
    if not match:
        return None
    mark = int(match.group(1))
    return mark if mark <= latest else None


# --- the daily set -----------------------------------------------------------------------------------


def china_day(now: datetime) -> date:
    """The date in China at ``now`` (an aware datetime)."""
    return now.astimezone(CHINA).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The start and end (exclusive) of a day in China, in UTC."""
    start = datetime.combine(day, time(0), CHINA).astimezone(UTC)
    return start, start + timedelta(days=1)


def daily_draw(
    user_id: int, day: date, pool: Iterable[tuple[int, str]], featured: Iterable[int] = ()
) -> list[int]:
    """The whole ``pool`` (question id, type) in the learner's order of the day: by turns from each
    type, each type's questions and the order of the types seeded by the learner and the day.

    ``featured`` (the questions attached to published case studies, 以案释法): when any of them is in the
    pool, the one the learner's seed of the day ranks first leads the draw, so each day's set holds one
    question from the typical cases (a different one each day, the same all day)."""
    seed = f"daily:{user_id}:{day.isoformat()}"
    pool = set(pool)
    ids = {question_id for question_id, _ in pool}
    lead = min((q for q in set(featured) if q in ids), key=lambda q: rank(seed + ":case", q), default=None)
    drawn = [] if lead is None else [lead]
    by_type: dict[str, list[int]] = {}
    for question_id, qtype in sorted(pool):
        if question_id == lead:
            continue
        by_type.setdefault(qtype, []).append(question_id)
    queues = [
        deque(sorted(by_type[qtype], key=lambda q: rank(seed, q)))
        for qtype in sorted(by_type, key=lambda t: rank(seed, t))
    ]
    while any(queues):
        for queue in queues:
            if queue:
                drawn.append(queue.popleft())
    return drawn


def daily_set(
    user_id: int,
    day: date,
    pool: Iterable[tuple[int, str]],
    answered_today: Sequence[int] = (),
    size: int = DAILY_SIZE,
    featured: Iterable[int] = (),
) -> list[int]:
    """Today's questions for a learner: the first ``size`` of the day's draw, in order.

    A question answered today stays in the set whatever happens to the bank (edited, retired, new
    questions published): those no longer in the pool come first, the others keep their place, and
    only the unanswered places are filled from the draw."""
    drawn = daily_draw(user_id, day, pool, featured)
    answered = list(dict.fromkeys(answered_today))[:size]
    done = set(answered)
    in_draw = set(drawn)
    chosen = [q for q in answered if q not in in_draw]
    free = size - len(answered)
    for question_id in drawn:
        if question_id in done:
            chosen.append(question_id)
        elif free > 0:
            chosen.append(question_id)
            free -= 1
    return chosen


# --- progress ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LawProgress:
    law: str
    total: int  # published questions citing the statute
    mastered: int  # of them answered correctly at least once

    @property
    def percent(self) -> int:
        return 0 if self.total == 0 else self.mastered * 100 // self.total


def law_order(title: str) -> tuple[bool, str]:
    """Laws (…法) before regulations and the rest, each by title (as the law library lists them)."""
    return not title.endswith("法"), title


def progress_by_law(pool: Iterable[tuple[int, str | None]], mastered_ids: set[int]) -> list[LawProgress]:
    """For each statute cited by a published question (id, law): distinct questions mastered / total."""
    totals: dict[str, set[int]] = {}
    for question_id, law in pool:
        if law:
            totals.setdefault(law, set()).add(question_id)
    return [
        LawProgress(law, len(ids), len(ids & mastered_ids))
        for law, ids in sorted(totals.items(), key=lambda i: law_order(i[0]))
    ]


@dataclass(frozen=True, slots=True)
class CategoryCount:
    path: str
    name: str
    depth: int  # 0 for a top-level category
    count: int  # published questions in it and its sub-categories


def category_counts(paths: Iterable[str | None]) -> list[CategoryCount]:
    """Categories of the published questions (one path per question), each with its sub-categories'
    questions counted in, as a tree in path order."""
    counts: dict[str, int] = {}
    for path in paths:
        parts = [p for p in (path or "").split("/") if p]
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            counts[prefix] = counts.get(prefix, 0) + 1
    return [
        CategoryCount(path, path.rsplit("/", 1)[-1], path.count("/"), n)
        for path, n in sorted(counts.items(), key=lambda item: item[0].split("/"))
    ]


# --- input -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    kind: str  # law | category | tag | book | case
    value: str = ""  # the statute's title, the category path, the tag or the case study's id; empty for the book


def parse_scope(kind: str | None, value: str | None) -> tuple[Scope | None, Problem | None]:
    kind = (kind or "").strip()
    value = (value or "").strip()
    if kind not in SCOPE_KINDS:
        return None, Problem(N_("Choose a law, a category, a tag or the wrong-answer book."), field="kind")
    if kind == BOOK:
        return Scope(BOOK), None
    if not value:
        return None, Problem(N_("Choose what to practise."), field="value")
    if len(value) > MAX_SCOPE_VALUE:
        return None, Problem(N_("This is longer than %(max)s characters."), {"max": MAX_SCOPE_VALUE}, "value")
    if kind == CASE_STUDY and not (value.isascii() and value.isdigit() and len(value) <= 9):
        return None, Problem(N_("Choose a case study to practise."), field="value")
    return Scope(kind, value.strip("/") if kind == CATEGORY else value), None


def parse_question_id(raw: str | None) -> tuple[int | None, Problem | None]:
    text = (raw or "").strip()
    if not is_digits(text) or len(text) > MAX_ID_DIGITS:
        return None, Problem(N_("This question is not available for practice."), field="question_id")
    return int(text), None


def typed_letters(qtype: str, raw: object, option_count: int) -> object:
    """A choice answer typed as option letters (``"AC"``, ``"a, c"``, ``"Ａ，Ｃ"``) as option ids, A
    the question's first option as it is stored and practice shows it; anything else as it came
    (check_response then refuses it by name)."""
    if qtype not in CHOICE_TYPES or not isinstance(raw, str) or len(raw) > 100:
        return raw
    found = indices_from_letters(raw, option_count)
    if found is None:
        return raw
    return found[0] if qtype == SINGLE and len(found) == 1 else list(found)


def parse_response(qtype: str, values: Sequence[str], option_count: int, stem: str) -> tuple[object, Problem | None]:
    """A response as a form sends it (the values of the repeated ``response`` field) for a question of
    ``qtype``: (the response as grading takes it, None) or (None, the problem). Nothing chosen or
    typed is a problem here: practice asks for an answer."""
    values = [v if isinstance(v, str) else "" for v in values]
    if qtype == FILL_BLANK:
        if not any(v.strip() for v in values):
            return None, Problem(N_("Fill in the blanks."), field="response")
        return check_response(qtype, list(values), option_count, stem)
    chosen = [v.strip() for v in values if v.strip()]
    if not chosen:
        missing = N_("Answer true or false.") if qtype == TRUE_FALSE else N_("Choose an answer.")
        return None, Problem(missing, field="response")
    if qtype == TRUE_FALSE:
        if len(chosen) != 1 or chosen[0] not in ("true", "false"):
            return None, Problem(N_("Answer true or false."), field="response")
        return check_response(qtype, chosen[0] == "true", option_count, stem)
    if any(not is_digits(v) or len(v) > 3 for v in chosen):
        typed = typed_letters(qtype, "".join(chosen), option_count)
        if isinstance(typed, str):
            return None, Problem(N_("Choose options from the list."), field="response")
        return check_response(qtype, typed, option_count, stem)
    numbers = [int(v) for v in chosen]
    if qtype == SINGLE:
        if len(numbers) != 1:
            return None, Problem(N_("Choose one of the options."), field="response")
        return check_response(qtype, numbers[0], option_count, stem)
    return check_response(qtype, numbers, option_count, stem)


# --- feedback ----------------------------------------------------------------------------------------

RIGHT, WRONG, MISSED, PLAIN = "right", "wrong", "missed", "plain"


def option_marks(key: Key, response: object, option_count: int) -> list[str]:
    """How each option of a choice question reads after answering: chosen and right (RIGHT), chosen
    but wrong (WRONG), right but not chosen (MISSED), or neither (PLAIN)."""
    if key.qtype == SINGLE:
        right, chosen = {key.single}, {response}
    else:
        right, chosen = set(key.right), set(response or ())
    marks = []
    for i in range(option_count):
        if i in chosen:
            marks.append(RIGHT if i in right else WRONG)
        else:
            marks.append(MISSED if i in right else PLAIN)
    return marks


def blank_marks(key: Key, response: Sequence[str]) -> list[bool]:
    """Whether each blank of a fill-in question was filled with an accepted answer."""
    given = list(response or ())
    return [
        i < len(given) and bool(given[i]) and normalise(given[i]) in accepted for i, accepted in enumerate(key.blanks)
    ]
