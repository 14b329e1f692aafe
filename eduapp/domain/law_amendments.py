"""Aligning two versions of a statute article by article (新法速递, docs/laws.md “Amendments”).

Pure rules, no database. Each article of the old and the new version is classified:

- **unchanged**: the same number and the same text (after ``normalise``);
- **renumbered**: the same text under another number (an article moved by an insertion or deletion
  before it, 第二十条 → 第二十二条);
- **changed**: no article says the same, but one article of the other version is similar enough
  (``similarity`` at least ``THRESHOLD``): the best pairs first, each article in one pair at most;
- **added**: an article of the new version matched by none of the old;
- **removed**: an article of the old version matched by none of the new.

Texts are compared after ``normalise``: whitespace dropped, full-width ASCII letters, digits and
punctuation folded to half-width (and the Chinese comma family to one mark), and an article's
references to other articles by number (“依照本法第二十条的规定”) replaced by a placeholder, so an
article whose only difference is that the articles it cites were renumbered still counts as the same text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

UNCHANGED, RENUMBERED, CHANGED, ADDED, REMOVED = "unchanged", "renumbered", "changed", "added", "removed"
KINDS = (UNCHANGED, RENUMBERED, CHANGED, ADDED, REMOVED)
# Two articles at least this similar (difflib ratio of the normalised texts) are one article amended.
# Measured on the 野生动物保护法 2018 → 2022 (tests/domain/test_law_amendments.py): amended articles
# score 0.55 and more, unrelated articles of the same statute under 0.4.
THRESHOLD = 0.5
# Between two articles kept in the same order, a lower bar: an article rewritten in its place.
IN_PLACE = 0.25

_NUMERAL = "零〇一二两三四五六七八九十百千"
# 第二十条, 第二十条之一, 第二十条第二款, 第三十二条、第三十三条: the number of a cited article.
_ARTICLE_REFERENCE = re.compile(rf"第[{_NUMERAL}]+条(?:之[{_NUMERAL}]+)?")
# 前款, 第二款 …: paragraph references stay (they do not move with a renumbering).
_SPACE = re.compile(r"\s+")
_PUNCTUATION = str.maketrans({"，": ",", "、": ",", "；": ";", "：": ":", "。": ".", "？": "?", "！": "!",
                              "（": "(", "）": ")", "“": '"', "”": '"', "‘": "'", "’": "'", "《": "<",
                              "》": ">", "〈": "<", "〉": ">", "【": "[", "】": "]"})


def normalise(text: str) -> str:
    """The text as compared: no whitespace, half-width punctuation, references to articles as 第#条."""
    text = unicodedata.normalize("NFKC", text).translate(_PUNCTUATION)
    text = _SPACE.sub("", text)
    return _ARTICLE_REFERENCE.sub("第#条", text)


def similarity(a: str, b: str) -> float:
    """How alike two normalised texts are, 0 to 1 (difflib's ratio, without its junk heuristic, which
    would treat common Chinese characters of a long article as noise)."""
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass(frozen=True)
class Article:
    label: str  # 第二十条
    text: str


@dataclass(frozen=True)
class Pair:
    """One line of the diff: the old article, the new, or both."""

    kind: str  # one of KINDS
    old: Article | None
    new: Article | None
    ratio: float = 1.0  # the similarity of a changed pair

    @property
    def moved(self) -> bool:
        """A citation of the old article must move to the new label."""
        return self.old is not None and self.new is not None and self.old.label != self.new.label


@dataclass(frozen=True)
class Alignment:
    pairs: tuple[Pair, ...]  # in the new version's order; removed articles after the new article before them

    def count(self, kind: str) -> int:
        return sum(1 for pair in self.pairs if pair.kind == kind)

    def counts(self) -> dict[str, int]:
        return {f"articles_{kind}": self.count(kind) for kind in KINDS}

    def of_old(self) -> dict[str, Pair]:
        """Each old article's pair, by the old label."""
        return {pair.old.label: pair for pair in self.pairs if pair.old is not None}


