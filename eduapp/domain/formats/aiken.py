"""Aiken, the simplest of Moodle's question formats, read as Moodle's own importer reads it:

    Question text, on one line
    A) First option
    B) Second option
    ANSWER: B

An option line is a capital letter, ")" or ".", and its text; "ANSWER:" and the right letter end the
question. Lines shorter than two bytes are passed over. Texts are plain (shown as typed).
Moodle's errors are ours: an option or ANSWER line outside a question, a question with fewer than two
options, a new question before the last one had its ANSWER line, and (Moodle drops these silently) a
question still open at the end of the file. Beyond Moodle, "ANSWER: ABD" gives a multiple-choice
question, as Chinese exam tools write it.

Aiken has no ids: a re-import finds its questions in the bank by their content (domain/question_match.py),
so importing a file twice, or typed again, adds nothing.

Writing: single-choice questions only (Aiken has nothing else: unsupported() lists the rest); line
breaks in a text become spaces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from eduapp.domain.formats.text_files import decode_text, markdown_to_plain, not_text_problem, plain_to_markdown
from eduapp.domain.problems import N_, Problem
from eduapp.domain.questions import LETTERS, MULTIPLE, SINGLE, ParseResult, QuestionData, indices_from_letters, validate

_OPTION = re.compile(r"^[A-Z][).][ \t]?")
_ANSWER = re.compile(r"^ANSWER:")


@dataclass
class _Open:
    line: int
    stem: str
    options: list[str] = field(default_factory=list)


def unsupported(questions: list[QuestionData]) -> list[QuestionData]:
    """The questions write() leaves out: every one that is not single choice."""
    return [q for q in questions if q.qtype != SINGLE]


def parse(data: bytes, *, filename: str = "", category: str | None = None) -> ParseResult:
    result = ParseResult()
    text = decode_text(data)
    if text is None:
        result.problems.append(not_text_problem())
        return result

    def problem(msgid: str, line: int, fld: str, **params) -> None:
        result.problems.append(Problem(msgid, params, fld, line))

    current: _Open | None = None
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        line = raw.strip()
        if len(line.encode("utf-8")) < 2:  # Moodle counts bytes: "甲" is a line, "A" is not
            continue
        if _OPTION.match(line):
            if current is None:
                problem(N_("This option belongs to no question (a question starts with a line of its text)."),
                        number, "options")
            else:
                current.options.append(plain_to_markdown(line[2:].strip()))
        elif _ANSWER.match(line):
            if current is None:
                problem(N_("This ANSWER line belongs to no question."), number, "answer")
                continue
            if len(current.options) < 2:
                problem(N_("The question “%(stem)s” needs at least two options before its ANSWER line."),
                        number, "options", stem=current.stem[:60])
            else:
                _finish(current, line[len("ANSWER:"):].strip(), number, category, result)
            current = None
        else:
            if current is not None:
                problem(N_("The question “%(stem)s” (line %(start)s) has no ANSWER line before the next "
                           "question starts."), number, "answer", stem=current.stem[:60], start=current.line)
            current = _Open(number, plain_to_markdown(line))
    if current is not None:
        problem(N_("The question “%(stem)s” (line %(start)s) has no ANSWER line before the file ends."),
                current.line, "answer", stem=current.stem[:60], start=current.line)
    return result


def _finish(question: _Open, letters_text: str, line: int, category: str | None, result: ParseResult) -> None:
    answer = indices_from_letters(letters_text, len(question.options))
    if answer is None:
        last = LETTERS[min(len(question.options), len(LETTERS)) - 1]
        result.problems.append(
            Problem(N_("The answer “%(value)s” must be option letters that exist (A to %(last)s)."),
                    {"value": letters_text, "last": last}, "answer", line)
        )
        return
    q = QuestionData(
        qtype=SINGLE if len(answer) == 1 else MULTIPLE,
        stem=question.stem,
        answer=answer,
        options=tuple(question.options),
        category=category,
        line=question.line,
    )
    problems = validate(q)
    if problems:
        result.problems.extend(problems)
    else:
        result.questions.append(q)


def _one_line(text: str) -> str:
    return re.sub(r"\s*[\r\n]+\s*", " ", markdown_to_plain(text)).strip()


def write(questions: list[QuestionData]) -> bytes:
    out: list[str] = []
    for q in questions:
        if q.qtype != SINGLE:
            continue
        out.append(_one_line(q.stem) + "\n")
        out.extend(f"{LETTERS[i]}) {_one_line(option)}\n" for i, option in enumerate(q.options))
        out.append(f"ANSWER: {LETTERS[q.answer[0]]}\n\n")
    return "".join(out).encode("utf-8")
