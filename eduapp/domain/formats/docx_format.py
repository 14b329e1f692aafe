"""Word (.docx) question banks in the layout Chinese exam material is written in:

    一、单选题
    1．大气污染防治的主管部门是（  ）。
    A．生态环境主管部门  B．住房城乡建设部门  C．交通运输部门  D．公安机关
    答案：A
    解析：第五条……
    出处：《中华人民共和国大气污染防治法》第五条

Each paragraph (each line of it, when lines are broken with Shift+Enter) is one of:

- a 题型 heading (``一、单选题``, ``二、多项选择题（每题2分）``, ``题型：判断题``): the type of the
  questions that follow. 单选/单项选择 = single, 多选/多项选择 = multiple, 判断/是非 = true/false, 填空 =
  fill in the blank, 不定项 = inferred; 简答/问答/论述/案例分析/名词解释/计算 headings: their questions
  are skipped (we have no such types);
- a numbered stem: ``1.`` ``1、`` ``1．`` ``（1）`` then the text (the number itself is dropped);
- options ``A.`` ``A、`` ``A．`` ``A)`` ``A）``, one per paragraph or several on one line
  (``A.甲 B.乙 C.丙 D.丁``, letters in order);
- ``答案：B`` / ``【答案】B`` / ``正确答案：AB`` / ``参考答案：…``; without one, an answer in the stem's
  brackets (``……的是（ B ）``) is read and the brackets emptied;
- ``解析：…`` / ``【解析】…`` (following paragraphs without a marker continue it);
- ``出处：`` / ``依据：`` / ``法律依据：`` with ``《法律》第十条`` (the law and its article), ``难度：1-5``,
  ``标签：甲、乙``.

Any other paragraph continues the stem while the question has no option or answer yet; before the
first question it is passed over (a title, instructions). Full-width letters and punctuation are read
as their ASCII forms (typed_input.fold_width) for the markers; texts are kept as typed.

Types without a heading are inferred: options and one letter = single, several letters = multiple; no
options and 对/错/正确/错误/√/× = true/false; no options and another answer text = fill in the blank
(the stem's empty brackets ``（  ）`` or underscores are its blanks; blanks' answers separated by ；,
alternatives by |).

Problems name the paragraph (its number counts every paragraph of the body, blank ones included):
no answer, an answer letter with no option, a single-choice question with two letters, a true/false
answer that is not 对 or 错, a citation without its law.

The archive is checked before python-docx unpacks it (workbooks.archive_problem: the unpacked size
limit EDUAPP_IMPORT_MAX_UNPACKED_MB and the compression ratio), and document.xml is read once streaming
with defusedxml (no DTD, no entities) counting paragraphs, refused past ``max_rows`` × 10.

Tables and Word's automatic numbering are not read: numbers and letters must be typed (in Word, a
numbered list becomes text with 复制 → 选择性粘贴 → 只保留文本).

Writing: one heading per type, numbered stems, one option per paragraph, 答案, 解析, 出处, 难度 and
标签 lines: a file this module reads back as the same questions (ids, categories and statuses are not
written: Word has no place for them; a re-import finds the questions by content).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from eduapp.domain.formats.text_files import markdown_to_plain, plain_to_markdown
from eduapp.domain.problems import N_, Problem
from eduapp.domain.questions import (
    CHOICE_TYPES,
    FILL_BLANK,
    LETTERS,
    MULTIPLE,
    QTYPES,
    SINGLE,
    TRUE_FALSE,
    ParseResult,
    QuestionData,
    Skipped,
    answer_from_text,
    answer_to_text,
    format_citation,
    indices_from_letters,
    validate,
)
from eduapp.domain.typed_input import fold_width, split_list
from eduapp.domain.workbooks import DEFAULT_MAX_UNPACKED_MB, archive_problem

NOT_A_DOCUMENT = N_("The file is not a readable Word document (.docx).")
DOCUMENT_MESSAGES = {
    "unreadable": NOT_A_DOCUMENT,
    "too_big": N_("The document unpacks to %(size)s MB, more than the limit of %(max)s MB "
                  "(EDUAPP_IMPORT_MAX_UNPACKED_MB): nothing was imported. Split it into smaller files."),
    "too_compressed": N_("The document is compressed more than %(ratio)s to 1, which no Word document is: "
                         "nothing was imported."),
}
PARAGRAPHS_PER_ROW = 10  # a question takes about 8 paragraphs; the row limit of a sheet, times this

_NUMERALS = "一二三四五六七八九十"
_HEADING_TYPES = (
    ("不定项", None),
    ("单项选择", SINGLE), ("单选", SINGLE),
    ("多项选择", MULTIPLE), ("多选", MULTIPLE),
    ("判断", TRUE_FALSE), ("是非", TRUE_FALSE),
    ("填空", FILL_BLANK),
    ("简答", "简答题"), ("问答", "问答题"), ("论述", "论述题"), ("案例分析", "案例分析题"),
    ("名词解释", "名词解释"), ("计算", "计算题"),
)
# Matched on fold_width(text): full-width "．（）：" are ASCII by then; 、【】 are not folded.
_HEADING = re.compile(
    rf"^(?:题型\s*:\s*|(?:第?[{_NUMERALS}]+\s*(?:部分)?\s*[、.]?|\([{_NUMERALS}]+\))?\s*)"
    r"(?P<kind>不定项|单项选择|单选|多项选择|多选|判断|是非|填空|简答|问答|论述|案例分析|名词解释|计算)"
    r"题?\s*(?:[(（\[【].*)?$"
)
_STEM = re.compile(r"^(?:\d{1,4}\s*[.、]|\(\s*\d{1,4}\s*\))\s*(?=\S)(?!\d)")  # not 3.5万元
_OPTION_MARK = re.compile(r"(?P<letter>[A-H])\s*[.、)]\s*")
_ANSWER = re.compile(r"^(?:【\s*(?:正确|参考|标准)?答案\s*】|(?:正确|参考|标准)?答案\s*:)\s*")
_EXPLANATION = re.compile(r"^(?:【\s*(?:答案|试题)?解析\s*】|(?:答案|试题)?解析\s*:)\s*")
_SOURCE = re.compile(r"^(?:【\s*(?:出处|法律依据|依据)\s*】|(?:出处|法律依据|依据)\s*:)\s*")
_TAGS = re.compile(r"^(?:【\s*(?:标签|关键词)\s*】|(?:标签|关键词)\s*:)\s*")
_DIFFICULTY = re.compile(r"^(?:【\s*难度\s*】|难度\s*:)\s*(?P<value>\S*)\s*$")
_ARTICLE = re.compile(r"第[零〇一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?")
_LAW = re.compile(r"《(?P<law>[^》]+)》")
_IN_STEM = re.compile(r"\(\s*(?P<answer>[A-H]{1,8}|√|×|✓|✗|对|错|正确|错误)\s*\)")
_EMPTY_BRACKETS = re.compile(r"[(（][\s\u3000]*[)）]")
_TWO_UNDERSCORES = re.compile(r"(?<!_)__(?!_)")  # a blank is three or more (questions.BLANK_RE)
_TRAILING_MARK = re.compile(r"\s*[(（][\s\u3000]*[)）]\s*$")


@dataclass
class _Open:
    paragraph: int
    stem: str
    qtype: str | None  # from the heading; None: inferred
    options: list[str] = field(default_factory=list)
    answer: str | None = None
    answer_paragraph: int | None = None
    explanation: list[str] = field(default_factory=list)
    law: str | None = None
    article: str | None = None
    difficulty: int = 3
    tags: list[str] = field(default_factory=list)
    in_explanation: bool = False
    broken: bool = False  # a problem was reported on one of its paragraphs: not imported


def unsupported(questions: list[QuestionData]) -> list[QuestionData]:
    """Every type is written."""
    return []


def _problem(msgid: str, paragraph: int, fld: str, **params) -> Problem:
    return Problem(msgid, params, fld, paragraph)


def _heading_type(folded: str) -> tuple[bool, str | None]:
    """(is a heading, its type: a QTYPE, None to infer, or the Chinese name of a type we do not have)."""
    match = _HEADING.match(folded)
    if not match or len(folded) > 40:
        return False, None
    kind = match.group("kind")
    return True, next(qtype for word, qtype in _HEADING_TYPES if kind == word)


def _split_options(text: str, folded: str, expected: int) -> list[str] | None:
    """The options on one line (``A.甲 B.乙``) when it starts with the next letter expected; later
    letters must follow in order, after a space or a Chinese character."""
    first = _OPTION_MARK.match(folded)
    if not first or first.group("letter") != LETTERS[expected]:
        return None
    starts = [(0, first.end())]
    following = expected + 1
    for match in _OPTION_MARK.finditer(folded, first.end()):
        if following >= len(LETTERS) or match.group("letter") != LETTERS[following]:
            continue
        before = folded[match.start() - 1]
        if before.isspace() or "\u4e00" <= before <= "\u9fff" or before in "。；，;,":
            starts.append((match.start(), match.end()))
            following += 1
    bounds = [*(s for s, _ in starts[1:]), len(text)]
    return [text[body:end].strip() for (_, body), end in zip(starts, bounds, strict=True)]


def paragraphs(data: bytes) -> list[str]:
    """The text of every body paragraph, in order (python-docx; tables not included)."""
    from docx import Document

    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def shape_problem(data: bytes, max_paragraphs: int) -> Problem | None:
    """Why document.xml must not be handed to python-docx: not XML we accept (a DTD, entities), or more
    than ``max_paragraphs`` paragraphs. One streaming pass, elements dropped as read."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    count = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open("word/document.xml") as stream:
            for _, element in iterparse(stream, events=("end",)):
                if element.tag.rpartition("}")[2] == "p":
                    count += 1
                    element.clear()
                    if count > max_paragraphs:
                        return Problem(N_("The document has more than %(max)s paragraphs: nothing was imported."),
                                       {"max": max_paragraphs}, "file")
    except (KeyError, zipfile.BadZipFile, ParseError, DefusedXmlException, OSError, ValueError, EOFError,
            RuntimeError):
        return Problem(NOT_A_DOCUMENT, {}, "file")
    return None


