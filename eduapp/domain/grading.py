"""Grading answers: pure, fast, and in integers.

Marks are kept in hundredths of a point ("centipoints"), so a question worth 5 points scores 0 to
500 and half marks stay exact. A question's key is compiled once (``compile_key``) and then grades
any number of responses (``grade``): that is what makes a million answers a second-scale job.

Responses, as the exam page and the API send them (option ids are the options' original 0-based
indices, whatever order the candidate saw them in):
  - single choice: an option id (int);
  - multiple choice: a list of option ids;
  - true/false: true or false;
  - fill in the blank: a list of strings, one per blank.
None (or a missing response) is "not answered" and scores 0.

Multiple choice follows the common Chinese exam rule by default (MC_PARTIAL_HALF): every right
option and no wrong one = full marks; some right options and no wrong one = half marks (少选得一半);
any wrong option = 0. MC_PROPORTIONAL gives full × chosen/right for a right subset instead, and
MC_ALL_OR_NOTHING only full or 0. A fill-in-the-blank question divides its marks evenly between its
blanks; a blank is right when the response equals one accepted answer after normalisation
(full/half width, spaces, case).
"""

from __future__ import annotations

from dataclasses import dataclass

from eduapp.domain.problems import N_, Problem
from eduapp.domain.questions import FILL_BLANK, MULTIPLE, SINGLE, TRUE_FALSE, blank_count
from eduapp.domain.questions import normalise_text as normalise

MC_PARTIAL_HALF = "partial_half"
MC_PROPORTIONAL = "proportional"
MC_ALL_OR_NOTHING = "all_or_nothing"
MC_RULES = (MC_PARTIAL_HALF, MC_PROPORTIONAL, MC_ALL_OR_NOTHING)

MAX_BLANK_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Key:
    """A question's answer key compiled for grading."""

    qtype: str
    single: int = -1  # single choice: the right option id
    truth: bool = False  # true/false
    right: frozenset[int] = frozenset()  # multiple choice
    blanks: tuple[frozenset[str], ...] = ()  # fill in the blank: normalised accepted answers per blank


def compile_key(qtype: str, answer: object) -> Key:
    """``answer`` as question versions store it: option ids, a bool, or lists of alternatives."""
    if qtype == SINGLE:
        return Key(qtype, single=int(answer[0]))
    if qtype == MULTIPLE:
        return Key(qtype, right=frozenset(int(i) for i in answer))
    if qtype == TRUE_FALSE:
        return Key(qtype, truth=bool(answer))
    if qtype == FILL_BLANK:
        return Key(qtype, blanks=tuple(frozenset(normalise(a) for a in alts) for alts in answer))
    raise ValueError(f"unknown question type {qtype!r}")


def grade(key: Key, response: object, points: int, rule: str = MC_PARTIAL_HALF) -> int:
    """The mark of ``response``, in centipoints, for a question worth ``points`` points."""
    full = points * 100
    if response is None:
        return 0
    qtype = key.qtype
    if qtype == SINGLE:
        return full if response == key.single else 0
    if qtype == TRUE_FALSE:
        return full if response is key.truth else 0
    if qtype == MULTIPLE:
        chosen = frozenset(response)
        if not chosen or not chosen <= key.right:
            return 0
        if chosen == key.right:
            return full
        if rule == MC_PARTIAL_HALF:
            return full // 2
        if rule == MC_PROPORTIONAL:
            return full * len(chosen) // len(key.right)
        return 0
    # fill in the blank
    blanks = key.blanks
    right = 0
    for accepted, given in zip(blanks, response, strict=False):
        if given and normalise(given) in accepted:
            right += 1
    return full if right == len(blanks) else full * right // len(blanks)


def is_correct(key: Key, response: object) -> bool:
    """Full marks (for practice and the wrong-answer book)."""
    return grade(key, response, 1, MC_ALL_OR_NOTHING) == 100


def as_stored(raw: object) -> object:
    """A response in the form it is stored, told by its shape alone: chosen options sorted, blanks stripped.
    check_response stores this form, so a writer may store it before knowing the question (and undo the
    write if check_response then refuses it)."""
    if isinstance(raw, list):
        if all(isinstance(i, int) and not isinstance(i, bool) for i in raw):
            return sorted(raw)
        if all(isinstance(b, str) for b in raw):
            return [b.strip() for b in raw]
    return raw


def check_response(qtype: str, raw: object, option_count: int, stem: str) -> tuple[object, Problem | None]:
    """A response as received (JSON) checked against its question: (the response, None) or (None, problem).

    None is a valid response: "not answered"."""
    if raw is None:
        return None, None

    def bad(msgid: str, **params) -> tuple[None, Problem]:
        return None, Problem(msgid, params, "response")

    if qtype == SINGLE:
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw < option_count:
            return bad(N_("Choose one of the options."))
        return raw, None
    if qtype == MULTIPLE:
        if not isinstance(raw, list) or any(isinstance(i, bool) or not isinstance(i, int) for i in raw):
            return bad(N_("Choose options from the list."))
        if any(not 0 <= i < option_count for i in raw) or len(set(raw)) != len(raw):
            return bad(N_("Choose options from the list."))
        return as_stored(raw), None
    if qtype == TRUE_FALSE:
        if not isinstance(raw, bool):
            return bad(N_("Answer true or false."))
        return raw, None
    if qtype == FILL_BLANK:
        blanks = blank_count(stem)
        if not isinstance(raw, list) or len(raw) != blanks or any(not isinstance(b, str) for b in raw):
            return bad(N_("Give one answer for each of the %(n)s blanks."), n=blanks)
        if any(len(b) > MAX_BLANK_LENGTH for b in raw):
            return bad(N_("An answer is longer than %(max)s characters."), max=MAX_BLANK_LENGTH)
        return as_stored(raw), None
    return bad(N_("This question cannot be answered."))


def points_number(centipoints: float | None) -> int | float | None:
    """A mark kept in centipoints as points, whole without ".0": 8500 -> 85, 8550 -> 85.5, 8525 -> 85.25."""
    if centipoints is None:
        return None
    value = round(centipoints / 100, 2)
    return int(value) if value == int(value) else value


def points_text(centipoints: float | None) -> str:
    """points_number as shown on a page ("85", "85.5"); a dash for no mark."""
    value = points_number(centipoints)
    return "–" if value is None else str(value)


def percent(score: int, max_score: int) -> float:
    return 0.0 if max_score == 0 else round(100 * score / max_score, 1)


def passed(score: int, pass_score_points: int) -> bool:
    """``score`` in centipoints against a pass score in points."""
    return score >= pass_score_points * 100
