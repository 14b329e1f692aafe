"""The statute levels of the Legislation Law (《立法法》: 法律, 行政法规, 省级地方性法规, 设区的市地方性法规),
read from a folder's INDEX.tsv or inferred from the title, and the article keys of the law library's API
addresses."""

import pytest

from eduapp.domain.law_library import (
    ADMINISTRATIVE,
    LAW,
    MUNICIPAL,
    OTHER,
    PROVINCIAL,
    article_key,
    index_levels,
    level_of,
    parse_article_key,
)


@pytest.mark.parametrize(("title", "level"), [
    # 立法法 第七条: laws of the NPC and its Standing Committee are titled …法
    ("中华人民共和国大气污染防治法", LAW),
    ("中华人民共和国民法典", LAW),
    # 第七十二条: the State Council's administrative regulations, …条例 without a place
    ("排污许可管理条例", ADMINISTRATIVE),
    ("建设项目环境保护管理条例", ADMINISTRATIVE),
    ("中华人民共和国政府信息公开条例", ADMINISTRATIVE),
    ("城市市容和环境卫生管理条例", ADMINISTRATIVE),  # 城市 is no city's name
    # 第八十条: provinces, autonomous regions and municipalities directly under the central government
    ("浙江省大气污染防治条例", PROVINCIAL),
    ("河北省生态环境保护条例 ", PROVINCIAL),
    ("广西壮族自治区环境保护条例", PROVINCIAL),
    ("上海市环境保护条例", PROVINCIAL),
    # 第八十一条: cities divided into districts
    ("杭州市生活饮用水源保护条例", MUNICIPAL),
    ("宁波市大气污染防治条例", MUNICIPAL),
    # rules (规章) and anything else: the title cannot tell, INDEX.tsv may
    ("环境行政处罚办法", OTHER),
    ("关于加强生态环境执法的规定", OTHER),
    ("杭州市大气污染防治规定", OTHER),
])
def test_level_from_the_title(title, level):
    assert level_of(title) == level


LOCAL_INDEX = (
    "file\ttitle\tversion\tlevel\tarticles\n"
    "zhejiang-air-pollution-regulation.md\t浙江省大气污染防治条例\t2020-11-27 修正\t省级地方性法规\t71\n"
    "hangzhou-air-pollution-provisions.md\t杭州市大气污染防治规定\t2016-08-04\t设区的市地方性法规\t40\n"
    "\n"
    "x-regulation.md\t某条例\t\tadministrative_regulation\t1\n"
)


def test_the_level_column_of_an_index():
    found = index_levels(LOCAL_INDEX)
    assert found.problems == []
    assert found.levels == {"zhejiang-air-pollution-regulation.md": PROVINCIAL,
                            "hangzhou-air-pollution-provisions.md": MUNICIPAL,
                            "x-regulation.md": ADMINISTRATIVE}


def test_an_index_without_a_level_column_gives_no_levels():
    national = "file\ttitle\tversion\tarticles\nair-pollution-law.md\t中华人民共和国大气污染防治法\t2018-10-26 修正\t129\n"
    assert index_levels(national).levels == {} and index_levels(national).problems == []
    assert index_levels("").levels == {}


def test_an_unknown_level_is_named_with_its_line():
    found = index_levels("\ufefffile\tlevel\na.md\t法律\nb.md\t部门规章\n")
    assert found.levels == {"a.md": LAW}
    [problem] = found.problems
    assert (problem.field, problem.row, problem.params) == ("INDEX.tsv", 3, {"level": "部门规章", "file": "b.md"})
    assert index_levels("title\tlevel\nx\t法律\n").problems[0].row == 1  # a level column needs a file column


@pytest.mark.parametrize(("label", "key"), [
    ("第一条", "1"), ("第九十九条", "99"), ("第一百二十九条", "129"), ("第二十条之一", "20-1"),
    ("附则", "附则"),  # not an article number: the label stands for itself
])
def test_article_keys(label, key):
    assert article_key(label) == key


@pytest.mark.parametrize(("key", "parsed"), [
    ("99", (99, 0)), ("20-1", (20, 1)), ("1", (1, 0)),
    ("", None), ("a99", None), ("99-", None), ("-1", None), ("12345", None), ("²", None), ("第九十九条", None),
    ("99 ", None), ("٩٩", None),
])
def test_parsing_article_keys(key, parsed):
    assert parse_article_key(key) == parsed
