"""Our own format: the YAML of question_bank/ (see question_bank/FORMAT.md).

A file holds ``law``, ``category`` and ``questions``; each question may override law and category.
Line numbers come from the YAML nodes, so every problem names the line where its question starts.
"""

from __future__ import annotations

import yaml

from eduapp.domain import yaml_nodes
from eduapp.domain.digits import is_digits
from eduapp.domain.problems import N_, Problem
from eduapp.domain.questions import (
    CHOICE_TYPES,
    FILL_BLANK,
    TRUE_FALSE,
    TRUTH_WORDS,
    ParseResult,
    QuestionData,
    indices_from_letters,
    letters,
    validate,
)

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

TYPE_WORDS = {
    "single": "single",
    "单选": "single",
    "单选题": "single",
    "multiple": "multiple",
    "多选": "multiple",
    "多选题": "multiple",
    "true_false": "true_false",
    "判断": "true_false",
    "判断题": "true_false",
    "fill_blank": "fill_blank",
    "填空": "fill_blank",
    "填空题": "fill_blank",
}
KNOWN_KEYS = {
    "id",
    "type",
    "stem",
    "options",
    "answer",
    "article",
    "law",
    "explanation",
    "difficulty",
    "tags",
    "status",
    "category",
}


def unsupported(questions: list[QuestionData]) -> list[QuestionData]:
    """Our own format holds every question."""
    return []


def _answer(raw, qtype: str, option_count: int, line: int) -> tuple[object, Problem | None]:
    def bad(msgid: str, **params):
        return None, Problem(msgid, params, "answer", line)

    if qtype in CHOICE_TYPES:
        found = indices_from_letters(str(raw or ""), option_count)
        if found is None:
            return bad(
                N_("The answer “%(value)s” must be option letters that exist (A to %(last)s)."),
                value=raw,
                last=letters([max(option_count - 1, 0)]),
            )
        return found, None
    if qtype == TRUE_FALSE:
        if isinstance(raw, bool):
            return raw, None
        if str(raw).strip().lower() in TRUTH_WORDS:
            return TRUTH_WORDS[str(raw).strip().lower()], None
        return bad(N_("The answer of a true/false question is true or false, not “%(value)s”."), value=raw)
    if qtype == FILL_BLANK:
        if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
            raw = [raw]
        if not isinstance(raw, list) or not raw:
            return bad(N_("A fill-in-the-blank answer is a list with one entry per blank."))
        blanks = []
        for entry in raw:
            alternatives = entry if isinstance(entry, list) else [entry]
            blanks.append(tuple(str(a).strip() for a in alternatives if a is not None and str(a).strip()))
        return tuple(blanks), None
    return None, None


def _question(node_line: int, item, law, category) -> tuple[QuestionData | None, list[Problem]]:
    if not isinstance(item, dict):
        return None, [Problem(N_("Each question is a mapping of fields (id, type, stem, …)."), {}, "file", node_line)]
    problems: list[Problem] = []
    unknown = sorted(set(map(str, item)) - KNOWN_KEYS)
    if unknown:
        problems.append(Problem(N_("Unknown field “%(value)s”."), {"value": ", ".join(unknown)}, unknown[0], node_line))
    qtype = TYPE_WORDS.get(str(item.get("type", "")).strip())
    if qtype is None:
        problems.append(
            Problem(N_("Unknown question type “%(value)s”."), {"value": item.get("type")}, "type", node_line)
        )
        return None, problems
    options = item.get("options") or []
    if not isinstance(options, list):
        problems.append(Problem(N_("Options are a list."), {}, "options", node_line))
        options = []
    options = tuple("" if o is None else str(o).strip() for o in options)
    answer, problem = _answer(item.get("answer"), qtype, len(options), node_line)
    if problem:
        problems.append(problem)
    tags = item.get("tags") or []
    if isinstance(tags, str):
        tags = [t for t in tags.replace("，", ",").split(",")]
    difficulty = item.get("difficulty", 3)
    if isinstance(difficulty, str) and is_digits(difficulty.strip()):
        difficulty = int(difficulty)
    external_id = item.get("id")
    q = QuestionData(
        qtype=qtype,
        stem=str(item.get("stem") or "").strip(),
        answer=answer,
        options=options,
        explanation=str(item.get("explanation") or "").strip(),
        law=item.get("law", law),
        article=str(item["article"]).strip() if item.get("article") else None,
        difficulty=difficulty,
        tags=tuple(str(t).strip() for t in tags),
        category=item.get("category", category),
        status=str(item.get("status", "published")).strip(),
        external_id=None if external_id is None else str(external_id),
        line=node_line,
    )
    if problems:
        return None, problems
    return q, validate(q)


def parse(data: bytes, *, filename: str = "", category: str | None = None) -> ParseResult:
    result = ParseResult()
    document, root, problem = yaml_nodes.load(data)
    if problem is not None:
        result.problems.append(problem)
        return result
    if not isinstance(document, dict) or not isinstance(document.get("questions"), list):
        result.problems.append(Problem(N_("A question file holds “questions:”, a list of questions."), {}, "file", 1))
        return result
    question_nodes = next(v for k, v in root.value if k.value == "questions").value
    law = document.get("law")
    file_category = document.get("category") or category
    for node, item in zip(question_nodes, document["questions"], strict=True):
        q, problems = _question(node.start_mark.line + 1, item, law, file_category)
        if problems:
            result.problems.extend(problems)
        elif q is not None:
            result.questions.append(q)
    return result


def _answer_out(q: QuestionData):
    if q.qtype in CHOICE_TYPES:
        return letters(q.answer)
    if q.qtype == TRUE_FALSE:
        return bool(q.answer)
    return [list(alts) for alts in q.answer]


def to_document(questions: list[QuestionData]) -> dict:
    laws = {q.law for q in questions}
    categories = {q.category for q in questions}
    shared_law = laws.pop() if len(laws) == 1 else None
    shared_category = categories.pop() if len(categories) == 1 else None
    document: dict = {}
    if shared_law:
        document["law"] = shared_law
    if shared_category:
        document["category"] = shared_category
    items = []
    for q in questions:
        item: dict = {}
        if q.external_id:
            item["id"] = q.external_id
        item["type"] = q.qtype
        item["stem"] = q.stem
        if q.options:
            item["options"] = list(q.options)
        item["answer"] = _answer_out(q)
        if q.law and not shared_law:
            item["law"] = q.law
        if q.article:
            item["article"] = q.article
        if q.explanation:
            item["explanation"] = q.explanation
        item["difficulty"] = q.difficulty
        if q.tags:
            item["tags"] = list(q.tags)
        if q.category and not shared_category:
            item["category"] = q.category
        item["status"] = q.status or "draft"
        items.append(item)
    document["questions"] = items
    return document


def write(questions: list[QuestionData]) -> bytes:
    text = yaml.dump(
        to_document(questions),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=1000,
        default_flow_style=False,
    )
    return text.encode("utf-8")
