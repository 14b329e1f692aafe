"""Typical cases (以案释法): a decided penalty case retold for learning (docs/case-studies.md).

The rules here are pure: the statuses and who may move a case study between them (four eyes: the
reviewer who publishes is another editor than the author), the draft made from a decided case (people's
names masked, the enterprise named as the published 行政处罚决定 names it: 行政处罚法 第四十八条), the fields'
checks, and the YAML file format with every problem naming its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import yaml

from eduapp.domain import yaml_nodes
from eduapp.domain.masking import mask_person_names
from eduapp.domain.problems import N_, Problem

DRAFT, IN_REVIEW, PUBLISHED, RETIRED = "draft", "in_review", "published", "retired"
STATUSES = (DRAFT, IN_REVIEW, PUBLISHED, RETIRED)
STATUS_LABELS = {DRAFT: N_("Draft"), IN_REVIEW: N_("In review"), PUBLISHED: N_("Published"), RETIRED: N_("Retired")}

# action -> (the statuses it starts from, the status it leads to)
SUBMIT, PUBLISH, RETURN, RETIRE = "submit", "publish", "return", "retire"
ACTIONS = {
    SUBMIT: ((DRAFT,), IN_REVIEW),
    PUBLISH: ((IN_REVIEW,), PUBLISHED),
    RETURN: ((IN_REVIEW, RETIRED), DRAFT),
    RETIRE: ((PUBLISHED,), RETIRED),
}
EDITABLE = (DRAFT,)  # what is under review or published is not changed under the reviewer's eyes

# The case statuses a case study may be made from: the penalty is decided (决定, 缴纳, 结案).
FROM_CASE_STATUSES = ("decided", "paid", "closed")

VIOLATED, PENALTY = "violated", "penalty"
ROLES = (VIOLATED, PENALTY)
ROLE_NAMES = {"违反": VIOLATED, "违反条款": VIOLATED, "violated": VIOLATED, "处罚": PENALTY, "处罚依据": PENALTY,
              "penalty": PENALTY}

MAX_TITLE = 200
MAX_ENTERPRISE = 200
MAX_TEXT = 8000
MAX_ARTICLES = 10
MAX_QUESTIONS = 30
UID_RE = re.compile(r"^[a-z][a-z0-9-]{0,30}-\d{4}$")
ARTICLE_RE = re.compile(r"^第[零一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?$")
TEXT_FIELDS = ("facts", "decision", "lesson")


@dataclass(frozen=True)
class Article:
    law: str  # the statute's full title: 中华人民共和国大气污染防治法
    article: str  # 第九十九条
    role: str = VIOLATED  # violated | penalty


@dataclass
class Draft:
    """A case study's fields as typed, prefilled or imported."""

    title: str = ""
    facts: str = ""
    decision: str = ""
    lesson: str = ""
    articles: list[Article] = field(default_factory=list)
    question_uids: list[str] = field(default_factory=list)
    uid: str | None = None
    source_case_number: str | None = None
    enterprise: str = ""
    line: int | None = None  # where it starts in an imported file


def check_action(action: str, status: str, actor_id: int, author_id: int | None) -> Problem | None:
    """Whether ``actor_id`` may take ``action`` on a case study in ``status``. Publishing needs a second
    editor: the author may not approve their own case study (four eyes)."""
    if action not in ACTIONS:
        return Problem(N_("Unknown action."), field="action")
    starts, _to = ACTIONS[action]
    if status not in starts:
        return Problem(N_("This case study cannot be moved that way from its present status."), field="action")
    if action == PUBLISH and author_id is not None and actor_id == author_id:
        return Problem(N_("Another editor must review and publish a case study: its author may not."), field="action")
    return None


def next_status(action: str) -> str:
    return ACTIONS[action][1]


# --- a draft from a decided case ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFacts:
    """What a case study is made from: the case, its enterprise and the people its record names."""

    case_number: str
    status: str
    enterprise: str
    description: str
    violation: str  # the violation type's name
    law: str
    article: str
    decided_on: date | None
    final_fine_fen: int | None
    people: tuple[str, ...] = ()  # legal representative, environmental manager, the case's contacts


def decision_text(case: CaseFacts) -> str:
    fine = case.final_fine_fen
    amount = f"罚款人民币{fine // 100:,}元" + (f"{fine % 100:02d}分" if fine and fine % 100 else "") if fine else ""
    when = f"{case.decided_on.year}年{case.decided_on.month}月{case.decided_on.day}日" if case.decided_on else ""
    parts = [f"{when}，" if when else "", f"生态环境主管部门对{case.enterprise}作出行政处罚决定（{case.case_number}）"]
    parts.append(f"：责令改正，{amount}。" if amount else "。")
    return "".join(parts)


