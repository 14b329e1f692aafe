import csv
from pathlib import Path

import pytest

from eduapp.domain.laws import (
    article_anchor,
    chinese_to_int,
    group_by_chapter,
    int_to_chinese,
    parse_label,
    parse_law,
    search_terms,
    snippet,
    version_of,
)

# The statutes live next to the repository: <repo>/../shared/laws
LAWS_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "laws"


@pytest.mark.parametrize(
    ("numeral", "number"),
    [
        ("一", 1),
        ("九", 9),
        ("十", 10),
        ("十一", 11),
        ("一十一", 11),
        ("十九", 19),
        ("二十", 20),
        ("二十一", 21),
        ("九十九", 99),
        ("一百", 100),
        ("一百零五", 105),
        ("一百〇五", 105),
        ("一百一十", 110),
        ("一百一十一", 111),
        ("一百二十九", 129),
        ("两百", 200),
        ("一千", 1000),
        ("一千零一", 1001),
        ("一千零一十", 1010),
        ("一千二百零三", 1203),
    ],
)
def test_chinese_numerals(numeral, number):
    assert chinese_to_int(numeral) == number


@pytest.mark.parametrize("bad", ["", "零", "十十", "一百五", "百", "一二", "一百零零五", "九十九九", "99", "第一"])
def test_malformed_numerals_are_refused(bad):
    with pytest.raises(ValueError):
        chinese_to_int(bad)


def test_numerals_round_trip():
    for n in range(1, 2000):
        assert chinese_to_int(int_to_chinese(n)) == n
    assert int_to_chinese(105) == "一百零五" and int_to_chinese(110) == "一百一十" and int_to_chinese(10) == "十"


def test_labels_and_anchors():
    assert parse_label("第一百二十九条") == (129, 0)
    assert parse_label("第二十条之一") == (20, 1)
    assert article_anchor("第九十九条") == "a99"
    assert article_anchor("第二十条之一") == "a20-1"
    with pytest.raises(ValueError):
        parse_label("99条")


STATUTE = """\
# 中华人民共和国示例法

2000年1月1日 第九届全国人民代表大会常务委员会第一次会议通过

2010年6月30日 第十一届全国人民代表大会常务委员会第五次会议《关于修改〈中华人民共和国示例法〉的决定》修正\u3000

<!-- INFO END -->

\u200b

## 第一章　总　　则

第一条 为了示例，制定本法。

第二条　本法所称示例，是指：

（一）第一项；

(二)第二项。

前款规定以外的，不适用本法。

## 第二章 分则

### 第一节 一般规定

第三条 第三条的文字。

第三条之一 后来插入的条文。

### 第二节 特别规定

第四条 特别规定。

## 第三章 附则

第五条 本法自公布之日起施行。
"""


def test_parses_title_history_chapters_sections_and_paragraphs():
    doc, problems = parse_law(STATUTE, "example-law")
    assert problems == []
    assert doc.slug == "example-law" and doc.title == "中华人民共和国示例法"
    assert doc.history.splitlines() == [
        "2000年1月1日 第九届全国人民代表大会常务委员会第一次会议通过",
        "2010年6月30日 第十一届全国人民代表大会常务委员会第五次会议《关于修改〈中华人民共和国示例法〉的决定》修正",
    ]
    assert [a.label for a in doc.articles] == ["第一条", "第二条", "第三条", "第三条之一", "第四条", "第五条"]
    assert [a.number for a in doc.articles] == [1, 2, 3, 3, 4, 5]
    assert [a.position for a in doc.articles] == [1, 2, 3, 4, 5, 6]
    first, second, third, inserted, fourth, fifth = doc.articles
    assert first.chapter == "第一章 总则" and first.section is None and first.text == "为了示例，制定本法。"
    assert second.text == "本法所称示例，是指：\n\n（一）第一项；\n\n(二)第二项。\n\n前款规定以外的，不适用本法。"
    assert len(second.paragraphs) == 4
    assert (third.chapter, third.section) == ("第二章 分则", "第一节 一般规定")
    assert inserted.section == "第一节 一般规定"
    assert fourth.section == "第二节 特别规定"
    assert (fifth.chapter, fifth.section) == ("第三章 附则", None)  # a new chapter ends the section
    assert fifth.line == STATUTE.splitlines().index("第五条 本法自公布之日起施行。") + 1


def test_statute_without_chapters_or_info_marker():
    doc, problems = parse_law("# 某某条例\n\n2001年2月3日 国务院令第1号公布\n\n第一条 一。\n\n第二条 二。\n", "rule")
    assert problems == []
    assert doc.history == "2001年2月3日 国务院令第1号公布"
    assert [(a.label, a.chapter, a.section) for a in doc.articles] == [("第一条", None, None), ("第二条", None, None)]


def test_table_of_contents_is_skipped():
    text = "# 某法\n<!-- INFO END -->\n目  录\n第一章 总则\n第二章 附则\n\n## 第一章 总则\n第一条 一。\n## 第二章 附则\n第二条 二。\n"
    doc, problems = parse_law(text, "toc")
    assert problems == []
    assert [(a.label, a.chapter) for a in doc.articles] == [("第一条", "第一章 总则"), ("第二条", "第二章 附则")]


