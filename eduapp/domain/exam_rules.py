"""The rules of an exam that are not grading: settings, audience, time, attempts, review."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from eduapp.domain.grading import MC_RULES
from eduapp.domain.problems import N_, Problem

GRADING_METHODS = ("highest", "last")
NAVIGATION = ("free", "sequential")
# When a candidate sees which answers were right, the right answers and the explanations:
AFTER_SUBMIT, AFTER_CLOSE, SCORE_ONLY = "after_submit", "after_close", "score_only"
REVIEW_POLICIES = (AFTER_SUBMIT, AFTER_CLOSE, SCORE_ONLY)
MAX_DURATION = 24 * 60
MAX_ATTEMPTS = 20


@dataclass(frozen=True)
class Settings:
    title: str
    open_at: datetime
    close_at: datetime
    duration_minutes: int
    attempts_allowed: int
    grading_method: str
    pass_score: int
    navigation: str
    review_policy: str
    mc_rule: str
    points_on_pass: int


def check_settings(s: Settings, max_score: int) -> list[Problem]:
    """Problems with an exam's settings, each naming its field. ``max_score`` in points."""
    problems: list[Problem] = []

    def add(msgid: str, fld: str, **params):
        problems.append(Problem(msgid, params, fld))

    if not s.title.strip():
        add(N_("Give the exam a title."), "title")
    if s.close_at <= s.open_at:
        add(N_("The exam must close after it opens."), "close_at")
    if not 1 <= s.duration_minutes <= MAX_DURATION:
        add(N_("The duration is 1 to %(max)s minutes."), "duration_minutes", max=MAX_DURATION)
    if not 1 <= s.attempts_allowed <= MAX_ATTEMPTS:
        add(N_("Allow 1 to %(max)s attempts."), "attempts_allowed", max=MAX_ATTEMPTS)
    if s.grading_method not in GRADING_METHODS:
        add(N_("Choose which attempt counts."), "grading_method")
    if s.navigation not in NAVIGATION:
        add(N_("Choose how candidates move between questions."), "navigation")
    if s.review_policy not in REVIEW_POLICIES:
        add(N_("Choose what candidates see after the exam."), "review_policy")
    if s.mc_rule not in MC_RULES:
        add(N_("Choose how multiple-choice questions are marked."), "mc_rule")
    if max_score and not 0 < s.pass_score <= max_score:
        add(N_("The pass score is 1 to %(max)s, the paper's full marks."), "pass_score", max=max_score)
    if not 0 <= s.points_on_pass <= 1000:
        add(N_("Study points for passing are 0 to 1000."), "points_on_pass")
    return problems


@dataclass(frozen=True)
class AudienceEntry:
    kind: str  # role | org | user
    value: str


def in_audience(entries: Iterable[AudienceEntry], user_id: int, roles: Iterable[str],
                org_and_ancestors: Iterable[int]) -> bool:
    """A role the user holds, their organisation or one above it, or the user by name."""
    roles = {str(r) for r in roles}
    orgs = {str(o) for o in org_and_ancestors}
    for entry in entries:
        if (entry.kind == "role" and entry.value in roles) or (entry.kind == "org" and entry.value in orgs):
            return True
        if entry.kind == "user" and entry.value == str(user_id):
            return True
    return False


def deadline(started_at: datetime, duration_minutes: int, extra_minutes: int, close_at: datetime) -> datetime:
    """The server's deadline: the duration (plus any extra time) from the start, but never after closing."""
    return min(started_at + timedelta(minutes=duration_minutes + extra_minutes), close_at)


def is_open(open_at: datetime, close_at: datetime, now: datetime) -> bool:
    return open_at <= now < close_at


def may_start(is_open, running, allowed, extra, used):
    """Whether a candidate may start (or go on with) an attempt: the exam is open, and an attempt is
    running or one is left of those allowed (with the candidate's extra attempts). Passing does not
    stop a retake: no setting forbids one.

    Written with ``&``, ``|`` and ``<`` so that the one rule serves both the exam page (plain bools and
    ints: ``services.attempts.summary``) and the exam-closing reminders, which pass SQL expressions to
    select everyone who may still make an attempt in one query (``services.exam_reach``)."""
    return is_open & (running | (used < allowed + extra))


def may_review(policy: str, finished: bool, close_at: datetime, now: datetime) -> bool:
    """Whether a candidate may see right answers and explanations of a finished attempt."""
    if not finished or policy == SCORE_ONLY:
        return False
    return policy == AFTER_SUBMIT or now >= close_at


def counting_attempt(method: str, finished: list[tuple[int, int, datetime]]) -> int | None:
    """Of (attempt id, score, submitted at), the one that counts: the highest (the earlier on a tie),
    or the last."""
    if not finished:
        return None
    if method == "last":
        return max(finished, key=lambda a: (a[2], a[0]))[0]
    return min(finished, key=lambda a: (-a[1], a[2], a[0]))[0]


def leaderboard_key(score: int, seconds: float) -> tuple[int, float]:
    """Competitions rank candidates by their best score, then by the time it took (less is better); equal
    keys share a rank. services.exam_stats states this order in SQL (rank() over score desc, seconds asc),
    tests/test_exam_stats.py holds it to this key."""
    return (-score, seconds)


def org_leaderboard_key(average: float, participants: int, name: str) -> tuple[float, int, str]:
    """Organisations rank by their participants' average best score; more participants, then the name,
    only order the ties (which share a rank: ``shared_ranks`` of the averages)."""
    return (-average, -participants, name)


def shared_ranks(values: list) -> list[int]:
    """Ranks of values already in leaderboard order: equal neighbours share a rank and the next rank
    skips (competition ranking: 1, 2, 2, 4)."""
    ranks: list[int] = []
    for position, value in enumerate(values, start=1):
        ranks.append(ranks[-1] if ranks and values[position - 2] == value else position)
    return ranks