def draft_from_case(case: CaseFacts) -> tuple[Draft | None, Problem | None]:
    """The first draft of a case study from a decided case: the facts from its description, the violated
    article from its violation type, the decision from the fine and the decision date; people's names
    masked, the enterprise named (行政处罚法 第四十八条)."""
    if case.status not in FROM_CASE_STATUSES:
        return None, Problem(N_("A case study is made from a case whose penalty is decided (决定, 缴纳 or 结案)."),
                             field="case")

    def masked(text: str) -> str:
        return mask_person_names(text, case.people, keep=(case.enterprise,))

    articles = [Article(case.law, case.article, VIOLATED)] if case.law and case.article else []
    return Draft(
        title=masked(f"{case.enterprise}{case.violation}案")[:MAX_TITLE],
        facts=masked(case.description),
        decision=masked(decision_text(case)),
        lesson="",
        articles=articles,
        source_case_number=case.case_number,
        enterprise=case.enterprise,
    ), None


# --- checks ----------------------------------------------------------------------------------------------


_ARTICLE_LINE = re.compile(r"^《?([^《》\s]+?)》?\s*(第[^\s条]+条(?:之[一二三四五六七八九十]+)?)\s*"
                           r"(?:[\[【（(](.+?)[\]】）)])?$")
BAD_ARTICLE = N_("Write an article as 《law》第…条, with (处罚) after the penalty article: “%(value)s”.")
BAD_ROLE = N_("An article is marked (违反) or (处罚): “%(value)s”.")


def parse_article_line(text: str) -> tuple[Article | None, Problem | None]:
    """One article as typed on the form: 《中华人民共和国大气污染防治法》第九十九条 [处罚]."""
    text = text.strip()
    m = _ARTICLE_LINE.match(text)
    if m is None:
        return None, Problem(BAD_ARTICLE, {"value": text[:80]}, "articles")
    role = ROLE_NAMES.get((m.group(3) or VIOLATED).strip())
    if role is None:
        return None, Problem(BAD_ROLE, {"value": text[:80]}, "articles")
    return Article(m.group(1), m.group(2), role), None


def article_line(article: Article) -> str:
    return f"《{article.law}》{article.article}" + ("（处罚）" if article.role == PENALTY else "")


def check(draft: Draft, line: int | None = None) -> list[Problem]:
    """Every problem of a case study's fields, each naming its field (and line, for a file)."""
    found: list[Problem] = []
    if not draft.title.strip():
        found.append(Problem(N_("Give the case study a title."), {}, "title", line))
    elif len(draft.title) > MAX_TITLE:
        found.append(Problem(N_("This is longer than %(max)s characters."), {"max": MAX_TITLE}, "title", line))
    if len(draft.enterprise) > MAX_ENTERPRISE:
        found.append(Problem(N_("This is longer than %(max)s characters."), {"max": MAX_ENTERPRISE}, "enterprise",
                             line))
    if not draft.facts.strip():
        found.append(Problem(N_("Describe the facts of the case."), {}, "facts", line))
    for name in TEXT_FIELDS:
        if len(getattr(draft, name)) > MAX_TEXT:
            found.append(Problem(N_("This is longer than %(max)s characters."), {"max": MAX_TEXT}, name, line))
    if draft.uid is not None and not UID_RE.match(draft.uid):
        found.append(Problem(N_("An id is lower-case letters and a number of four digits, e.g. cs-0001: “%(value)s”."),
                             {"value": draft.uid[:40]}, "id", line))
    if len(draft.articles) > MAX_ARTICLES:
        found.append(Problem(N_("At most %(max)s articles."), {"max": MAX_ARTICLES}, "articles", line))
    for art in draft.articles:
        if not ARTICLE_RE.match(art.article) or not art.law or art.role not in ROLES:
            found.append(Problem(BAD_ARTICLE, {"value": article_line(art)[:80]}, "articles", line))
    if len(draft.question_uids) > MAX_QUESTIONS:
        found.append(Problem(N_("At most %(max)s questions."), {"max": MAX_QUESTIONS}, "questions", line))
    return found


# --- the YAML file format ------------------------------------------------------------------------------------

