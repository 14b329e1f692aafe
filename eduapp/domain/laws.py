"""Statutes as Markdown: parsing a file into its title, history and articles, Chinese numerals, and
the small pure helpers the law library pages use (anchors, the version line, search snippets).

The file format (see docs/laws.md)::

    # 中华人民共和国大气污染防治法
    1987年9月5日 …通过
    2018年10月26日 …第二次修正
    <!-- INFO END -->
    ## 第一章 总则
    ### 第一节 一般规定          (optional)
    第一条 为保护和改善环境，…
    （一）…                      (further paragraphs of the same article)

A table of contents (a line 目录) is skipped, and everything from a line 附表…/附件…/附录… after the
articles on is the appendix, which belongs to no article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from eduapp.domain.problems import N_, Problem

# Column sizes of the law tables: longer values are refused with a message instead of a database error.
MAX_TITLE = 100
MAX_SLUG = 100
MAX_LABEL = 32
MAX_HEADING = 200

INFO_END = "<!-- INFO END -->"
# Slugs that would collide with the library's own pages (/laws/search).
RESERVED_SLUGS = frozenset({"search", "amendments"})

_NUMERAL = "零〇一二三四五六七八九十百千两"
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_CANONICAL_DIGITS = "零一二三四五六七八九"

# Zero-width characters some sources leave on otherwise empty lines.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_SPACE = r"[ \t\u3000\u00a0]"

ARTICLE_START = re.compile(rf"^(?P<label>第(?P<num>[{_NUMERAL}]+)条(?:之(?P<sub>[{_NUMERAL}]+))?)(?:{_SPACE}+|$)")
LABEL_RE = re.compile(rf"^第(?P<num>[{_NUMERAL}]+)条(?:之(?P<sub>[{_NUMERAL}]+))?$")
_MD_HEADING = re.compile(r"^(?P<level>#{1,6})\s*(?P<text>.*?)\s*#*\s*$")
_NUMBERED_HEADING = re.compile(rf"^(?P<num>第[{_NUMERAL}]+(?P<kind>[编章节]))(?:{_SPACE}*(?P<name>.*))?$")
_TOC = re.compile(rf"^#*{_SPACE}*目{_SPACE}*录{_SPACE}*$")
_APPENDIX = re.compile(rf"^#*{_SPACE}*附(?:表|件|录)[{_NUMERAL}0-9]*{_SPACE}*[:：]?{_SPACE}*$")
_COMMENT = re.compile(r"^<!--.*-->$")
_HISTORY_EVENT = re.compile(
    r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日.*?(?P<event>通过|修正|修订|公布|发布|施行)[\s）)。]*$"
)


# --- Chinese numerals --------------------------------------------------------------------------------


def chinese_to_int(text: str) -> int:
    """第一百二十九条's 一百二十九 → 129. Accepts 〇 for 零, 两 for 二 and 一十 for 十; raises ValueError for
    anything that is not a well-formed numeral below 10,000 (十十, 一百五, 零)."""
    if not text or any(ch not in _DIGITS and ch not in _UNITS for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    total = 0
    digit: int | None = None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
    total += digit or 0
    if total <= 0 or total >= 10_000 or _normalised(text) != int_to_chinese(total):
        raise ValueError(f"not a well-formed Chinese numeral: {text!r}")
    return total


def _normalised(text: str) -> str:
    text = text.replace("〇", "零").replace("两", "二")
    return text[1:] if text.startswith("一十") else text


def int_to_chinese(number: int) -> str:
    """129 → 一百二十九, 105 → 一百零五, 110 → 一百一十, 10 → 十 (as statutes number their articles)."""
    if not 0 < number < 10_000:
        raise ValueError(f"out of range: {number}")
    parts: list[str] = []
    pending_zero = False
    for unit_value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // unit_value % 10
        if digit == 0:
            pending_zero = bool(parts)
            continue
        if pending_zero:
            parts.append("零")
            pending_zero = False
        parts.append(_CANONICAL_DIGITS[digit] + unit)
    result = "".join(parts)
    return result[1:] if result.startswith("一十") else result


def parse_label(label: str) -> tuple[int, int]:
    """第九十九条 → (99, 0); 第二十条之一 → (20, 1). Raises ValueError for anything else."""
    match = LABEL_RE.match(label)
    if not match:
        raise ValueError(f"not an article label: {label!r}")
    return chinese_to_int(match["num"]), chinese_to_int(match["sub"]) if match["sub"] else 0


def article_anchor(label: str) -> str:
    """A stable HTML id for an article: 第九十九条 → a99, 第二十条之一 → a20-1."""
    number, sub = parse_label(label)
    return f"a{number}-{sub}" if sub else f"a{number}"


# --- the parsed document -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleData:
    label: str  # 第九十九条
    number: int  # 99 (第二十条之一 is 20 too: the label tells them apart)
    position: int  # 1-based order in the statute
    chapter: str | None  # 第七章 法律责任
    section: str | None  # 第一节 一般规定
    text: str  # paragraphs separated by a blank line
    line: int = 0  # where the article starts in the file

    @property
    def paragraphs(self) -> list[str]:
        return self.text.split("\n\n")

    def key(self) -> tuple:
        """What is stored for the article: equal keys mean nothing to update."""
        return (self.label, self.number, self.position, self.chapter, self.section, self.text)


@dataclass(frozen=True)
class LawDocument:
    slug: str
    title: str
    history: str  # one adoption or amendment per line
    articles: list[ArticleData] = field(default_factory=list)
    appendix: str = ""  # tables after the articles (附表…): kept for the reader of the file, not imported


@dataclass
class _Article:
    label: str
    number: int
    line: int
    chapter: str | None
    section: str | None
    paragraphs: list[str]


def _clean(raw: str) -> str:
    return raw.strip().strip(_INVISIBLE).strip()


def _heading(line: str) -> tuple[str, str] | None:
    """('part' | 'chapter' | 'section', normalised text) for a heading line, else None.

    Markdown headings (## / ###) are headings whatever they say; a bare line is one only when it reads
    like 第三章 监督管理 (a short line without sentence punctuation)."""
    md = _MD_HEADING.match(line)
    text = md["text"] if md else line
    numbered = _NUMBERED_HEADING.match(text)
    if numbered:
        name = re.sub(r"\s+", "", numbered["name"] or "")
        normalised = f"{numbered['num']} {name}" if name else numbered["num"]
        kind = {"编": "part", "章": "chapter", "节": "section"}[numbered["kind"]]
        if md:
            return kind, normalised
        # A bare line: 第三章 监督管理 is a heading, 第三章规定的… (no space, or a sentence) is not.
        spaced = not numbered["name"] or text[len(numbered["num"])].isspace()
        if spaced and len(line) <= 50 and not re.search(r"[。；，、：:]", line):
            return kind, normalised
        return None
    if md:
        level = len(md["level"])
        kind = "chapter" if level <= 2 else "section"
        return kind, re.sub(r"\s+", " ", text)
    return None


def parse_law(text: str, slug: str) -> tuple[LawDocument | None, list[Problem]]:
    """Parse one statute file. Returns the document (None when it has problems) and the problems, each
    with the line it concerns (1-based)."""
    problems: list[Problem] = []
    lines = [_clean(raw) for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]

    problems.extend(_check_slug(slug))
    title, title_line = _title(lines, problems)

    history: list[str] = []
    articles: list[_Article] = []
    appendix: list[str] = []
    chapter: str | None = None
    section: str | None = None
    current: _Article | None = None
    has_info_end = INFO_END in lines
    in_history = True
    in_toc = False
    toc_seen: set[str] = set()
    in_appendix = False

    for index, line in enumerate(lines, start=1):
        if index <= title_line:
            continue
        if in_appendix:
            if line or (appendix and appendix[-1]):
                appendix.append(line)
            continue
        if line == INFO_END:
            in_history = False
            continue
        if not line or _COMMENT.match(line):
            continue
        heading = _heading(line)
        article = ARTICLE_START.match(line)
        if in_history:
            if has_info_end or not (heading or article or _TOC.match(line)):
                history.append(line)
                continue
            in_history = False
        if _TOC.match(line):
            in_toc, current = True, None
            continue
        if in_toc:
            if article:
                in_toc = False
            elif heading and heading[1] in toc_seen:
                in_toc = False  # the body repeats the first entry of the contents: the body starts here
            else:
                if heading:
                    toc_seen.add(heading[1])
                continue
        if articles and _APPENDIX.match(line):
            in_appendix, current = True, None
            appendix.append(line)
            continue
        if article:
            label = article["label"]
            try:
                number = chinese_to_int(article["num"])
                if article["sub"]:
                    chinese_to_int(article["sub"])
            except ValueError:
                problems.append(
                    Problem(N_("“%(label)s” is not a well-formed article number."), {"label": label}, row=index)
                )
                number = 0
            rest = line[article.end() :].strip()
            current = _Article(label, number, index, chapter, section, [rest] if rest else [])
            articles.append(current)
            continue
        if heading:
            kind, heading_text = heading
            if kind == "part":
                chapter = section = None
            elif kind == "chapter":
                chapter, section = heading_text, None
            else:
                section = heading_text
            for value in (chapter, section):
                if value and len(value) > MAX_HEADING:
                    problems.append(
                        Problem(N_("This heading is longer than %(max)s characters."), {"max": MAX_HEADING}, row=index)
                    )
            current = None
            continue
        if current is None:
            problems.append(
                Problem(
                    N_("This text belongs to no article (articles start a line with 第…条 and a space): “%(text)s”."),
                    {"text": line[:30]},
                    row=index,
                )
            )
            continue
        current.paragraphs.append(line)

    problems.extend(_check_articles(articles, title_line))
    problems.sort(key=lambda p: p.row or 0)
    if problems:
        return None, problems
    document = LawDocument(
        slug=slug,
        title=title,
        history="\n".join(history),
        articles=[
            ArticleData(a.label, a.number, position, a.chapter, a.section, "\n\n".join(a.paragraphs), a.line)
            for position, a in enumerate(articles, start=1)
        ],
        appendix="\n".join(appendix).strip(),
    )
    return document, []


def _check_slug(slug: str) -> list[Problem]:
    if not slug or len(slug) > MAX_SLUG or re.search(r"[\s/?#%\\]", slug) or slug.lower() in RESERVED_SLUGS:
        return [
            Problem(
                N_("The file name “%(name)s” cannot name a statute: use letters, digits and hyphens, at most %(max)s."),
                {"name": slug, "max": MAX_SLUG},
            )
        ]
    return []


def _title(lines: list[str], problems: list[Problem]) -> tuple[str, int]:
    """The title from the first non-empty line (# 标题) and that line's number; 0 when there is none."""
    for index, line in enumerate(lines, start=1):
        if not line:
            continue
        match = re.match(r"^#(?!#)\s*(.+?)\s*#*$", line)
        if not match:
            problems.append(Problem(N_("The file must start with the statute's title as a line “# title”."), row=index))
            return "", 0
        title = re.sub(r"\s+", "", match[1])
        if len(title) > MAX_TITLE:
            problems.append(Problem(N_("The title is longer than %(max)s characters."), {"max": MAX_TITLE}, row=index))
        return title, index
    problems.append(Problem(N_("The file must start with the statute's title as a line “# title”."), row=1))
    return "", 0


def _check_articles(articles: list[_Article], title_line: int) -> list[Problem]:
    problems: list[Problem] = []
    if not articles:
        problems.append(
            Problem(
                N_("No articles found: an article starts a line with its number and a space, like “第一条 ”."),
                row=title_line or 1,
            )
        )
    first_line: dict[str, int] = {}
    for article in articles:
        if article.label in first_line:
            problems.append(
                Problem(
                    N_("%(label)s appears twice (first on line %(first)s)."),
                    {"label": article.label, "first": first_line[article.label]},
                    row=article.line,
                )
            )
        else:
            first_line[article.label] = article.line
        if len(article.label) > MAX_LABEL:
            problems.append(Problem(N_("The article number is too long."), row=article.line))
        if not article.paragraphs:
            problems.append(Problem(N_("%(label)s has no text."), {"label": article.label}, row=article.line))
    return problems


# --- helpers for the pages ---------------------------------------------------------------------------


def version_of(history: str) -> str:
    """The version in force, from the history lines: the latest adoption or amendment, plus its entry into
    force when a later line gives one. "2018年10月26日 …第二次修正" → "2018-10-26 修正"."""
    events = []
    for line in history.splitlines():
        match = _HISTORY_EVENT.search(line)
        if match:
            events.append((f"{int(match['y']):04d}-{int(match['m']):02d}-{int(match['d']):02d}", match["event"]))
    if not events:
        lines = [line for line in history.splitlines() if line.strip()]
        return lines[-1] if lines else ""
    acts = [e for e in events if e[1] != "施行"]
    if not acts:
        return f"{events[-1][0]} {events[-1][1]}"
    latest = max(acts)
    in_force = [e for e in events if e[1] == "施行" and e[0] >= latest[0]]
    parts = [latest, *in_force[-1:]]
    return ", ".join(f"{date} {event}" for date, event in parts)


class _Grouped(Protocol):
    chapter: str | None
    section: str | None


@dataclass
class SectionGroup:
    title: str | None
    anchor: str
    articles: list = field(default_factory=list)


@dataclass
class ChapterGroup:
    title: str | None
    anchor: str
    sections: list[SectionGroup] = field(default_factory=list)


def group_by_chapter(articles: list[_Grouped]) -> list[ChapterGroup]:
    """Articles (in order) grouped into chapters and, within them, sections, each with an HTML id
    (c1, c1-s2) for a table of contents. A statute without chapters is one group without a title."""
    chapters: list[ChapterGroup] = []
    for article in articles:
        if not chapters or chapters[-1].title != article.chapter:
            chapters.append(ChapterGroup(article.chapter, f"c{len(chapters) + 1}"))
        chapter = chapters[-1]
        if not chapter.sections or chapter.sections[-1].title != article.section:
            chapter.sections.append(SectionGroup(article.section, f"{chapter.anchor}-s{len(chapter.sections) + 1}"))
        chapter.sections[-1].articles.append(article)
    return chapters


@dataclass(frozen=True)
class Snippet:
    before: str
    match: str
    after: str


def snippet(text: str, terms: list[str], width: int = 40) -> Snippet:
    """The part of ``text`` around the first of ``terms`` found (case-insensitively), for a search
    result; the match is returned apart so the page can highlight it without building HTML here."""
    flat = re.sub(r"\s+", " ", text)
    lowered = flat.lower()
    hits = [(lowered.find(t.lower()), t) for t in terms if t and lowered.find(t.lower()) >= 0]
    if not hits:
        end = min(len(flat), 2 * width)
        return Snippet("", "", flat[:end] + ("…" if end < len(flat) else ""))
    start, term = min(hits)
    stop = start + len(term)
    left = max(0, start - width)
    right = min(len(flat), stop + width)
    return Snippet(
        ("…" if left > 0 else "") + flat[left:start],
        flat[start:stop],
        flat[stop:right] + ("…" if right < len(flat) else ""),
    )


def search_terms(query: str, limit: int = 5) -> list[str]:
    """The words of a search box query (split on spaces, full-width ones too), at most ``limit``."""
    terms = [t for t in re.split(rf"{_SPACE}+", query.strip()) if t]
    return list(dict.fromkeys(terms))[:limit]
