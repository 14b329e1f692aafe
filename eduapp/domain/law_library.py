"""The law library as the mobile API shows it: a statute's level, and the short ASCII key of an article
(99, 20-1) that stands for its Chinese label (第九十九条, 第二十条之一) in an address.

Levels follow the hierarchy of the Legislation Law (《立法法》): 法律 (made by the National People's Congress
and its Standing Committee, 第七条), 行政法规 (the State Council, 第七十二条), 省级地方性法规 (the people's
congresses of provinces, autonomous regions and municipalities, 第八十条) and 设区的市地方性法规 (cities
divided into districts, 第八十一条, approved by the province); anything else (规章: 办法, 规定 …) is "other".
A statute's level is stored (models.Law.level): an import takes it from the folder's INDEX.tsv when that
has a ``level`` column (``../shared/laws-local``), else from the title (``level_of``). The library lists
statutes by level, in this order, then by title (services.laws.list_laws).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from eduapp.domain.laws import parse_label
from eduapp.domain.problems import N_, Problem

LAW, ADMINISTRATIVE, PROVINCIAL, MUNICIPAL, OTHER = (
    "law", "administrative_regulation", "provincial_regulation", "municipal_regulation", "other")
LEVELS = (LAW, ADMINISTRATIVE, PROVINCIAL, MUNICIPAL, OTHER)  # in rank order
LEVEL_LABELS = {
    LAW: N_("National law"),
    ADMINISTRATIVE: N_("Administrative regulation"),
    PROVINCIAL: N_("Provincial local regulation"),
    MUNICIPAL: N_("Municipal local regulation"),
    OTHER: N_("Other rules"),
}
# The names INDEX.tsv writes in its level column (the key itself is accepted too).
LEVEL_NAMES = {"法律": LAW, "行政法规": ADMINISTRATIVE, "省级地方性法规": PROVINCIAL, "设区的市地方性法规": MUNICIPAL,
               "其他": OTHER, **{level: level for level in LEVELS}}

# A title opening with a province, an autonomous region or one of the four municipalities (浙江省…,
# 广西壮族自治区…, 上海市…) is a provincial statute; with another city (杭州市…), a municipal one.
_PROVINCE = re.compile(r"^(北京市|天津市|上海市|重庆市|[^市省\s]{2,10}?(省|自治区))")
_CITY = re.compile(r"^[^市省\s]{2,10}?市")
_KEY = re.compile(r"^(?P<number>[0-9]{1,4})(?:-(?P<sub>[0-9]{1,3}))?$")


def level_of(title: str) -> str:
    """The level a title implies (for a folder whose INDEX.tsv names none):
    中华人民共和国大气污染防治法 → law; 排污许可管理条例 (the State Council's) → administrative regulation;
    浙江省…条例 → provincial; 杭州市…条例 → municipal; 某某办法, 某某规定 → other."""
    title = title.strip()
    if title.endswith("办法"):  # 办法 are rules (规章), though they end in 法 too
        return OTHER
    if title.endswith("法") or title.endswith("法典"):
        return LAW
    if title.endswith("条例"):
        if _PROVINCE.match(title):
            return PROVINCIAL
        if _CITY.match(title):
            return MUNICIPAL
        return ADMINISTRATIVE
    return OTHER


def level_rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else len(LEVELS)


@dataclass(frozen=True)
class IndexLevels:
    levels: dict[str, str]  # file name -> level; empty when the index has no level column
    problems: list[Problem]


def index_levels(text: str, name: str = "INDEX.tsv") -> IndexLevels:
    """The levels an INDEX.tsv gives its files: a tab-separated table with a header naming a ``file``
    column and, optionally, a ``level`` one (法律, 行政法规, 省级地方性法规, 设区的市地方性法规, 其他, or the
    level's key). Without a level column (../shared/laws), no levels: the titles decide. An unknown level
    is a problem naming the line."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter="\t"))
    if not rows:
        return IndexLevels({}, [])
    header = [cell.strip().lower() for cell in rows[0]]
    if "level" not in header:
        return IndexLevels({}, [])
    if "file" not in header:
        return IndexLevels({}, [Problem(N_("The index has a level column but no file column."), field=name, row=1)])
    file_at, level_at = header.index("file"), header.index("level")
    levels: dict[str, str] = {}
    problems: list[Problem] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        file = row[file_at].strip() if file_at < len(row) else ""
        value = row[level_at].strip() if level_at < len(row) else ""
        if not file:
            continue
        if value not in LEVEL_NAMES:
            problems.append(Problem(
                N_("The level “%(level)s” of %(file)s is not one of 法律, 行政法规, 省级地方性法规, "
                   "设区的市地方性法规, 其他."),
                {"level": value, "file": file}, name, line))
            continue
        levels[file] = LEVEL_NAMES[value]
    return IndexLevels(levels, problems)


def article_key(label: str) -> str:
    """第九十九条 → 99, 第二十条之一 → 20-1 (the article's anchor without its letter); the label itself
    when it is not a well-formed article number."""
    try:
        number, sub = parse_label(label)
    except ValueError:
        return label
    return f"{number}-{sub}" if sub else str(number)


def parse_article_key(key: str) -> tuple[int, int] | None:
    """99 → (99, 0), 20-1 → (20, 1); None for anything else (a label is looked up as it is)."""
    match = _KEY.match(key)
    if match is None:
        return None
    return int(match["number"]), int(match["sub"] or 0)
