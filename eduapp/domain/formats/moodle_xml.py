"""Moodle XML (question bank export/import of Moodle: <quiz><question type="…">…</question>…</quiz>).

Reading, with defusedxml: a DTD, entity declarations or external references are refused (no
"billion laughs", no reading of local files). Supported types:

- multichoice: <single>true</single> (the default) gives a single-choice question; false gives a
  multiple-choice one, or a single-choice one when only one answer has a positive fraction. The correct
  options are the answers with a fraction above 0. (multichoiceset, the all-or-nothing plugin, reads as
  multiple choice.)
- truefalse: the answer ("true" or "false") with a positive fraction (100) is the truth.
- shortanswer: a fill-in-the-blank question with one blank whose alternatives are the answers with
  fraction 100 ("\\*" is a literal star; an unescaped "*" wildcard is reported).
- category: sets the category of the questions after it ("$course$/top/A/B" -> "A/B").

Every other type (essay, matching, numerical, description, cloze, calculated, ddwtos, …) is reported
as skipped with its type and name. questiontext and generalfeedback (the explanation) keep their text
(HTML stays HTML); a <p>…</p> around the whole of an HTML text is removed. <idnumber> is the external
id, <name> the name.

Writing: a category question before each run of questions of one category, stems and explanations
as format="markdown" (our texts are Markdown), options as plain text. Moodle has no place for the
citation, difficulty and status, and its shortanswer has one blank, so these travel as tags that
parse() reads back and removes from the tags (moodle_common.py). Characters XML 1.0 cannot hold
(control characters other than tab and line breaks) are dropped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from eduapp.domain.formats import moodle_common
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

CHOICE_SOURCES = ("multichoice", "multichoiceset")
HTML_FORMATS = ("html", "moodle_auto_format", "")

_QUESTION_TAG_STR = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<question(?=[\s/>])", re.S)
_QUESTION_TAG_BYTES = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<question(?=[\s/>])", re.S)
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_EXPAT_ENCODINGS = {"utf-8", "utf8", "utf-16", "utf16", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1"}
_WRAPPING_P = re.compile(r"^\s*<p(?:\s[^>]*)?>(.*)</p>\s*$", re.S | re.I)
_INNER_P = re.compile(r"</?p[\s>/]", re.I)
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def unsupported(questions: list[QuestionData]) -> list[QuestionData]:
    """Moodle XML holds every question we have (see the module docstring for how)."""
    return []


# --- reading -----------------------------------------------------------------------------------------


def _source(data: bytes) -> bytes | str:
    """The bytes for expat, or text decoded here when the declared encoding is one expat lacks (GBK …)."""
    declared = _DECLARED_ENCODING.match(data)
    if declared:
        encoding = declared.group(1).decode("ascii").lower()
        if encoding not in _EXPAT_ENCODINGS:
            try:
                return data.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                return data  # expat reports it
    return data


def _question_lines(source: bytes | str) -> list[int]:
    """The line of every <question> start tag, in document order (comments, CDATA and PIs skipped)."""
    pattern, newline = (_QUESTION_TAG_STR, "\n") if isinstance(source, str) else (_QUESTION_TAG_BYTES, b"\n")
    lines, line, position = [], 1, 0
    for match in pattern.finditer(source):
        if match.group(0) in ("<question", b"<question"):
            line += source.count(newline, position, match.start())
            position = match.start()
            lines.append(line)
    return lines


def _inner_text(node: ET.Element | None) -> str:
    if node is None:
        return ""
    if len(node) == 0:
        return node.text or ""
    # HTML written as XML elements instead of CDATA: keep it as HTML
    return (node.text or "") + "".join(ET.tostring(child, encoding="unicode") for child in node)


def _unwrap(text: str, fmt: str) -> str:
    text = text.strip()
    if fmt in HTML_FORMATS:
        match = _WRAPPING_P.match(text)
        if match and not _INNER_P.search(match.group(1)):
            return match.group(1).strip()
    return text


def _formatted_text(node: ET.Element | None) -> str:
    """The <text> of an element with a format attribute (questiontext, generalfeedback, answer)."""
    if node is None:
        return ""
    return _unwrap(_inner_text(node.find("text")), node.get("format", ""))


def _fraction(answer: ET.Element) -> float | None:
    try:
        return float(answer.get("fraction", "0").strip())
    except ValueError:
        return None


def _read_question(node: ET.Element, qtype_source: str, line: int | None, category: str | None,
                   result: ParseResult) -> None:
    problems: list[Problem] = []

    def add(msgid: str, fld: str, **params):
        problems.append(Problem(msgid, params, fld, line))

    name = (_inner_text(node.find("name/text")) or "").strip() or None
    stem = _formatted_text(node.find("questiontext"))
    explanation = _formatted_text(node.find("generalfeedback"))
    external_id = (node.findtext("idnumber") or "").strip() or None

    meta = moodle_common.read([_inner_text(t.find("text")) for t in node.findall("tags/tag")], line)
    problems.extend(meta.problems)

    answers = node.findall("answer")
    fractions = [_fraction(a) for a in answers]
    if any(f is None for f in fractions):
        bad = next(a.get("fraction") for a, f in zip(answers, fractions, strict=True) if f is None)
        add(N_("The answer fraction “%(value)s” is not a number."), "answer", value=bad)
        fractions = [f or 0.0 for f in fractions]

    options: tuple[str, ...] = ()
    answer: object = ()
    if qtype_source in CHOICE_SOURCES:
        options = tuple(_formatted_text(a) for a in answers)
        answer = tuple(i for i, f in enumerate(fractions) if f > 0)
        single = (node.findtext("single") or "true").strip().lower() in ("true", "1")
        qtype = SINGLE if (qtype_source == "multichoice" and single) or len(answer) == 1 else MULTIPLE
    elif qtype_source == "truefalse":
        qtype = TRUE_FALSE
        truths = [_formatted_text(a).lower() for a, f in zip(answers, fractions, strict=True) if f > 0]
        if len(truths) == 1 and truths[0] in ("true", "false"):
            answer = truths[0] == "true"
        else:
            add(N_("A true/false question needs exactly one answer, “true” or “false”, with fraction 100."),
                "answer")
            answer = False
    else:  # shortanswer
        qtype = FILL_BLANK
        alternatives, found = moodle_common.shortanswer_alternatives(
            [(_formatted_text(a), f) for a, f in zip(answers, fractions, strict=True)], line
        )
        problems.extend(found)
        answer = (alternatives, *meta.extra_blanks)

    question = QuestionData(
        qtype=qtype, stem=stem, answer=answer, options=options, explanation=explanation, law=meta.law,
        article=meta.article, difficulty=meta.difficulty, tags=tuple(meta.tags), category=category,
        status=meta.status, external_id=external_id, name=name, line=line,
    )
    reported = {p.field for p in problems}
    problems.extend(p for p in validate(question) if p.field not in reported)
    if problems:
        result.problems.extend(problems)
    else:
        result.questions.append(question)


def parse(data: bytes, *, filename: str = "", category: str | None = None) -> ParseResult:
    result = ParseResult()
    source = _source(data)
    try:
        root = SafeET.fromstring(source, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        result.problems.append(Problem(N_("The XML file declares entities or a DTD, which are refused for safety."),
                                       {}, "file", None))
        return result
    except ET.ParseError as error:
        line, column = getattr(error, "position", (None, None))
        result.problems.append(Problem(N_("The file is not well-formed XML (line %(line)s, column %(column)s)."),
                                       {"line": line, "column": column}, "file", line))
        return result
    except ValueError:  # an encoding expat cannot read
        result.problems.append(Problem(N_("The XML file's encoding cannot be read; save it as UTF-8."),
                                       {}, "file", None))
        return result
    if root.tag != "quiz":
        result.problems.append(Problem(N_("This is not a Moodle XML question file: its root element is “%(tag)s”, "
                                          "not “quiz”."), {"tag": root.tag}, "file", 1))
        return result

    nodes = list(root.iter("question"))
    lines = _question_lines(source)
    if len(lines) != len(nodes):
        lines = [None] * len(nodes)
    current = category
    for node, line in zip(nodes, lines, strict=True):
        qtype_source = (node.get("type") or "").strip()
        if qtype_source == "category":
            current = moodle_common.category_path(_inner_text(node.find("category/text")), category)
        elif qtype_source in (*CHOICE_SOURCES, "truefalse", "shortanswer"):
            _read_question(node, qtype_source, line, current, result)
        else:
            name = _inner_text(node.find("name/text")).strip() or None
            result.skipped.append(Skipped(line, name, qtype_source or "?"))
    return result


# --- writing -----------------------------------------------------------------------------------------


def _x(text: object) -> str:
    """Escaped element text; "\\r" as a reference so that it survives end-of-line normalisation."""
    text = str(text)
    if _ILLEGAL_XML.search(text):
        text = _ILLEGAL_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _name(q: QuestionData) -> str:
    if q.name and q.name.strip():
        return q.name
    if q.external_id:
        return q.external_id
    flat = re.sub(r"\s+", " ", q.stem).strip()
    return flat[:40] + ("…" if len(flat) > 40 else "")


def _answer(fraction: int, text: str, fmt: str) -> str:
    return (f'    <answer fraction="{fraction}" format="{fmt}">\n      <text>{_x(text)}</text>\n'
            '      <feedback format="html">\n        <text></text>\n      </feedback>\n    </answer>\n')


def _question_xml(q: QuestionData) -> str:
    if q.qtype in CHOICE_TYPES:
        source, penalty = "multichoice", "0.3333333"
    elif q.qtype == TRUE_FALSE:
        source, penalty = "truefalse", "1.0000000"
    else:
        source, penalty = "shortanswer", "0.3333333"
    out = [
        f'  <question type="{source}">\n',
        f"    <name>\n      <text>{_x(_name(q))}</text>\n    </name>\n",
        f'    <questiontext format="markdown">\n      <text>{_x(q.stem)}</text>\n    </questiontext>\n',
        f'    <generalfeedback format="markdown">\n      <text>{_x(q.explanation or "")}</text>\n'
        "    </generalfeedback>\n",
        f"    <defaultgrade>1.0000000</defaultgrade>\n    <penalty>{penalty}</penalty>\n    <hidden>0</hidden>\n",
        f"    <idnumber>{_x(q.external_id or '')}</idnumber>\n",
    ]
    if q.qtype in CHOICE_TYPES:
        out.append(f"    <single>{'true' if q.qtype == SINGLE else 'false'}</single>\n"
                   "    <shuffleanswers>true</shuffleanswers>\n    <answernumbering>ABCD</answernumbering>\n")
        for option, fraction in zip(q.options, moodle_common.choice_fractions(q), strict=True):
            out.append(_answer(fraction, option, "plain_text"))
    elif q.qtype == TRUE_FALSE:
        out.append(_answer(100 if q.answer else 0, "true", "moodle_auto_format"))
        out.append(_answer(0 if q.answer else 100, "false", "moodle_auto_format"))
    else:
        out.append("    <usecase>0</usecase>\n")
        for alternative in q.answer[0] if q.answer else ():
            out.append(_answer(100, alternative.replace("*", "\\*"), "moodle_auto_format"))
    out.append("    <tags>\n")
    out.extend(f"      <tag><text>{_x(tag)}</text></tag>\n" for tag in (*q.tags, *moodle_common.write(q)))
    out.append("    </tags>\n  </question>\n")
    return "".join(out)


def write(questions: list[QuestionData]) -> bytes:
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n']
    current: str | None = None
    for q in questions:
        if q.qtype not in (SINGLE, MULTIPLE, TRUE_FALSE, FILL_BLANK):
            continue
        if (q.category or None) != current:
            current = q.category or None
            path = moodle_common.moodle_category(current)
            out.append(f'  <question type="category">\n    <category>\n      <text>{_x(path)}</text>\n'
                       "    </category>\n  </question>\n\n")
        out.append(_question_xml(q))
        out.append("\n")
    out.append("</quiz>\n")
    return "".join(out).encode("utf-8")
