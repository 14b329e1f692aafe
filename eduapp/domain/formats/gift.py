"""GIFT, Moodle's text format for questions, read as Moodle's own importer reads it.

    // [id:air-0001] [tag:排污许可]
    ::name::[markdown]Question text{=right ~wrong ~%50%half right#feedback ####general feedback}

Questions are separated by blank lines; lines starting with "//" are comments, where Moodle keeps a
question's id number ("[id:…]") and tags ("[tag:…]"). "::name::" is optional. "\\:", "\\#", "\\=",
"\\{", "\\}", "\\~" and "\\\\" are the characters themselves, "\\n" a line break. A "[html]",
"[moodle]", "[plain]" or "[markdown]" prefix gives a text's format; plain text is kept as typed
(its "<" and "&" escaped for our Markdown).

What the answer part {…} holds decides the type, in Moodle's order:
- "~" anywhere: choice. With an "=" answer it is single choice (one right answer); without, the
  answers with a positive "%weight%" are right, and it is multiple choice (single when only one is).
- T, TRUE, F or FALSE (before any "#"): true/false.
- otherwise "=a =b …": short answer, our fill in the blank with one blank whose accepted answers
  are those worth 100% (a "*" wildcard is reported, "\\*" is a star).
- {} essay, {#…} numerical, "=a -> b" matching, and text without {…} (description) are skipped
  with their type.
When text follows the answer part, Moodle puts a blank "_____" where it stood ("missing word").
"$CATEGORY: path" sets the category of the questions after it.

Writing: a "$CATEGORY:" before each run of questions of one category, "// [id:…] [tag:…]" comment,
"::name::" (the name, else our id), stem and explanation as [markdown]. A fill-in question's answer
part comes after its stem, whose ___ markers stay as they are. The citation, difficulty, status and
any blanks after the first travel as tags (moodle_common.py).
"""

from __future__ import annotations

import re

from eduapp.domain.formats import moodle_common
from eduapp.domain.formats.text_files import decode_text, not_text_problem, plain_to_markdown
from eduapp.domain.problems import N_, Problem
from eduapp.domain.questions import (
    CHOICE_TYPES,
    FILL_BLANK,
    MULTIPLE,
    SINGLE,
    TRUE_FALSE,
    ParseResult,
    QuestionData,
    Skipped,
    validate,
)

# Escaped characters stand in for themselves through the parsing as private-use characters.
_ESCAPES = {":": "\ue000", "#": "\ue001", "=": "\ue002", "{": "\ue003", "}": "\ue004", "~": "\ue005", "n": "\ue006"}
_UNESCAPE = {v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()}
_UNESCAPE_RE = re.compile("[" + "".join(_UNESCAPE) + "]")
_ESCAPE_IN_RE = re.compile(r"\\(.)", re.S)
_WEIGHT_RE = re.compile(r"^%-*[0-9]{1,2}\.?[0-9]*%")
_FORMATS = {"html", "moodle", "plain", "markdown"}
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_BRACKETED = re.compile(r"\[((?:\\\]|[^\]])*)\]")

# Writing: Moodle's repchar().
_ESCAPE_OUT = str.maketrans({"\\": "\\\\", "#": "\\#", "=": "\\=", "~": "\\~", "{": "\\{", "}": "\\}",
                             ":": "\\:", "\n": "\\n", "\r": ""})


def unsupported(questions: list[QuestionData]) -> list[QuestionData]:
    """GIFT holds every question we have (see the module docstring for how)."""
    return []


# --- reading -----------------------------------------------------------------------------------------


def _escape_in(text: str) -> str:
    def swap(match: re.Match) -> str:
        char = match.group(1)
        if char == "\\":
            return "\\"
        return _ESCAPES.get(char, match.group(0))

    return _ESCAPE_IN_RE.sub(swap, text)


def _restore(text: str) -> str:
    return _UNESCAPE_RE.sub(lambda m: _UNESCAPE[m.group(0)], text)


