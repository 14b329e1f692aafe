"""domain.law_amendments: aligning two versions of a statute article by article (docs/laws.md
“Amendments and repeals”), on small tables and on the 野生动物保护法 2018 → 2022 in ../shared/laws-history.

How the expected counts of the 野生动物保护法 were decided (by reading both texts side by side, not by
running the code):

- 2018 has 58 articles, 2022 has 64. Every 2018 article has a successor in 2022: the revision rewrote
  and moved articles but took none out (the 2018 §16 on 疫源疫病监测 became the 2022 §16 pointing to the
  动物防疫法; the 2018 §56 on confiscated goods became the 2022 §61 on 罚没的野生动物), so **0 removed**.
- The 2022 articles with no predecessor, read one by one: §27 (人工繁育 safety and liability), §36
  (the departments' inspection powers), §38 (遗传资源 not to be given abroad), §50 (the penalty for
  hunting to eat, new with §31(2)), §57 (the penalty for §38), §63 (public-interest litigation):
  **6 added**; 58 + 6 = 64.
- Word for word the same under another number: 2018 §31 → 2022 §32 (advertising ban), §43 → §46
  (“依照有关法律法规的规定处罚”), §50 → §54 (the advertising penalty, whose only difference is the
  article it cites, §31 → §32, i.e. the renumbering itself): **3 renumbered**.
- Word for word the same under the same number: §3, §5, §17, §21: **4 unchanged**.
- The other 58 − 3 − 4 = **51 changed** (even a dropped 其 in §2: “及其衍生物” → “及衍生物”).

Articles checked one by one are in ``SAMPLE``.
"""

from pathlib import Path

import pytest

from eduapp.domain.law_amendments import (
    ADDED,
    CHANGED,
    REMOVED,
    RENUMBERED,
    UNCHANGED,
    Article,
    align,
    normalise,
)
from eduapp.domain.laws import parse_law

HISTORY = Path(__file__).resolve().parents[3] / "shared" / "laws-history"


def _articles(pairs):
    return [Article(label, text) for label, text in pairs]


@pytest.mark.parametrize(("a", "b"), [
    ("违反本法第三十一条规定，为出售发布广告的", "违反本法第三十二条规定，为出售发布广告的"),  # a renumbered reference
    ("禁止猎捕、杀害。", "禁止猎捕，杀害."),  # punctuation width
    ("禁止猎捕 杀害\n\n国家保护。", "禁止猎捕杀害国家保护。"),  # whitespace and paragraph breaks
    ("第二十条之一 ＡＢＣ１２３", "第二十一条 ABC123"),  # full-width letters and digits, 条之一
])
def test_normalise_ignores_what_is_not_the_rule(a, b):
    assert normalise(a) == normalise(b)


def test_normalise_keeps_paragraph_references_and_words():
    assert normalise("前款规定") != normalise("第二款规定")
    assert normalise("及其衍生物") != normalise("及衍生物")


# Rule tables: (old articles, new articles, expected (kind, old label, new label) in the new order).
LONG_A = "县级以上人民政府野生动物保护主管部门应当组织开展野生动物及其栖息地状况的调查、监测和评估，建立健全野生动物及其栖息地档案。"
LONG_A2 = "县级以上人民政府野生动物保护主管部门应当定期组织或者委托有关科学研究机构开展野生动物及其栖息地状况的调查、监测和评估，建立健全野生动物及其栖息地档案。"
LONG_B = "禁止为出售、购买、利用野生动物或者禁止使用的猎捕工具发布广告。"
LONG_C = "任何组织和个人都有保护野生动物及其栖息地的义务。"
NEW_D = "禁止向境外机构或者人员提供我国特有的野生动物遗传资源。"

