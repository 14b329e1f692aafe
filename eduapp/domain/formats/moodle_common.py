"""What Moodle's two formats, Moodle XML and GIFT, share: category paths, answer weights, and the tags
that carry what Moodle has no field for: the citation, the difficulty, the status, and the blanks of a
fill-in question after the first (Moodle's shortanswer has one).

Both formats write these tags, and read them back out of the tags:
"eduapp-law:…", "eduapp-article:…", "eduapp-difficulty:3", "eduapp-status:published" and
"eduapp-blanks:" + JSON (a list of lists of alternatives). Moodle itself keeps them as ordinary tags,
so a question that travels through Moodle and back keeps them too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from eduapp.domain.problems import N_, Problem
from eduapp.domain.questions import FILL_BLANK, SINGLE, QuestionData

LAW_TAG, ARTICLE_TAG, DIFFICULTY_TAG = "eduapp-law:", "eduapp-article:", "eduapp-difficulty:"
STATUS_TAG, BLANKS_TAG = "eduapp-status:", "eduapp-blanks:"

_CONTEXT_PREFIX = re.compile(r"^\$[A-Za-z0-9_]*\$(?:/|$)")
_WILDCARD = re.compile(r"(?<!\\)\*")


@dataclass
class Meta:
    """The fields read out of a question's tags, and the tags that remain."""

    tags: list[str] = field(default_factory=list)
    law: str | None = None
    article: str | None = None
    difficulty: int = 3
    status: str | None = None
    extra_blanks: tuple[tuple[str, ...], ...] = ()
    problems: list[Problem] = field(default_factory=list)


def read(tags: list[str], line: int | None) -> Meta:
    meta = Meta()
    for raw in tags:
        tag = raw.strip()
        if tag.startswith(LAW_TAG):
            meta.law = tag[len(LAW_TAG):].strip() or None
        elif tag.startswith(ARTICLE_TAG):
            meta.article = tag[len(ARTICLE_TAG):].strip() or None
        elif tag.startswith(DIFFICULTY_TAG):
            value = tag[len(DIFFICULTY_TAG):].strip()
            if re.fullmatch(r"[1-5]", value):
                meta.difficulty = int(value)
            else:
                meta.problems.append(
                    Problem(N_("The tag “%(tag)s” must give a difficulty from 1 to 5."), {"tag": tag}, "difficulty",
                            line)
                )
        elif tag.startswith(STATUS_TAG):
            meta.status = tag[len(STATUS_TAG):].strip() or None
        elif tag.startswith(BLANKS_TAG):
            blanks = _blanks(tag[len(BLANKS_TAG):])
            if blanks is None:
                meta.problems.append(
                    Problem(N_("The tag “%(tag)s” must hold the further blanks as a JSON list of lists."),
                            {"tag": tag}, "answer", line)
                )
            else:
                meta.extra_blanks = blanks
        elif tag and tag not in meta.tags:
            meta.tags.append(tag)
    return meta


def _blanks(text: str) -> tuple[tuple[str, ...], ...] | None:
    try:
        blanks = json.loads(text)
    except ValueError:
        return None
    if not isinstance(blanks, list) or not all(
        isinstance(b, list) and all(isinstance(a, str) for a in b) for b in blanks
    ):
        return None
    return tuple(tuple(b) for b in blanks)


def write(q: QuestionData) -> list[str]:
    """The tags that carry what the format has no field for (the question's own tags not included)."""
    tags: list[str] = []
    if q.qtype == FILL_BLANK and len(q.answer) > 1:
        tags.append(BLANKS_TAG + json.dumps([list(b) for b in q.answer[1:]], ensure_ascii=False))
    if q.law:
        tags.append(LAW_TAG + q.law)
    if q.article:
        tags.append(ARTICLE_TAG + q.article)
    tags.append(f"{DIFFICULTY_TAG}{q.difficulty}")
    if q.status:
        tags.append(STATUS_TAG + q.status)
    return tags


def category_path(text: str, default: str | None) -> str | None:
    """A Moodle category ("$course$/top/A/B") as our path ("A/B")."""
    text = _CONTEXT_PREFIX.sub("", text.strip())
    # Moodle writes a "/" inside a category name as "//"; our paths have no escape, so it becomes "／"
    parts = [p.replace("\0", "／").strip() for p in text.replace("//", "\0").split("/")]
    parts = [p for p in parts if p]
    if parts and parts[0].lower() == "top":
        parts = parts[1:]
    return "/".join(parts) if parts else default


def moodle_category(path: str | None) -> str:
    """Our category path as Moodle writes it ("A/B" -> "$course$/top/A/B")."""
    return "$course$/top" + (f"/{path}" if path else "")


def choice_fractions(q: QuestionData) -> list[str]:
    """Moodle's answer weights for a choice question, in its notation (100, 50, 33.33333, -25).

    Single choice: 100 for the right option, 0 for the others. Multiple choice: the right options share
    100 and the wrong ones share -100, so that ticking every box scores nothing."""
    correct = set(q.answer)
    wrong_count = len(q.options) - len(correct)
    weights = []
    for index in range(len(q.options)):
        if q.qtype == SINGLE:
            weights.append(100 if index in correct else 0)
        else:
            weights.append(100 / len(correct) if index in correct else (-100 / wrong_count if wrong_count else 0))
    return [_fraction_text(w) for w in weights]


def _fraction_text(fraction: float) -> str:
    if float(fraction).is_integer():
        return str(int(fraction))
    return f"{fraction:.5f}".rstrip("0").rstrip(".")


def shortanswer_alternatives(
    answers: list[tuple[str, float]], line: int | None
) -> tuple[tuple[str, ...], list[Problem]]:
    """The accepted answers of a Moodle shortanswer: those worth 100%, with "\\*" read as a star.

    ``answers`` holds (text, weight in percent). An unescaped "*" is Moodle's wildcard, which our
    grading does not have: reported rather than taken literally."""
    problems: list[Problem] = []
    alternatives: list[str] = []
    for text, weight in answers:
        if weight != 100:
            continue
        if _WILDCARD.search(text):
            problems.append(
                Problem(N_("The answer “%(value)s” uses the wildcard *, which is not supported."), {"value": text},
                        "answer", line)
            )
        alternatives.append(text.replace("\\*", "*"))
    return tuple(alternatives), problems