def parse(data: bytes, *, filename: str = "", category: str | None = None,
          max_rows: int = 20000, max_unpacked_mb: int = DEFAULT_MAX_UNPACKED_MB) -> ParseResult:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return ParseResult(problems=[Problem(NOT_A_DOCUMENT, {}, "file", None)], place="paragraph")
    problem = (archive_problem(data, max_unpacked_mb=max_unpacked_mb, messages=DOCUMENT_MESSAGES)
               or shape_problem(data, max_rows * PARAGRAPHS_PER_ROW))
    if problem is not None:
        return ParseResult(problems=[problem], place="paragraph")
    try:
        texts = paragraphs(data)
    except Exception:  # python-docx raises many kinds for a damaged file; all mean the same to the user
        return ParseResult(problems=[Problem(NOT_A_DOCUMENT, {}, "file", None)], place="paragraph")
    return parse_paragraphs(texts, category=category)


def parse_paragraphs(texts: list[str], *, category: str | None = None) -> ParseResult:
    """The questions of a document given as its paragraphs' texts (paragraph n is texts[n - 1])."""
    result = ParseResult(place="paragraph")
    section: str | None = None
    current: _Open | None = None
    numbered = any(_STEM.match(fold_width(line.strip())) for text in texts for line in text.split("\n"))

    def close() -> None:
        nonlocal current
        if current is not None:
            _finish(current, category, result)
        current = None

    for number, text in enumerate(texts, start=1):
        for raw in text.split("\n"):
            line = raw.strip()
            folded = fold_width(line)
            if not line:
                continue
            is_heading, heading_type = _heading_type(folded)
            stem = _STEM.match(folded)
            if is_heading and not stem:
                close()
                section = heading_type
                continue
            if stem or (current is None and not numbered and not _is_marker(folded)
                        and not _OPTION_MARK.match(folded)):
                close()
                current = _Open(number, line[stem.end():].strip() if stem else line, section)
                continue
            if current is None:
                marker = _ANSWER.match(folded) or _OPTION_MARK.match(folded) or _EXPLANATION.match(folded)
                if marker:
                    result.problems.append(_problem(N_("This line belongs to no question "
                                                       "(a question starts with its number, like “1.”)."),
                                                    number, "stem"))
                continue  # a title or instructions before the first question
            if not numbered and current.answer is not None and not _is_marker(folded):
                close()  # unnumbered questions: a plain paragraph after the answer starts the next one
                current = _Open(number, line, section)
                continue
            _read_line(current, line, folded, number, result)
    close()
    result.problems.sort(key=lambda problem: problem.row or 0)
    return result