def _with_format(text: str, default: str = "moodle") -> tuple[str, str]:
    """(format, text) of a text with an optional [format] prefix, as Markdown we can render."""
    fmt = default
    if text.startswith("["):
        end = text.find("]")
        name = text[1:end] if end > 0 else ""
        if name in _FORMATS:
            fmt, text = name, text[end + 1:]
    text = _restore(text).strip()
    return fmt, (plain_to_markdown(text) if fmt == "plain" else text)


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Runs of non-blank lines (trimmed) with the number of their first line."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            if current:
                blocks.append((start, current))
                current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        blocks.append((start, current))
    return blocks


def _comment_ids_and_tags(comments: list[str]) -> tuple[str | None, list[str]]:
    """Moodle's "// [id:…] [tag:…] [tag:…]" comment ("\\]" is a "]" inside the brackets)."""
    idnumber, tags = None, []
    for comment in comments:
        for match in _BRACKETED.finditer(comment):
            inner = match.group(1).replace("\\]", "]")
            if inner.startswith("id:"):
                idnumber = inner[3:].strip() or None
            elif inner.startswith("tag:"):
                tags.append(inner[4:].strip())
    return idnumber, tags


def _weight(answer: str) -> tuple[float, str]:
    """A leading "%50%" as a weight in percent, and the rest of the answer."""
    end = answer.find("%", 1)
    try:
        weight = float(answer[1:end])
    except ValueError:
        weight = 0.0
    return weight, answer[end + 1:]


def _answer_and_feedback(answer: str, fmt: str) -> str:
    """An answer's text without its "#feedback" (which we have no place for)."""
    return _with_format(answer.split("#", 1)[0].strip(), fmt)[1]


class _Reader:
    def __init__(self, result: ParseResult, category: str | None):
        self.result = result
        self.category = category  # of the questions that follow
        self.default_category = category

    def block(self, start: int, lines: list[str]) -> None:
        comments = [line for line in lines if line.startswith("//")]
        body = [" " if line.startswith("//") else line for line in lines]
        text = "\n".join(body).strip()
        if not text:
            return
        line = start + next(i for i, ln in enumerate(lines) if not ln.startswith("//"))
        text = _escape_in(text)
        if text.startswith("$CATEGORY:"):
            self.category = moodle_common.category_path(_restore(text[len("$CATEGORY:"):]), self.default_category)
            return

        name = None
        if text.startswith("::"):
            text = text[2:]
            end = text.find("::")
            if end >= 0:
                name = _restore(text[:end]).strip() or None
                text = text[end + 2:].strip()

        start_brace, end_brace = text.find("{"), text.find("}")
        if start_brace < 0 and end_brace < 0:
            self.result.skipped.append(Skipped(line, name, "description"))
            return
        if start_brace < 0 or end_brace < start_brace:
            self.result.problems.append(
                Problem(N_("The answers must stand between “{” and “}”; write \\{ and \\} for the characters."),
                        {}, "answer", line)
            )
            return
        answer_text = text[start_brace + 1:end_brace].strip()
        if text.endswith("}"):
            stem_text = text[:start_brace] + text[end_brace + 1:]
        else:
            stem_text = text[:start_brace] + "_____" + text[end_brace + 1:]
        explanation_text = ""
        feedback_at = answer_text.rfind("####")
        if feedback_at >= 0:
            explanation_text = answer_text[feedback_at + 4:]
            answer_text = answer_text[:feedback_at].strip()
        fmt, stem = _with_format(stem_text)
        explanation = _with_format(explanation_text, fmt)[1]

        source_type = self._type_of(answer_text)
        if source_type not in ("multichoice", "truefalse", "shortanswer"):
            self.result.skipped.append(Skipped(line, name, source_type))
            return

        idnumber, tags = _comment_ids_and_tags(comments)
        meta = moodle_common.read(tags, line)
        problems = list(meta.problems)
        options: tuple[str, ...] = ()
        if source_type == "multichoice":
            qtype, options, answer = self._choice(answer_text, fmt)
            if len(options) < 2:
                self.result.problems.append(
                    Problem(N_("A choice question needs at least two answers."), {}, "options", line)
                )
                return
        elif source_type == "truefalse":
            qtype, answer = TRUE_FALSE, _TRUE_FALSE[answer_text.split("#", 1)[0].strip()]
        else:
            qtype = FILL_BLANK
            weighted = []
            for raw in answer_text.split("="):
                raw = raw.strip()
                if not raw:
                    continue
                weight, raw = _weight(raw) if _WEIGHT_RE.match(raw) else (100.0, raw)
                weighted.append((_answer_and_feedback(raw, fmt), weight))
            alternatives, found = moodle_common.shortanswer_alternatives(weighted, line)
            problems.extend(found)
            answer = (alternatives, *meta.extra_blanks)

        question = QuestionData(
            qtype=qtype, stem=stem, answer=answer, options=options, explanation=explanation, law=meta.law,
            article=meta.article, difficulty=meta.difficulty, tags=tuple(meta.tags), category=self.category,
            status=meta.status, external_id=idnumber, name=name, line=line,
        )
        reported = {p.field for p in problems}
        problems.extend(p for p in validate(question) if p.field not in reported)
        if problems:
            self.result.problems.extend(problems)
        else:
            self.result.questions.append(question)

    @staticmethod
    def _type_of(answer_text: str) -> str:
        if answer_text == "":
            return "essay"
        if answer_text.startswith("#"):
            return "numerical"
        if "~" in answer_text:
            return "multichoice"
        if "=" in answer_text and "->" in answer_text:
            return "match"
        if answer_text.split("#", 1)[0].strip() in _TRUE_FALSE:
            return "truefalse"
        return "shortanswer"

    @staticmethod
    def _choice(answer_text: str, fmt: str) -> tuple[str, tuple[str, ...], tuple[int, ...]]:
        single = "=" in answer_text
        parts = [p.strip() for p in answer_text.replace("=", "~=").split("~")]
        if parts and not parts[0]:
            parts = parts[1:]
        options, weights = [], []
        for part in parts:
            if part.startswith("="):
                weight, part = 100.0, part[1:]
            elif _WEIGHT_RE.match(part):
                weight, part = _weight(part)
            else:
                weight = 0.0
            options.append(_answer_and_feedback(part, fmt))
            weights.append(weight)
        answer = tuple(i for i, w in enumerate(weights) if w > 0)
        qtype = SINGLE if single or len(answer) == 1 else MULTIPLE
        return qtype, tuple(options), answer