def align(old: list[Article], new: list[Article], threshold: float = THRESHOLD,
          in_place: float = IN_PLACE) -> Alignment:
    """Classify every article of ``old`` and ``new`` (each list in the statute's order)."""
    old_norm = [normalise(a.text) for a in old]
    new_norm = [normalise(a.text) for a in new]
    match: dict[int, tuple[int, str, float]] = {}  # new index → (old index, kind, ratio)
    taken: set[int] = set()

    def pair(i: int, j: int, ratio: float) -> None:
        kind = CHANGED if ratio < 1.0 or old_norm[i] != new_norm[j] else (
            UNCHANGED if old[i].label == new[j].label else RENUMBERED)
        match[j] = (i, kind, ratio)
        taken.add(i)

    # 1. Same text: the same label first, then the nearest unmatched old article with that text.
    old_by_label = {a.label: i for i, a in enumerate(old)}
    for j, article in enumerate(new):
        i = old_by_label.get(article.label)
        if i is not None and old_norm[i] == new_norm[j]:
            pair(i, j, 1.0)
    by_text: dict[str, list[int]] = {}
    for i, text in enumerate(old_norm):
        if i not in taken:
            by_text.setdefault(text, []).append(i)
    for j in range(len(new)):
        same = [i for i in by_text.get(new_norm[j], []) if i not in taken] if j not in match else []
        if same:
            pair(min(same, key=lambda i: abs(i - j)), j, 1.0)

    # 2. In place: between two articles kept in order (step 1), the articles left of each version
    #    are paired in order where similar enough (``in_place``), as a reader compares the versions
    #    side by side; the order-keeping pairing with the greatest total similarity.
    anchors = _in_order(sorted((i, j) for j, (i, _, _) in match.items()))
    for olds, news in _gaps(anchors, len(old), len(new)):
        olds = [i for i in olds if i not in taken]
        news = [j for j in news if j not in match]
        for i, j, ratio in _best_in_order(olds, news, old_norm, new_norm, in_place):
            pair(i, j, ratio)

    # 3. Moved and amended: every remaining pair at least ``threshold`` alike, the most alike first.
    scored = []
    for j in (j for j in range(len(new)) if j not in match):
        for i in (i for i in range(len(old)) if i not in taken):
            ratio = _ratio(old_norm[i], new_norm[j], threshold)
            if ratio >= threshold:
                scored.append((-ratio, abs(i - j), i, j))
    for negative, _, i, j in sorted(scored):
        if i not in taken and j not in match:
            pair(i, j, -negative)

    # 4. The rest: added and removed; the diff in the new order, each removed article after the
    #    new article that follows its nearest matched predecessor.
    pairs: list[Pair] = []
    removed_after: dict[int, list[int]] = {}  # new index (-1: before all) → old indexes
    new_of_old = {i: j for j, (i, _, _) in match.items()}
    anchor = -1
    for i in range(len(old)):
        if i in new_of_old:
            anchor = new_of_old[i]
        else:
            removed_after.setdefault(anchor, []).append(i)
    pairs.extend(Pair(REMOVED, old[i], None, 0.0) for i in removed_after.get(-1, []))
    for j, article in enumerate(new):
        if j in match:
            i, kind, ratio = match[j]
            pairs.append(Pair(kind, old[i], article, ratio))
        else:
            pairs.append(Pair(ADDED, None, article, 0.0))
        pairs.extend(Pair(REMOVED, old[i], None, 0.0) for i in removed_after.get(j, []))
    return Alignment(tuple(pairs))


def _in_order(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest chain of (old, new) pairs increasing in both (pairs sorted by old index)."""
    best: list[list[tuple[int, int]]] = []
    for i, j in pairs:
        chains = [c for c in best if c[-1][1] < j]
        best.append([*max(chains, key=len, default=[]), (i, j)])
    return max(best, key=len, default=[])


def _gaps(anchors: list[tuple[int, int]], n_old: int, n_new: int):
    """The old and new indexes between consecutive anchors (and before the first, after the last)."""
    previous = (-1, -1)
    for i, j in [*anchors, (n_old, n_new)]:
        yield range(previous[0] + 1, i), range(previous[1] + 1, j)
        previous = (i, j)


def _best_in_order(olds: list[int], news: list[int], old_norm: list[str], new_norm: list[str],
                   floor: float) -> list[tuple[int, int, float]]:
    """Pairs (old, new, ratio) keeping both orders, each at least ``floor`` alike, that share the most
    text in all (like a diff: the weight of a pair is the number of characters the two have in common)."""
    if not olds or not news:
        return []
    ratio = {(a, b): _ratio(old_norm[i], new_norm[j], floor) for a, i in enumerate(olds) for b, j in enumerate(news)}
    shared = {(a, b): round(r * (len(old_norm[olds[a]]) + len(new_norm[news[b]])) / 2) if r >= floor else -1
              for (a, b), r in ratio.items()}
    rows, cols = len(olds), len(news)
    total = [[0] * (cols + 1) for _ in range(rows + 1)]
    for a in range(rows - 1, -1, -1):
        for b in range(cols - 1, -1, -1):
            w = shared[a, b]
            total[a][b] = max(total[a + 1][b], total[a][b + 1], w + total[a + 1][b + 1] if w >= 0 else 0)
    out, a, b = [], 0, 0
    while a < rows and b < cols:
        w = shared[a, b]
        if w >= 0 and total[a][b] == w + total[a + 1][b + 1]:
            out.append((olds[a], news[b], ratio[a, b]))
            a, b = a + 1, b + 1
        elif total[a][b] == total[a + 1][b]:
            a += 1
        else:
            b += 1
    return out


def _ratio(a: str, b: str, floor: float) -> float:
    """``similarity``, or 0 when the lengths alone (difflib's real_quick_ratio) show it is below ``floor``."""
    total = len(a) + len(b)
    if total and 2 * min(len(a), len(b)) / total < floor:
        return 0.0
    return similarity(a, b)