def _is_marker(folded: str) -> bool:
    return any(marker.match(folded) for marker in (_ANSWER, _EXPLANATION, _SOURCE, _DIFFICULTY, _TAGS))


def _read_line(q: _Open, line: str, folded: str, number: int, result: ParseResult) -> None:
    """One paragraph (or line) inside a question: an option, the answer, the explanation, the source,
    the difficulty, or more of the stem or the explanation."""
    if (match := _ANSWER.match(folded)) is not None:
        if q.answer is not None:
            q.broken = True
            result.problems.append(_problem(N_("The question of paragraph %(start)s has a second answer line."),
                                            number, "answer", start=q.paragraph))
        q.answer, q.answer_paragraph, q.in_explanation = line[match.end():].strip(), number, False
        return
    if (match := _EXPLANATION.match(folded)) is not None:
        q.explanation.append(line[match.end():].strip())
        q.in_explanation = True
        return
    if (match := _SOURCE.match(folded)) is not None:
        _read_source(q, line[match.end():].strip(), number, result)
        q.in_explanation = False
        return
    if (match := _TAGS.match(folded)) is not None:
        q.tags.extend(split_list(line[match.end():], spaces=False))
        q.in_explanation = False
        return
    if (match := _DIFFICULTY.match(folded)) is not None:
        value = match.group("value")
        if value.isdigit() and 1 <= int(value) <= 5:
            q.difficulty = int(value)
        else:
            q.broken = True
            result.problems.append(_problem(N_("The difficulty “%(value)s” is not a whole number from 1 to 5."),
                                            number, "difficulty", value=value[:20]))
        return
    if q.answer is None and not q.in_explanation:
        options = _split_options(line, folded, len(q.options)) if len(q.options) < len(LETTERS) else None
        if options is not None:
            q.options.extend(options)
            return
        if not q.options:
            q.stem = f"{q.stem}\n\n{line}" if q.stem else line
            return
        q.broken = True
        result.problems.append(_problem(N_("“%(text)s” is neither an option (the next is %(letter)s.) nor an answer "
                                           "line (答案：…)."), number, "options", text=line[:30],
                                        letter=LETTERS[min(len(q.options), len(LETTERS) - 1)]))
        return
    if q.in_explanation:
        q.explanation.append(line)
        return
    q.broken = True
    result.problems.append(_problem(N_("“%(text)s” follows the answer of the question of paragraph %(start)s but is "
                                       "no explanation (解析：…) or source (出处：…); a new question starts with its "
                                       "number, like “2.”."), number, "stem", text=line[:30], start=q.paragraph))


