"""Questions as every format reads and writes them, and the checks a question must pass.

A QuestionData is format-neutral: parsers of every format (domain/formats/) produce it, writers
consume it, the import service compares it with what the bank holds.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field, replace

from eduapp.domain.problems import N_, Problem
from eduapp.domain.typed_input import fold_width

SINGLE = "single"  # 单选题
MULTIPLE = "multiple"  # 多选题
TRUE_FALSE = "true_false"  # 判断题
FILL_BLANK = "fill_blank"  # 填空题
QTYPES = (SINGLE, MULTIPLE, TRUE_FALSE, FILL_BLANK)
CHOICE_TYPES = (SINGLE, MULTIPLE)

STATUSES = ("draft", "published", "retired")
MIN_OPTIONS, MAX_OPTIONS = 2, 8
LETTERS = "ABCDEFGH"
BLANK_RE = re.compile(r"_{3,}")
ARTICLE_RE = re.compile(r"^第[零〇一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?$")
EXTERNAL_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}$")
MAX_STEM = 5000
MAX_OPTION = 1000


@dataclass(frozen=True)
class QuestionData:
    """One question.

    ``answer`` depends on ``qtype``:
      - single / multiple: a tuple of 0-based option indices, ascending (``(1,)``, ``(0, 2, 3)``);
      - true_false: ``True`` or ``False``;
      - fill_blank: a tuple with one entry per blank, each a tuple of accepted alternatives
        (``(("十五日", "15日"),)``). Blanks are marked in the stem by three or more underscores;
        a stem without a marker has one implied blank at its end.
    ``status`` None means the source format does not say (the import decides).
    """

    qtype: str
    stem: str
    answer: object
    options: tuple[str, ...] = ()
    explanation: str = ""
    law: str | None = None  # the statute's full title, e.g. 中华人民共和国大气污染防治法
    article: str | None = None  # e.g. 第九十九条
    difficulty: int = 3
    tags: tuple[str, ...] = ()
    category: str | None = None  # path, "/" between levels
    status: str | None = None
    external_id: str | None = None  # stable id in the source (our id, GIFT name, Moodle idnumber, Excel 编号)
    name: str | None = None  # a title from the source format, if any (GIFT ::name::, Moodle <name>)
    line: int | None = None  # where the question starts in its file (line or sheet row), for messages

    def with_(self, **changes) -> QuestionData:
        return replace(self, **changes)


@dataclass(frozen=True)
class Skipped:
    """A question in a file that we do not import (a type we do not have), with the reason."""

    line: int | None
    name: str | None
    source_type: str
    msgid: str = N_(
        "Question type “%(type)s” is not supported (we have single choice, multiple choice, "
        "true/false and fill in the blank)."
    )


@dataclass
class ParseResult:
    questions: list[QuestionData] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # Problem.row is the line / sheet row
    place: str = "line"  # what Problem.row counts: "line" (a line or sheet row) or "paragraph" (Word)


def letters(indices) -> str:
    return "".join(LETTERS[i] for i in indices)


def indices_from_letters(text: str, option_count: int) -> tuple[int, ...] | None:
    """'ACD' / 'A,C,D' / 'a c d' / 'Ａ，Ｃ、Ｄ' -> (0, 2, 3); None when a letter has no option or repeats."""
    cleaned = re.sub(r"[\s,、;]", "", fold_width(text).upper())
    if not cleaned or any(ch not in LETTERS[:option_count] for ch in cleaned) or len(set(cleaned)) != len(cleaned):
        return None
    return tuple(sorted(LETTERS.index(ch) for ch in cleaned))


def blank_count(stem: str) -> int:
    return max(len(BLANK_RE.findall(stem)), 1)


def blanks_shown(qtype: str, stem: str) -> int:
    """How many answer boxes a question shows: its blanks for a fill-in, none for the other types."""
    return blank_count(stem) if qtype == FILL_BLANK else 0


def normalise_text(text: str) -> str:
    """For comparing answers: full/half width folded (NFKC), spaces removed, case folded."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def validate(q: QuestionData) -> list[Problem]:
    """Every problem of one question; Problem.field names the field, Problem.row is q.line."""
    found: list[Problem] = []

    def add(msgid: str, fld: str, **params):
        found.append(Problem(msgid, params, fld, q.line))

    if q.qtype not in QTYPES:
        add(N_("Unknown question type “%(value)s”."), "type", value=q.qtype)
        return found
    if not q.stem or not q.stem.strip():
        add(N_("The stem is empty."), "stem")
    elif len(q.stem) > MAX_STEM:
        add(N_("The stem is longer than %(max)s characters."), "stem", max=MAX_STEM)
    if q.external_id is not None and not EXTERNAL_ID_RE.match(q.external_id):
        add(
            N_("The id “%(value)s” may only hold letters, digits, “-”, “_”, “.” and “:” (at most 64)."),
            "id",
            value=q.external_id,
        )
    if q.qtype in CHOICE_TYPES:
        if not MIN_OPTIONS <= len(q.options) <= MAX_OPTIONS:
            add(
                N_("A choice question needs %(min)s to %(max)s options; this one has %(n)s."),
                "options",
                min=MIN_OPTIONS,
                max=MAX_OPTIONS,
                n=len(q.options),
            )
        for index, option in enumerate(q.options):
            if not option.strip():
                add(N_("Option %(letter)s is empty."), "options", letter=LETTERS[index] if index < 8 else index + 1)
            elif len(option) > MAX_OPTION:
                add(
                    N_("Option %(letter)s is longer than %(max)s characters."),
                    "options",
                    letter=LETTERS[index] if index < 8 else index + 1,
                    max=MAX_OPTION,
                )
        normalised = [normalise_text(o) for o in q.options]
        if len(set(normalised)) != len(normalised):
            add(N_("Two options are the same."), "options")
        answer = q.answer if isinstance(q.answer, tuple) else ()
        if not answer:
            add(N_("A choice question needs a correct option."), "answer")
        elif any(not isinstance(i, int) or not 0 <= i < len(q.options) for i in answer):
            add(N_("The answer names an option that does not exist."), "answer")
        elif q.qtype == SINGLE and len(answer) != 1:
            add(
                N_("A single-choice question has exactly one correct option; this one has %(n)s."),
                "answer",
                n=len(answer),
            )
        elif q.qtype == MULTIPLE and len(answer) < 2:
            add(N_("A multiple-choice question has at least two correct options."), "answer")
    elif q.qtype == TRUE_FALSE:
        if not isinstance(q.answer, bool):
            add(N_("The answer of a true/false question is true or false."), "answer")
    elif q.qtype == FILL_BLANK:
        blanks = q.answer if isinstance(q.answer, tuple) else ()
        if not blanks or any(not alts or any(not str(a).strip() for a in alts) for alts in blanks):
            add(N_("Every blank needs at least one accepted answer."), "answer")
        elif len(blanks) != blank_count(q.stem or ""):
            add(
                N_("The stem has %(blanks)s blanks but the answer gives %(n)s."),
                "answer",
                blanks=blank_count(q.stem or ""),
                n=len(blanks),
            )
    if not isinstance(q.difficulty, int) or isinstance(q.difficulty, bool) or not 1 <= q.difficulty <= 5:
        add(N_("Difficulty is a whole number from 1 to 5."), "difficulty")
    if q.status is not None and q.status not in STATUSES:
        add(N_("Status is draft, published or retired, not “%(value)s”."), "status", value=q.status)
    if q.article and not ARTICLE_RE.match(q.article):
        add(N_("The article “%(value)s” is not written like 第九十九条."), "article", value=q.article)
    if q.article and not q.law:
        add(N_("An article is cited without its law."), "law")
    if any(not t.strip() or len(t) > 50 for t in q.tags):
        add(N_("Tags are 1 to 50 characters."), "tags")
    return found


