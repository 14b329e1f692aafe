"""The column model shared by the CSV and XLSX formats: the import template of Chinese exam systems.

Header row (row 1), exactly these columns in this order, then our own optional 状态 column:

    编号 | 分类 | 题型 | 题干 | 选项A … 选项F | 答案 | 解析 | 难度 | 法律依据 | 标签 | 状态

- 编号: the question's stable id (external_id); may be empty.
- 分类: the category path, "/" between levels (生态环境法律/大气污染防治法); empty: the import's default.
- 题型: 单选题 / 多选题 / 判断题 / 填空题 (also single / multiple / true_false / fill_blank, 单选 …).
- 题干: the stem. A fill-in-the-blank stem marks each blank with three or more underscores (___).
- 选项A … 选项F: the options of a choice question, in order, without gaps (at most six).
- 答案: choice: the letters of the correct options (A, ACD, A,C,D);
  判断题: 正确 or 错误 (also 对/错, √/×, T/F, true/false; or the letter of an option reading 正确/错误);
  填空题: the blanks separated by "；" or ";", the accepted alternatives of one blank by "|":
  ``十五日|15日；当事人`` is two blanks, the first accepting 十五日 or 15日. ("/" is not a separator: it
  appears in answers.) A fill-in-the-blank answer whose text holds ";", "；" or "|" cannot be written.
- 解析: the explanation. 难度: 1 to 5, or 易/较易/中/较难/难; empty means 3.
- 法律依据: 《中华人民共和国大气污染防治法》第九十九条 (an article's 款/项 after it is accepted and not kept).
- 标签: tags separated by "," "，" "、" ";" or "；" (so a tag holding one of these cannot be written).
- 状态: 草稿 / 已发布 / 已停用 (draft / published / retired); empty or absent: the import decides.

Blank rows are skipped; unknown columns are ignored; row numbers in problems are sheet rows (for a CSV
file: records, as a spreadsheet shows them, the header being row 1).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from eduapp.domain.problems import N_, Problem
from eduapp.domain.questions import (
    CHOICE_TYPES,
    CITATION_RE,
    FILL_BLANK,
    LETTERS,
    MULTIPLE,
    SINGLE,
    TRUE_FALSE,
    ParseResult,
    QuestionData,
    format_citation,
    indices_from_letters,
    letters,
    parse_citation,
    validate,
)

ID, CATEGORY, TYPE, STEM = "编号", "分类", "题型", "题干"
OPTION_HEADERS = ("选项A", "选项B", "选项C", "选项D", "选项E", "选项F")
ANSWER, EXPLANATION, DIFFICULTY, LAW, TAGS, STATUS = "答案", "解析", "难度", "法律依据", "标签", "状态"
HEADERS = (ID, CATEGORY, TYPE, STEM, *OPTION_HEADERS, ANSWER, EXPLANATION, DIFFICULTY, LAW, TAGS)
ALL_HEADERS = (*HEADERS, STATUS)  # what our writers write
REQUIRED = (TYPE, STEM, ANSWER)
MAX_TABLE_OPTIONS = len(OPTION_HEADERS)
# the field (Problem.field) each column concerns
HEADER_FIELDS = {ID: "id", CATEGORY: "category", TYPE: "type", STEM: "stem", ANSWER: "answer",
                 EXPLANATION: "explanation", DIFFICULTY: "difficulty", LAW: "law", TAGS: "tags", STATUS: "status",
                 **{h: "options" for h in OPTION_HEADERS}}

TYPE_NAMES = {SINGLE: "单选题", MULTIPLE: "多选题", TRUE_FALSE: "判断题", FILL_BLANK: "填空题"}
TYPE_WORDS = {
    **{name: qtype for qtype, name in TYPE_NAMES.items()},
    "单选": SINGLE, "单项选择题": SINGLE, "单项选择": SINGLE, "single": SINGLE, "single_choice": SINGLE,
    "多选": MULTIPLE, "多项选择题": MULTIPLE, "多项选择": MULTIPLE, "multiple": MULTIPLE, "multiple_choice": MULTIPLE,
    "判断": TRUE_FALSE, "true_false": TRUE_FALSE, "truefalse": TRUE_FALSE,
    "填空": FILL_BLANK, "fill_blank": FILL_BLANK, "fill_in_the_blank": FILL_BLANK,
}
TRUE_TEXT, FALSE_TEXT = "正确", "错误"
TRUTH_WORDS = {
    "正确": True, "对": True, "是": True, "√": True, "✓": True, "✔": True,
    "t": True, "true": True, "yes": True,
    "错误": False, "错": False, "否": False, "×": False, "✗": False, "✘": False,
    "f": False, "false": False, "no": False,
}
DIFFICULTY_WORDS = {
    "易": 1, "容易": 1, "简单": 1, "较易": 2, "中": 3, "中等": 3, "一般": 3, "较难": 4, "难": 5, "困难": 5,
}
STATUS_NAMES = {"draft": "草稿", "published": "已发布", "retired": "已停用"}
STATUS_WORDS = {
    **{name: status for status, name in STATUS_NAMES.items()},
    **{status: status for status in STATUS_NAMES},
    "发布": "published", "停用": "retired",
}

BLANK_SEP_RE = re.compile(r"[;；]")
ALT_SEP_RE = re.compile(r"[|｜]")
TAG_SEP_RE = re.compile(r"[,，、;；]")
BLANK_SEP, ALT_SEP, TAG_SEP = "；", "|", "，"
# what may follow the article in 法律依据 and is dropped: 第二款, 第三项 …
CITATION_REST_RE = re.compile(r"^(?:\s*第[零〇一二三四五六七八九十百千]+[款项])*\s*$")


def _header_key(text: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


def header_columns(header_row: Sequence[object]) -> tuple[dict[str, int], list[Problem]]:
    """Column index of each known header (the first one wins), and a problem for each missing required one."""
    known = {_header_key(h): h for h in ALL_HEADERS}
    columns: dict[str, int] = {}
    for index, cell in enumerate(header_row):
        header = known.get(_header_key(cell))
        if header is not None and header not in columns:
            columns[header] = index
    problems = [
        Problem(N_("Missing column “%(column)s” in the header row."), {"column": header}, HEADER_FIELDS[header], 1)
        for header in REQUIRED
        if header not in columns
    ]
    return columns, problems


def match_score(header_row: Sequence[object]) -> int:
    """How many of our headers a row holds (to find the header row's sheet or delimiter)."""
    known = {_header_key(h) for h in ALL_HEADERS}
    return len({_header_key(c) for c in header_row} & known)


def parse_table(rows: Iterable[tuple[int, Sequence[str]]], *, category: str | None = None) -> ParseResult:
    """Parse (row number, cell texts) pairs whose first pair is the header row.

    Cells are text already (the CSV and XLSX modules turn cell values into text).
    """
    result = ParseResult()
    iterator = iter(rows)
    header = next(iterator, None)
    if header is None or not any(str(c or "").strip() for c in header[1]):
        result.problems.append(Problem(N_("The file is empty: the first row must hold the column headers."),
                                       {}, "file", 1))
        return result
    columns, problems = header_columns(header[1])
    if problems:
        result.problems.extend(problems)
        return result
    for number, cells in iterator:
        values = {h: (cells[i].strip() if i < len(cells) and cells[i] else "") for h, i in columns.items()}
        if not any(values.values()):
            continue
        question, found = row_to_question(values, number, category=category)
        if found:
            result.problems.extend(found)
        else:
            result.questions.append(question)
    return result


def _split_answer_blanks(text: str) -> tuple[tuple[str, ...], ...]:
    text = text.strip()
    while text and text[-1] in ";；":  # a trailing separator is a habit, not an empty blank
        text = text[:-1].rstrip()
    blanks = []
    for part in BLANK_SEP_RE.split(text):
        alternatives = tuple(a.strip() for a in ALT_SEP_RE.split(part) if a.strip())
        blanks.append(alternatives)
    return tuple(blanks)


def _category(text: str, default: str | None) -> str | None:
    parts = [p.strip() for p in text.split("/") if p.strip()]
    return "/".join(parts) if parts else default


def row_to_question(values: dict[str, str], row: int, *, category: str | None = None
                    ) -> tuple[QuestionData | None, list[Problem]]:
    """One data row (header -> stripped text) as a question, or the problems that keep it out."""
    problems: list[Problem] = []

    def add(msgid: str, fld: str, **params):
        problems.append(Problem(msgid, params, fld, row))

    raw_type = values.get(TYPE, "")
    qtype = TYPE_WORDS.get(raw_type) or TYPE_WORDS.get(raw_type.lower().replace("-", "_").replace(" ", "_"))
    if qtype is None:
        if raw_type:
            add(N_("Unknown question type “%(value)s” (use %(allowed)s)."), "type", value=raw_type,
                allowed="、".join(TYPE_NAMES.values()))
        else:
            add(N_("The question type is empty (use %(allowed)s)."), "type", allowed="、".join(TYPE_NAMES.values()))
        return None, problems

    # options: the filled option columns, in order, without a gap
    cells = [values.get(h, "") for h in OPTION_HEADERS]
    last = max((i for i, c in enumerate(cells) if c), default=-1)
    options = tuple(cells[: last + 1])
    gaps = [LETTERS[i] for i, c in enumerate(options) if not c]
    if qtype in CHOICE_TYPES and gaps:
        add(N_("Option %(letter)s is empty but a later option is filled: options must be consecutive."), "options",
            letter=gaps[0])
    if qtype == FILL_BLANK and options:
        add(N_("A fill-in-the-blank question has no options; leave the option columns empty."), "options")

    raw_answer = unicodedata.normalize("NFKC", values.get(ANSWER, "")).strip()
    answer: object = None
    if qtype in CHOICE_TYPES:
        if not raw_answer:
            add(N_("A choice question needs a correct option."), "answer")
        else:
            answer = indices_from_letters(raw_answer, len(options))
            if answer is None:
                add(N_("The answer “%(value)s” must be option letters that exist (A to %(last)s)."), "answer",
                    value=raw_answer, last=letters([max(len(options) - 1, 0)]))
    elif qtype == TRUE_FALSE:
        word = raw_answer.casefold()
        if len(word) == 1 and word.upper() in LETTERS[: len(options)]:  # 选项A 正确, 选项B 错误, 答案 A
            word = unicodedata.normalize("NFKC", options[LETTERS.index(word.upper())]).strip().casefold()
        answer = TRUTH_WORDS.get(word)
        if answer is None:
            add(N_("The answer of a true/false question is %(true)s or %(false)s, not “%(value)s”."), "answer",
                true=TRUE_TEXT, false=FALSE_TEXT, value=raw_answer)
        options = ()
    else:
        answer = _split_answer_blanks(values.get(ANSWER, ""))
        if not raw_answer:
            add(N_("Every blank needs at least one accepted answer."), "answer")

    difficulty = 3
    raw_difficulty = unicodedata.normalize("NFKC", values.get(DIFFICULTY, "")).strip()
    if raw_difficulty:
        if raw_difficulty in DIFFICULTY_WORDS:
            difficulty = DIFFICULTY_WORDS[raw_difficulty]
        elif re.fullmatch(r"[1-5](?:\.0+)?", raw_difficulty):
            difficulty = int(raw_difficulty[0])
        else:
            add(N_("Difficulty is a whole number from 1 to 5 (or %(words)s), not “%(value)s”."), "difficulty",
                words="易、较易、中、较难、难", value=raw_difficulty)

    law = article = None
    citation = values.get(LAW, "")
    if citation:
        match = CITATION_RE.match(citation)
        if match:
            law, article = parse_citation(citation)
            law = law.strip()
        if match is None or not law.strip() or not CITATION_REST_RE.match(citation[match.end():]):
            add(N_("The legal basis “%(value)s” is not written like %(example)s."), "law", value=citation,
                example="《中华人民共和国大气污染防治法》第九十九条")
            law = article = None

    tags: list[str] = []
    for tag in TAG_SEP_RE.split(values.get(TAGS, "")):
        tag = tag.strip()
        if tag and tag not in tags:
            tags.append(tag)

    status = None
    raw_status = values.get(STATUS, "")
    if raw_status:
        status = STATUS_WORDS.get(raw_status) or STATUS_WORDS.get(raw_status.lower())
        if status is None:
            add(N_("Status is %(allowed)s, not “%(value)s”."), "status", allowed="草稿、已发布、已停用",
                value=raw_status)

    question = QuestionData(
        qtype=qtype,
        stem=values.get(STEM, ""),
        answer=answer if answer is not None else (),
        options=options if qtype in CHOICE_TYPES else (),
        explanation=values.get(EXPLANATION, ""),
        law=law,
        article=article,
        difficulty=difficulty,
        tags=tuple(tags),
        category=_category(values.get(CATEGORY, ""), category),
        status=status,
        external_id=values.get(ID) or None,
        line=row,
    )
    reported = {p.field for p in problems}
    problems.extend(p for p in validate(question) if p.field not in reported)
    if problems:
        return None, problems
    return question, []


def _tag_ok(tag: str) -> bool:
    return not TAG_SEP_RE.search(tag)


def can_write(q: QuestionData) -> bool:
    """Whether the table can hold the question faithfully."""
    if q.qtype in CHOICE_TYPES and len(q.options) > MAX_TABLE_OPTIONS:
        return False
    if q.qtype == FILL_BLANK and any(
        BLANK_SEP_RE.search(str(a)) or ALT_SEP_RE.search(str(a)) for alts in q.answer for a in alts
    ):
        return False
    return all(_tag_ok(t) for t in q.tags)


def unsupported(questions: Iterable[QuestionData]) -> list[QuestionData]:
    """The questions a table cannot hold, which write() leaves out: choice questions with more than six
    options, fill-in-the-blank answers holding ";", "；" or "|", tags holding a tag separator."""
    return [q for q in questions if not can_write(q)]


def answer_text(q: QuestionData) -> str:
    if q.qtype in CHOICE_TYPES:
        return letters(q.answer)
    if q.qtype == TRUE_FALSE:
        return TRUE_TEXT if q.answer else FALSE_TEXT
    return BLANK_SEP.join(ALT_SEP.join(alts) for alts in q.answer)


def question_to_row(q: QuestionData) -> list[object]:
    """The cells of one question, in ALL_HEADERS order (difficulty as a number, the rest text)."""
    options = list(q.options[:MAX_TABLE_OPTIONS]) if q.qtype in CHOICE_TYPES else []
    options += [""] * (MAX_TABLE_OPTIONS - len(options))
    return [
        q.external_id or "",
        q.category or "",
        TYPE_NAMES.get(q.qtype, q.qtype),
        q.stem,
        *options,
        answer_text(q),
        q.explanation or "",
        q.difficulty,
        format_citation(q.law, q.article),
        TAG_SEP.join(q.tags),
        STATUS_NAMES.get(q.status, q.status or ""),
    ]


def rows_for(questions: Iterable[QuestionData]) -> Iterable[list[object]]:
    """The data rows of the questions a table can hold (see unsupported())."""
    return (question_to_row(q) for q in questions if can_write(q))