def _read_source(q: _Open, text: str, number: int, result: ParseResult) -> None:
    article = _ARTICLE.search(text)
    law = _LAW.search(text)
    if law:
        q.law = law.group("law").strip()
    elif article and text[:article.start()].strip(" ：:，,"):
        q.law = text[:article.start()].strip(" ：:，,")
    if article:
        q.article = article.group(0)
    if not article and not law:
        q.broken = True
        result.problems.append(_problem(N_("The source “%(text)s” names neither a law "
                                           "(《…》) nor an article (第十条)."), number, "article", text=text[:40]))
    elif not q.law:
        q.article, q.broken = None, True  # reported here, not again by validate()
        result.problems.append(_problem(N_("The source “%(text)s” names the article but "
                                           "not its law; write it like 《中华人民共和国大气污染防治法》第十条."),
                                        number, "law", text=text[:40]))


def _answer_in_stem(q: _Open) -> None:
    """``……的是（ B ）。`` with no answer line: the letters in the brackets are the answer, and the
    brackets are emptied (``（  ）``), or dropped for a true/false mark."""
    folded = fold_width(q.stem)
    found = list(_IN_STEM.finditer(folded))
    if not found:
        return
    match = found[-1]
    answer = match.group("answer")
    is_letters = answer.isascii()
    if is_letters != bool(q.options):
        return
    q.answer, q.answer_paragraph = answer, q.paragraph
    q.stem = (q.stem[:match.start()] + ("（  ）" if is_letters else "") + q.stem[match.end():]).strip()


def _qtype(q: _Open) -> str:
    if q.qtype in QTYPES:
        return q.qtype
    if q.options:
        return MULTIPLE if len(_letters(q.answer or "")) > 1 else SINGLE
    if answer_from_text(TRUE_FALSE, q.answer or "", 0) is not None:
        return TRUE_FALSE
    return FILL_BLANK