def content_of(q: QuestionData) -> dict:
    """What a version of a question consists of (ids, status, place in the file excluded)."""
    if q.qtype == FILL_BLANK:
        answer = [list(alts) for alts in q.answer]
    elif q.qtype == TRUE_FALSE:
        answer = bool(q.answer)
    else:
        answer = list(q.answer)
    return {
        "qtype": q.qtype,
        "stem": q.stem.strip(),
        "options": [o.strip() for o in q.options],
        "answer": answer,
        "explanation": (q.explanation or "").strip(),
        "law": q.law or None,
        "article": q.article or None,
        "difficulty": q.difficulty,
        "tags": sorted(set(q.tags)),
    }


def fingerprint(q: QuestionData) -> str:
    """Same content, same fingerprint: how an import knows a question is unchanged."""
    payload = json.dumps(content_of(q), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def from_content(content: dict, **extra) -> QuestionData:
    """The inverse of content_of (for versions stored as content)."""
    qtype = content["qtype"]
    if qtype == FILL_BLANK:
        answer = tuple(tuple(alts) for alts in content["answer"])
    elif qtype == TRUE_FALSE:
        answer = bool(content["answer"])
    else:
        answer = tuple(content["answer"])
    return QuestionData(
        qtype=qtype,
        stem=content["stem"],
        answer=answer,
        options=tuple(content.get("options") or ()),
        explanation=content.get("explanation") or "",
        law=content.get("law"),
        article=content.get("article"),
        difficulty=content.get("difficulty", 3),
        tags=tuple(content.get("tags") or ()),
        **extra,
    )


# Citations as Chinese exam systems write them: 《中华人民共和国大气污染防治法》第九十九条
CITATION_RE = re.compile(
    r"^\s*《(?P<law>[^》]+)》\s*(?P<article>第[零〇一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?)?"
)


def parse_citation(text: str) -> tuple[str | None, str | None]:
    match = CITATION_RE.match(text or "")
    if not match:
        return None, None
    return match.group("law"), match.group("article")


def format_citation(law: str | None, article: str | None) -> str:
    if not law:
        return ""
    return f"《{law}》{article or ''}"


def answer_from_text(qtype: str, text: str, option_count: int) -> object | None:
    """An answer typed as text (editor form, spreadsheet cell); None when it cannot be read.

    Choice: option letters (``ACD``, ``A,C,D``). True/false: 正确/错误, 对/错, √/×, T/F, true/false.
    Fill in the blank: blanks separated by ``;`` / ``；`` or new lines, alternatives by ``|``.
    """
    text = (text or "").strip()
    if qtype in CHOICE_TYPES:
        return indices_from_letters(text, option_count)
    if qtype == TRUE_FALSE:
        return TRUTH_WORDS.get(fold_width(text).lower())
    if qtype == FILL_BLANK:
        blanks = [b for b in re.split(r"[;；\n]", text) if b.strip()]
        parsed = tuple(tuple(a.strip() for a in b.split("|") if a.strip()) for b in blanks)
        return parsed or None
    return None


def answer_to_text(q: QuestionData) -> str:
    if q.qtype in CHOICE_TYPES:
        return letters(q.answer)
    if q.qtype == TRUE_FALSE:
        return "正确" if q.answer else "错误"
    return "；".join("|".join(alts) for alts in q.answer)


TRUTH_WORDS = {
    "正确": True,
    "对": True,
    "√": True,
    "✓": True,
    "t": True,
    "true": True,
    "是": True,
    "错误": False,
    "错": False,
    "×": False,
    "✗": False,
    "f": False,
    "false": False,
    "否": False,
}
