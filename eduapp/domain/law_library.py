"""The law library as the mobile API shows it: a statute's level from its title, and the short ASCII key
of an article (99, 20-1) that stands for its Chinese label (第九十九条, 第二十条之一) in an address.

Levels follow the hierarchy of the Legislation Law (《立法法》): 法律, made by the National People's Congress
and its Standing Committee, are titled …法; 法规 (administrative and local regulations) are titled …条例;
anything else in the library (规定, 办法, 决定 …) is "other". The library lists laws before regulations
(services.laws.list_laws), as the levels rank.
"""

from __future__ import annotations

import re

from eduapp.domain.laws import parse_label
from eduapp.domain.problems import N_

LAW, REGULATION, OTHER = "law", "regulation", "other"
LEVELS = (LAW, REGULATION, OTHER)
LEVEL_LABELS = {LAW: N_("Statute law"), REGULATION: N_("Regulation"), OTHER: N_("Other rules")}

_KEY = re.compile(r"^(?P<number>[0-9]{1,4})(?:-(?P<sub>[0-9]{1,3}))?$")


def level_of(title: str) -> str:
    """中华人民共和国大气污染防治法 → law; 排污许可管理条例 → regulation; 某某办法 → other."""
    title = title.strip()
    if title.endswith("办法"):  # 办法 are rules (规章), though they end in 法 too
        return OTHER
    if title.endswith("法") or title.endswith("法典"):
        return LAW
    if title.endswith("条例"):
        return REGULATION
    return OTHER


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