FIELDS = {"id", "title", "source_case", "enterprise", "facts", "articles", "decision", "lesson", "questions"}


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _article(item, line: int) -> tuple[Article | None, Problem | None]:
    if isinstance(item, str):
        found, problem = parse_article_line(item)
        return found, problem and Problem(problem.msgid, problem.params, "articles", line)
    if isinstance(item, dict) and item.get("law") and item.get("article"):
        role = ROLE_NAMES.get(_text(item.get("role") or VIOLATED))
        if role is None:
            return None, Problem(BAD_ROLE, {"value": _text(item.get("role"))[:40]}, "articles", line)
        return Article(_text(item["law"]), _text(item["article"]), role), None
    return None, Problem(N_("Each article has a law and an article (law: …, article: 第…条)."), {}, "articles", line)


def _one(item, line: int) -> tuple[Draft | None, list[Problem]]:
    if not isinstance(item, dict):
        return None, [Problem(N_("Each case study is a mapping of fields (id, title, facts, …)."), {}, "file", line)]
    unknown = sorted(set(map(str, item)) - FIELDS)
    if unknown:
        return None, [Problem(N_("Unknown field “%(value)s”."), {"value": ", ".join(unknown)}, unknown[0], line)]
    problems: list[Problem] = []
    articles = []
    raw_articles = item.get("articles") or []
    if not isinstance(raw_articles, list):
        problems.append(Problem(N_("Articles are a list."), {}, "articles", line))
        raw_articles = []
    for raw in raw_articles:
        art, problem = _article(raw, line)
        problems.extend([problem] if problem else [])
        articles.extend([art] if art else [])
    questions = item.get("questions") or []
    if not isinstance(questions, list) or not all(isinstance(q, str | int) for q in questions):
        problems.append(Problem(N_("Questions are a list of question ids."), {}, "questions", line))
        questions = []
    draft = Draft(
        title=_text(item.get("title")), facts=_text(item.get("facts")), decision=_text(item.get("decision")),
        lesson=_text(item.get("lesson")), articles=articles, question_uids=[_text(q) for q in questions],
        uid=_text(item.get("id")) or None, source_case_number=_text(item.get("source_case")) or None,
        enterprise=_text(item.get("enterprise")), line=line,
    )
    problems.extend(check(draft, line))
    return (None if problems else draft), problems


def parse(data: bytes) -> tuple[list[Draft], list[Problem]]:
    """Case studies of a YAML file: one mapping, a list of them, or ``case_studies:`` holding a list.
    Every problem names the line where its case study starts (or where the YAML cannot be read)."""
    document, root, problem = yaml_nodes.load(data)
    if problem is not None:
        return [], [problem]
    if isinstance(document, dict) and isinstance(document.get("case_studies"), list):
        root = next(v for k, v in root.value if k.value == "case_studies")
        document = document["case_studies"]
    if isinstance(document, dict):
        nodes, items = [root], [document]
    elif isinstance(document, list):
        nodes, items = root.value, document
    else:
        return [], [Problem(N_("A case study file holds a case study, or a list of them."), {}, "file", 1)]
    drafts: list[Draft] = []
    problems: list[Problem] = []
    for node, item in zip(nodes, items, strict=True):
        draft, found = _one(item, node.start_mark.line + 1)
        problems.extend(found)
        drafts.extend([draft] if draft else [])
    return drafts, problems


def dump(drafts: list[Draft]) -> str:
    """The YAML of case studies (a list), as ``parse`` reads it back."""
    items = []
    for d in drafts:
        item = {"id": d.uid, "title": d.title}
        if d.source_case_number:
            item["source_case"] = d.source_case_number
        if d.enterprise:
            item["enterprise"] = d.enterprise
        item.update({"facts": d.facts, "articles": [
            {"law": a.law, "article": a.article, "role": a.role} for a in d.articles], "decision": d.decision,
            "lesson": d.lesson, "questions": list(d.question_uids)})
        items.append(item)
    return yaml.safe_dump(items, allow_unicode=True, sort_keys=False, width=1000)


def next_uid(existing: list[str], prefix: str = "cs") -> str:
    """The next id ``cs-0001`` after the highest of ``existing`` with that prefix."""
    numbers = [int(u.rsplit("-", 1)[1]) for u in existing if u.startswith(prefix + "-") and u[-4:].isdigit()]
    return f"{prefix}-{max(numbers, default=0) + 1:04d}"


def reading_minutes(*texts: str) -> int:
    """About 400 Chinese characters a minute, at least one."""
    return max(1, round(sum(len(t) for t in texts) / 400))