def test_bare_chapter_lines_are_headings_but_sentences_are_not():
    text = "# 某法\n<!-- INFO END -->\n第一章　总则\n第一条 一。\n第二章规定的事项，依照本法。\n"
    doc, problems = parse_law(text, "bare")
    assert problems == []
    assert doc.articles[0].chapter == "第一章 总则"
    assert doc.articles[0].paragraphs == ["一。", "第二章规定的事项，依照本法。"]


def test_appendix_after_the_articles_belongs_to_no_article():
    text = "# 某税法\n<!-- INFO END -->\n## 第一章 总则\n第一条 一。\n\n附表一\n\n税目税额表\n\n## 一、第一类\n"
    doc, problems = parse_law(text, "tax")
    assert problems == []
    assert doc.articles[0].text == "一。"
    assert doc.appendix.startswith("附表一") and "第一类" in doc.appendix


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("第一条 没有标题。\n", 1, "title"),
        ("\n\n## 第一章 总则\n第一条 一。\n", 3, "title"),
        ("# 某法\n<!-- INFO END -->\n没有条文的文字。\n", 3, "no article"),
        ("# 某法\n<!-- INFO END -->\n", 1, "No articles"),
        ("# 某法\n第一条 一。\n\n第一条 又一。\n", 4, "appears twice"),
        ("# 某法\n第十十条 一。\n", 2, "well-formed"),
        ("# 某法\n第一条\n## 第一章 总则\n", 2, "no text"),
    ],
)
def test_problems_name_their_line(text, line, fragment):
    doc, problems = parse_law(text, "bad")
    assert doc is None
    assert any(p.row == line and fragment.lower() in (p.msgid % p.params).lower() for p in problems), problems


def test_duplicate_names_the_first_occurrence():
    _, problems = parse_law("# 某法\n第一条 一。\n第二条 二。\n第一条 三。\n", "dup")
    assert [(p.row, p.params) for p in problems] == [(4, {"label": "第一条", "first": 2})]


def test_reserved_file_name_is_refused():
    _, problems = parse_law("# 某法\n第一条 一。\n", "search")
    assert problems and problems[0].params["name"] == "search"


def test_version_of_history():
    assert version_of("1987年9月5日 …通过\n2018年10月26日 …《关于修改〈…〉的决定》第二次修正") == "2018-10-26 修正"
    assert (
        version_of("2007年4月5日 国务院令第492号公布\n2019年4月3日 国务院令第711号修订\n2019年5月15日 施行")
        == "2019-04-03 修订, 2019-05-15 施行"
    )
    # a closing bracket or full stop after the event (the 野生动物保护法 2022 text ends “第二次修订）”)
    assert version_of("2018年10月26日 …第三次修正\n2022年12月30日 …第二次修订）") == "2022-12-30 修订"
    assert version_of("") == ""
    assert version_of("某年 不规则的一行") == "某年 不规则的一行"


def test_group_by_chapter_gives_anchors():
    doc, _ = parse_law(STATUTE, "example-law")
    groups = group_by_chapter(doc.articles)
    assert [(c.title, c.anchor) for c in groups] == [
        ("第一章 总则", "c1"),
        ("第二章 分则", "c2"),
        ("第三章 附则", "c3"),
    ]
    assert [(s.title, s.anchor, len(s.articles)) for s in groups[1].sections] == [
        ("第一节 一般规定", "c2-s1", 2),
        ("第二节 特别规定", "c2-s2", 1),
    ]


def test_snippet_and_terms():
    text = "为了防治大气污染，保护和改善生活环境，保障公众健康，推进生态文明建设，促进经济社会可持续发展，制定本法。"
    s = snippet(text, ["公众健康"], width=5)
    assert (s.before, s.match, s.after) == ("…环境，保障", "公众健康", "，推进生态…")
    assert snippet("ABC pH 值", ["ph"]).match == "pH"
    assert snippet(text, ["没有"], width=5).match == ""
    assert search_terms("  大气　罚款 大气 ") == ["大气", "罚款"]


def _index():
    with (LAWS_DIR / "INDEX.tsv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.mark.skipif(not LAWS_DIR.is_dir(), reason="the shared statutes folder (../shared/laws) is absent")
def test_every_shared_statute_parses_with_the_indexed_article_count():
    rows = _index()
    files = sorted(p.name for p in LAWS_DIR.glob("*.md"))
    assert sorted(r["file"] for r in rows) == files
    for row in rows:
        path = LAWS_DIR / row["file"]
        doc, problems = parse_law(path.read_text(encoding="utf-8"), path.stem)
        assert problems == [], (row["file"], problems)
        assert doc.title == row["title"], row["file"]
        assert len(doc.articles) == int(row["articles"]), row["file"]
        # Numbered 1…n without gaps, each with text, and every article under a chapter.
        assert [a.number for a in doc.articles] == list(range(1, len(doc.articles) + 1)), row["file"]
        assert all(a.text and a.chapter for a in doc.articles), row["file"]
        assert doc.history, row["file"]