def _letters(text: str) -> str:
    return re.sub(r"[\s,、;]", "", fold_width(text).upper())


def _finish(q: _Open, category: str | None, result: ParseResult) -> None:
    start = q.paragraph
    if q.qtype is not None and q.qtype not in QTYPES:  # a 简答题 heading's section
        result.skipped.append(Skipped(start, None, q.qtype))
        return
    if q.answer is None:
        _answer_in_stem(q)
    if not q.answer:
        result.problems.append(_problem(N_("The question “%(stem)s” has no answer "
                                           "(答案：…)."), start, "answer", stem=q.stem[:40]))
        return
    qtype = _qtype(q)
    where = q.answer_paragraph or start
    stem = q.stem
    if qtype in CHOICE_TYPES:
        if not q.options:
            result.problems.append(_problem(N_("The choice question “%(stem)s” has no "
                                               "options (A. …)."), start, "options",
                                            stem=q.stem[:40]))
            return
        answer = indices_from_letters(q.answer, len(q.options))
        if answer is None:
            result.problems.append(_problem(N_("The answer “%(value)s” is not among the "
                                               "options (A to %(last)s)."), where, "answer",
                                            value=q.answer[:20], last=LETTERS[len(q.options) - 1]))
            return
        if qtype == SINGLE and len(answer) > 1:
            result.problems.append(_problem(N_("A single-choice question has one answer, "
                                               "not %(value)s."), where, "answer",
                                            value=q.answer[:20]))
            return
    else:
        if q.options:
            result.problems.append(_problem(N_("A true/false or fill-in-the-blank "
                                               "question has no options."), start, "options"))
            return
        if qtype == FILL_BLANK:
            stem = _EMPTY_BRACKETS.sub("____", _TWO_UNDERSCORES.sub("___", stem))
        else:
            stem = _TRAILING_MARK.sub("", stem) or stem  # the brackets a true/false mark is written in
        answer = answer_from_text(qtype, q.answer, 0)
        if answer is None:
            msgid = (N_("The answer of a true/false question is 对 or 错 (正确/错误, √/×), "
                        "not “%(value)s”.") if qtype == TRUE_FALSE else
                     N_("The answer “%(value)s” gives no text for the blanks."))
            result.problems.append(_problem(msgid, where, "answer", value=q.answer[:20]))
            return
    data = QuestionData(
        qtype=qtype,
        stem=plain_to_markdown(stem),
        answer=answer,
        options=tuple(plain_to_markdown(o) for o in q.options),
        explanation=plain_to_markdown("\n\n".join(e for e in q.explanation if e)),
        law=q.law,
        article=q.article,
        difficulty=q.difficulty,
        tags=tuple(dict.fromkeys(q.tags)),
        category=category,
        line=start,
    )
    problems = validate(data)
    result.problems.extend(problems)
    if not problems and not q.broken:
        result.questions.append(data)


HEADINGS = {SINGLE: "单选题", MULTIPLE: "多选题", TRUE_FALSE: "判断题", FILL_BLANK: "填空题"}


def write(questions: list[QuestionData]) -> bytes:
    """One heading per type (一、单选题 …), then each question as this module reads it."""
    from docx import Document

    document = Document()
    numerals = iter(_NUMERALS)
    for qtype in QTYPES:
        of_type = [q for q in questions if q.qtype == qtype]
        if not of_type:
            continue
        document.add_heading(f"{next(numerals, '十')}、{HEADINGS[qtype]}", level=2)
        for number, q in enumerate(of_type, start=1):
            stem = markdown_to_plain(q.stem)
            document.add_paragraph(f"{number}. {stem}")
            for index, option in enumerate(q.options):
                document.add_paragraph(f"{LETTERS[index]}. {markdown_to_plain(option)}")
            document.add_paragraph(f"答案：{answer_to_text(q)}")
            if q.explanation:
                document.add_paragraph(f"解析：{markdown_to_plain(q.explanation)}")
            if q.law:
                document.add_paragraph(f"出处：{format_citation(q.law, q.article)}")
            if q.difficulty != 3:
                document.add_paragraph(f"难度：{q.difficulty}")
            if q.tags:
                document.add_paragraph(f"标签：{'、'.join(q.tags)}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
