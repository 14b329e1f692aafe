"""Exam blueprints: sections that draw questions from the bank, and the drawing of a paper.

A section draws COUNT questions of one type, from some categories (a category includes its
sub-categories), laws and tags (any of each list; an empty list means any), in a difficulty range,
each worth POINTS. No question appears twice on a paper, so overlapping sections compete for the
same questions: whether a blueprint can be filled is a matching problem, solved here as a maximum
flow (sections on one side, questions on the other). The same algorithm draws a paper, with the
candidates shuffled first so each candidate gets a random paper.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from eduapp.domain.problems import N_, Problem
from eduapp.domain.questions import QTYPES

MAX_SECTIONS = 20
MAX_COUNT = 200
MAX_POINTS = 100


@dataclass(frozen=True)
class Section:
    title: str
    qtype: str
    count: int
    points: int
    difficulty_min: int = 1
    difficulty_max: int = 5
    categories: tuple[str, ...] = ()
    laws: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """A published question as the blueprint sees it (its current version)."""

    question_id: int
    version_id: int
    qtype: str
    difficulty: int
    category: str | None
    law: str | None
    tags: frozenset[str] = field(default_factory=frozenset)


def matches(section: Section, c: Candidate) -> bool:
    if c.qtype != section.qtype or not section.difficulty_min <= c.difficulty <= section.difficulty_max:
        return False
    if section.categories and not any(
        c.category is not None and (c.category == path or c.category.startswith(path + "/"))
        for path in section.categories
    ):
        return False
    if section.laws and c.law not in section.laws:
        return False
    return not section.tags or not c.tags.isdisjoint(section.tags)


def check_sections(sections: Sequence[Section]) -> list[Problem]:
    """The sections' own fields; Problem.row is the section's number (1-based)."""
    problems: list[Problem] = []
    if not sections:
        problems.append(Problem(N_("An exam needs at least one section."), {}, "sections"))
    if len(sections) > MAX_SECTIONS:
        problems.append(Problem(N_("An exam has at most %(max)s sections."), {"max": MAX_SECTIONS}, "sections"))
    for number, s in enumerate(sections, start=1):
        def add(msgid: str, fld: str, _n=number, **params):
            problems.append(Problem(msgid, params, fld, _n))

        if s.qtype not in QTYPES:
            add(N_("Choose the question type of section %(n)s."), "qtype", n=number)
        if not 1 <= s.count <= MAX_COUNT:
            add(N_("Section %(n)s draws 1 to %(max)s questions."), "count", n=number, max=MAX_COUNT)
        if not 1 <= s.points <= MAX_POINTS:
            add(N_("A question of section %(n)s is worth 1 to %(max)s points."), "points", n=number, max=MAX_POINTS)
        if not 1 <= s.difficulty_min <= s.difficulty_max <= 5:
            add(N_("The difficulty range of section %(n)s runs from 1 to 5, lowest first."), "difficulty", n=number)
    return problems


def max_score(sections: Sequence[Section]) -> int:
    """In points."""
    return sum(s.count * s.points for s in sections)


def _assign(sections: Sequence[Section], candidates: Sequence[Candidate]) -> list[list[int]]:
    """A maximum assignment of candidates (by index) to sections, each section up to its count.

    Augmenting paths from each section's open places (Ford-Fulkerson on unit capacities):
    with a few thousand questions and tens of sections this is a few milliseconds."""
    eligible = [[i for i, c in enumerate(candidates) if matches(s, c)] for s in sections]
    owner: dict[int, int] = {}  # candidate index -> section index
    assigned: list[list[int]] = [[] for _ in sections]

    def augment(section: int, seen: set[int]) -> bool:
        for cand in eligible[section]:
            if cand in seen:
                continue
            seen.add(cand)
            holder = owner.get(cand)
            if holder is None or augment(holder, seen):
                if holder is not None:
                    assigned[holder].remove(cand)
                owner[cand] = section
                assigned[section].append(cand)
                return True
        return False

    for index, section in enumerate(sections):
        # Free candidates first (cheap), then augmenting paths through taken ones.
        for cand in eligible[index]:
            if len(assigned[index]) >= section.count:
                break
            if cand not in owner:
                owner[cand] = index
                assigned[index].append(cand)
        while len(assigned[index]) < section.count and augment(index, set()):
            pass
    return assigned


def shortfalls(sections: Sequence[Section], candidates: Sequence[Candidate]) -> list[Problem]:
    """What keeps the bank from filling the blueprint, per section: empty when it can be filled."""
    assigned = _assign(sections, candidates)
    problems = []
    for number, (section, got) in enumerate(zip(sections, assigned, strict=True), start=1):
        if len(got) < section.count:
            available = sum(1 for c in candidates if matches(section, c))
            if available < section.count:
                msgid = N_("Section %(n)s (%(title)s) draws %(count)s questions but the bank has only "
                           "%(available)s that fit: %(short)s short.")
            else:
                msgid = N_("Section %(n)s (%(title)s) draws %(count)s questions; %(available)s fit, but other "
                           "sections take some of them: %(short)s short.")
            problems.append(
                Problem(msgid, {"n": number, "title": section.title, "count": section.count,
                                "available": available, "short": section.count - len(got)}, "sections", number)
            )
    return problems


@dataclass(frozen=True)
class PaperItem:
    section: int  # index of its section
    slot: int  # its place in the blueprint (section by section), the same for every candidate
    candidate: Candidate
    points: int


def draw(sections: Sequence[Section], candidates: Sequence[Candidate], rng: random.Random,
         shuffle: bool = True) -> list[PaperItem]:
    """A random paper: items in blueprint order (slot order), or shuffled when ``shuffle``.

    Raises ValueError when the bank cannot fill the blueprint (check ``shortfalls`` first)."""
    pool = list(candidates)
    rng.shuffle(pool)
    assigned = _assign(sections, pool)
    items: list[PaperItem] = []
    slot = 0
    for index, (section, got) in enumerate(zip(sections, assigned, strict=True)):
        if len(got) < section.count:
            raise ValueError(f"section {index + 1} cannot be filled")
        for cand in got:
            items.append(PaperItem(index, slot, pool[cand], section.points))
            slot += 1
    if shuffle:
        rng.shuffle(items)
    return items


def option_order(option_count: int, rng: random.Random, shuffle: bool) -> list[int]:
    order = list(range(option_count))
    if shuffle:
        rng.shuffle(order)
    return order
