"""The statute levels of the Legislation Law (《立法法》: 法律 titled …法, 法规 titled …条例) and the article
keys of the law library's API addresses."""

import pytest

from eduapp.domain.law_library import LAW, OTHER, REGULATION, article_key, level_of, parse_article_key


@pytest.mark.parametrize(("title", "level"), [
    ("中华人民共和国大气污染防治法", LAW),
    ("中华人民共和国民法典", LAW),
    ("排污许可管理条例", REGULATION),
    ("建设项目环境保护管理条例", REGULATION),
    ("某省生态环境保护条例 ", REGULATION),
    ("环境行政处罚办法", OTHER),
    ("关于加强生态环境执法的规定", OTHER),
])
def test_level_from_the_title(title, level):
    assert level_of(title) == level


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