TABLE = [
    # an article inserted before others: they are renumbered, not changed
    ([("第一条", LONG_C), ("第二条", LONG_B)], [("第一条", LONG_C), ("第二条", NEW_D), ("第三条", LONG_B)],
     [(UNCHANGED, "第一条", "第一条"), (ADDED, None, "第二条"), (RENUMBERED, "第二条", "第三条")]),
    # an article deleted: the next one moves up
    ([("第一条", LONG_C), ("第二条", NEW_D), ("第三条", LONG_B)], [("第一条", LONG_C), ("第二条", LONG_B)],
     [(UNCHANGED, "第一条", "第一条"), (REMOVED, "第二条", None), (RENUMBERED, "第三条", "第二条")]),
    # an article amended in place (words added) is changed, not removed and added
    ([("第一条", LONG_A), ("第二条", LONG_B)], [("第一条", LONG_A2), ("第二条", LONG_B)],
     [(CHANGED, "第一条", "第一条"), (UNCHANGED, "第二条", "第二条")]),
    # amended and moved by an insertion before it
    ([("第一条", LONG_A), ("第二条", LONG_B)], [("第一条", NEW_D), ("第二条", LONG_A2), ("第三条", LONG_B)],
     [(ADDED, None, "第一条"), (CHANGED, "第一条", "第二条"), (RENUMBERED, "第二条", "第三条")]),
    # an article replaced by an unrelated one: removed and added
    ([("第一条", LONG_B)], [("第一条", NEW_D)], [(REMOVED, "第一条", None), (ADDED, None, "第一条")]),
    # two articles swapped: both renumbered (same text, other number)
    ([("第一条", LONG_B), ("第二条", LONG_C)], [("第一条", LONG_C), ("第二条", LONG_B)],
     [(RENUMBERED, "第二条", "第一条"), (RENUMBERED, "第一条", "第二条")]),
]


@pytest.mark.parametrize(("old", "new", "expected"), TABLE)
def test_alignment_rules(old, new, expected):
    result = align(_articles(old), _articles(new))
    assert [(p.kind, p.old and p.old.label, p.new and p.new.label) for p in result.pairs] == expected


def test_each_article_is_in_exactly_one_pair():
    old = _articles([("第一条", LONG_A), ("第二条", LONG_A2), ("第三条", LONG_B)])
    new = _articles([("第一条", LONG_A2)])
    result = align(old, new)
    assert sorted(p.old.label for p in result.pairs if p.old) == ["第一条", "第三条", "第二条"]
    assert [p.new.label for p in result.pairs if p.new] == ["第一条"]
    assert result.count(UNCHANGED) == 0 and result.count(RENUMBERED) == 1  # the identical text wins


# --- the 野生动物保护法, 2018 → 2022 -----------------------------------------------------------------


def _version(year: int) -> list[Article]:
    doc, problems = parse_law((HISTORY / f"wildlife-protection-law-{year}.md").read_text(encoding="utf-8"),
                              f"wildlife-{year}")
    assert not problems
    return [Article(a.label, a.text) for a in doc.articles]


@pytest.fixture(scope="module")
def wildlife():
    if not HISTORY.is_dir():
        pytest.skip("../shared/laws-history is not here")
    return align(_version(2018), _version(2022))


def test_wildlife_counts_as_read_by_hand(wildlife):
    assert wildlife.counts() == {"articles_unchanged": 4, "articles_renumbered": 3, "articles_changed": 51,
                                 "articles_added": 6, "articles_removed": 0}


SAMPLE = [
    # (2018 label, kind, 2022 label): why
    ("第三条", UNCHANGED, "第三条"),  # 野生动物资源属于国家所有, word for word
    ("第十七条", UNCHANGED, "第十七条"),  # 遗传资源 and 基因库, word for word
    ("第三十一条", RENUMBERED, "第三十二条"),  # the advertising ban, word for word; §27 was inserted before
    ("第四十三条", RENUMBERED, "第四十六条"),
    ("第五十条", RENUMBERED, "第五十四条"),  # the same but for “第三十一条” → “第三十二条”, the renumbering
    ("第二条", CHANGED, "第二条"),  # 及其衍生物 → 及衍生物
    ("第十六条", CHANGED, "第十六条"),  # 疫源疫病 now left to the 动物防疫法: rewritten in its place
    ("第二十三条", CHANGED, "第二十三条"),  # 严格按照 …, 备案 and who may hunt added; 持枪证 kept
    ("第三十条", CHANGED, "第三十一条"),  # the food ban widened to eating itself
    ("第四十五条", CHANGED, "第四十八条"),  # hunting key species: the fines raised, the acts listed
    ("第四十六条", CHANGED, "第四十九条"),  # hunting other species (狩猎证), not §50 on hunting to eat
    ("第五十六条", CHANGED, "第六十一条"),  # what is confiscated is dealt with by the departments
]


@pytest.mark.parametrize(("old", "kind", "new"), SAMPLE)
def test_wildlife_sample_as_read_by_hand(wildlife, old, kind, new):
    pair = wildlife.of_old()[old]
    assert (pair.kind, pair.new.label) == (kind, new)


@pytest.mark.parametrize("label", ["第二十七条", "第三十六条", "第三十八条", "第五十条", "第五十七条", "第六十三条"])
def test_wildlife_new_articles_are_added(wildlife, label):
    [pair] = [p for p in wildlife.pairs if p.new and p.new.label == label]
    assert pair.kind == ADDED and pair.old is None
