"""The bank covers what an officer and an enterprise must know (issue 17 item 3): every violation code of
the catalogue has at least two published questions on its article, and so do the articles the issue names;
the bank holds at least 650 published questions. Fails when a catalogue code loses its questions."""

from pathlib import Path

import pytest

from eduapp.domain import coverage as rules
from eduapp.domain.formats import yaml_format
from eduapp.services.cases import read_catalogue

BANK = Path(__file__).resolve().parent.parent / "question_bank"

# (statute, article): the articles issue 17 names, with none or one question before it.
NAMED = {
    "中华人民共和国水污染防治法": ("第八十三条", "第十条", "第二十二条", "第三十九条"),
    "中华人民共和国大气污染防治法": ("第一百零八条", "第一百一十七条", "第一百二十条", "第四十五条", "第四十八条"),
    "中华人民共和国固体废物污染环境防治法": ("第一百零四条", "第七十九条", "第八十条", "第八十二条"),
    "排污许可管理条例": ("第三十四条", "第二十二条", "第十七条"),
    "中华人民共和国行政处罚法": ("第四十条", "第四十一条", "第四十七条", "第二十九条"),
    "中华人民共和国行政强制法": ("第四十五条", "第四十六条"),
    "中华人民共和国噪声污染防治法": ("第七十一条", "第七十六条"),
    "中华人民共和国环境保护法": ("第六十一条",),
}


@pytest.fixture(scope="module")
def published() -> list[rules.QuestionFigures]:
    found = []
    for path in sorted(BANK.glob("*.yaml")):
        result = yaml_format.parse(path.read_bytes(), filename=path.name)
        assert result.problems == [], (path.name, result.problems)
        found += [rules.QuestionFigures(q.law, q.article) for q in result.questions if q.status == "published"]
    return found


def _count(published, law: str, article: str) -> int:
    return sum(1 for q in published if (q.law, q.article) == (law, article))


def test_every_catalogue_code_has_two_published_questions_on_its_article(published):
    catalogue = [rules.CatalogueEntry(r.code, r.law, r.article) for r in read_catalogue() if r.active]
    found = rules.coverage(catalogue, published, rules.MIN_QUESTIONS, rules.MIN_ATTEMPTS)
    assert [(u.code, u.article, u.questions) for u in found.uncovered] == []
    assert found.articles_covered == found.catalogue_articles > 30


@pytest.mark.parametrize(("law", "article"), [(law, a) for law, articles in NAMED.items() for a in articles])
def test_the_articles_the_issue_names_have_two_questions_each(published, law, article):
    assert _count(published, law, article) >= 2


def test_the_bank_holds_at_least_650_published_questions(published):
    assert len(published) >= 650