def parse(data: bytes, *, filename: str = "", category: str | None = None) -> ParseResult:
    result = ParseResult()
    text = decode_text(data)
    if text is None:
        result.problems.append(not_text_problem())
        return result
    reader = _Reader(result, category)
    for start, lines in _blocks(text):
        reader.block(start, lines)
    return result


# --- writing -----------------------------------------------------------------------------------------


def _e(text: str) -> str:
    return text.translate(_ESCAPE_OUT)


def _comment(q: QuestionData) -> str:
    bits = []
    if q.external_id:
        bits.append("[id:" + q.external_id.replace("]", "\\]") + "]")
    for tag in (*q.tags, *moodle_common.write(q)):
        bits.append("[tag:" + tag.replace("\n", " ").replace("]", "\\]") + "]")
    return "// " + " ".join(bits) + "\n" if bits else ""


def _question(q: QuestionData) -> str:
    name = q.name if q.name and q.name.strip() else q.external_id
    head = f"::{_e(name.strip())}::" if name else ""
    out = [_comment(q), f"{head}[markdown]{_e(q.stem.strip())}{{\n"]
    if q.qtype in CHOICE_TYPES:
        for index, (option, fraction) in enumerate(zip(q.options, moodle_common.choice_fractions(q), strict=True)):
            mark = ("=" if index in q.answer else "~") if q.qtype == SINGLE else f"~%{fraction}%"
            out.append(f"\t{mark}{_e(option.strip())}\n")
    elif q.qtype == TRUE_FALSE:
        out.append("\tTRUE\n" if q.answer else "\tFALSE\n")
    else:
        for alternative in q.answer[0]:
            out.append("\t=" + _e(alternative.strip()).replace("*", "\\*") + "\n")
    if q.explanation and q.explanation.strip():
        out.append(f"\t####{_e(q.explanation.strip())}\n")
    out.append("}\n")
    return "".join(out)


def write(questions: list[QuestionData]) -> bytes:
    out: list[str] = []
    current: str | None = None
    for q in questions:
        if (q.category or None) != current:
            current = q.category or None
            out.append(f"$CATEGORY: {moodle_common.moodle_category(current)}\n\n")
        out.append(_question(q))
        out.append("\n")
    return "".join(out).encode("utf-8")
