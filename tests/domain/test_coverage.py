"""The coverage rule of issue 17 item 3: every violation code of the catalogue has at least two published
questions on its article; and the map of item 4 (per statute and article: questions, draws, facility)."""

import pytest

from eduapp.domain.coverage import (
    MIN_QUESTIONS,
    CatalogueEntry,
    QuestionFigures,
    Uncovered,
    coverage,
    facility,
    facility_flag,
)
from eduapp.domain.item_stats import TOO_EASY, TOO_HARD

AIR = "中华人民共和国大气污染防治法"
WATER = "中华人民共和国水污染防治法"
# 《大气污染防治法》第九十九条 punishes three kinds of violation (its items 一 to 三); 第九十八条 one.
CATALOGUE = [
    CatalogueEntry("AIR-98", AIR, "第九十八条"),
    CatalogueEntry("AIR-99-1", AIR, "第九十九条"),
    CatalogueEntry("AIR-99-2", AIR, "第九十九条"),
    CatalogueEntry("WATER-83-1", WATER, "第八十三条"),
]


def q(law=AIR, article="第九十九条", drawn=0, answers=0, right=0):
    return QuestionFigures(law, article, drawn, answers, right)


@pytest.mark.parametrize(
    ("questions", "uncovered"),
    [
        # nothing published: every code is uncovered, with 0 questions on its article
        ([], [("AIR-98", 0), ("AIR-99-1", 0), ("AIR-99-2", 0), ("WATER-83-1", 0)]),
        # one question is fewer than two
        ([q(article="第九十八条")], [("AIR-98", 1), ("AIR-99-1", 0), ("AIR-99-2", 0), ("WATER-83-1", 0)]),
        # two questions on 第九十九条 cover both of its codes at once
        ([q(), q()], [("AIR-98", 0), ("WATER-83-1", 0)]),
        # the same article label under another statute covers nothing here
        ([q(WATER, "第九十九条"), q(WATER, "第九十九条")],
         [("AIR-98", 0), ("AIR-99-1", 0), ("AIR-99-2", 0), ("WATER-83-1", 0)]),
        # blanks around a citation do not matter
        ([q(" " + WATER, "第八十三条 "), q(WATER, "第八十三条"), q(article="第九十八条"), q(article="第九十八条")],
         [("AIR-99-1", 0), ("AIR-99-2", 0)]),
        # everything covered
        ([q(), q(), q(article="第九十八条"), q(article="第九十八条"), q(WATER, "第八十三条"), q(WATER, "第八十三条")],
         []),
    ],
)
def test_every_catalogue_code_needs_two_published_questions_on_its_article(questions, uncovered):
    found = coverage(CATALOGUE, questions)
    assert [(u.code, u.questions) for u in found.uncovered] == uncovered
    assert found.catalogue_articles == 3
    assert found.articles_covered == 3 - len({(u.law, u.article) for u in found.uncovered})


def test_losing_a_question_uncovers_the_article_again():
    covered = [q(), q(), q(article="第九十八条"), q(article="第九十八条"), q(WATER, "第八十三条"), q(WATER, "第八十三条")]
    assert coverage(CATALOGUE, covered).uncovered == []
    found = coverage(CATALOGUE, covered[1:])
    assert found.uncovered == [Uncovered("AIR-99-1", AIR, "第九十九条", 1), Uncovered("AIR-99-2", AIR, "第九十九条", 1)]
    assert found.summary()["uncovered"][0] == {"code": "AIR-99-1", "law": AIR, "article": "第九十九条", "questions": 1}


def test_the_minimum_is_two_and_can_be_raised():
    assert MIN_QUESTIONS == 2
    assert [u.code for u in coverage(CATALOGUE[:1], [q(article="第九十八条")] * 2, min_questions=3).uncovered] == ["AIR-98"]


def test_the_map_lists_statutes_and_articles_in_order_with_their_figures():
    questions = [
        q(article="第一百条", drawn=4, answers=3, right=3),
        q(article="第九十九条", drawn=10, answers=8, right=2),
        q(article="第九十九条", drawn=5, answers=2, right=2),
        q(article="第十条之一"),
        q(article="第十条"),
        q(None, None, drawn=7),  # cites nothing: counted as published, on no article
        q(AIR, ""),
    ]
    found = coverage(CATALOGUE, questions)
    assert found.questions_published == 7 and found.uncited == 2
    assert [law.law for law in found.laws] == [AIR, WATER]
    air = found.laws[0]
    # by article number, 第十条之一 after 第十条; the catalogue's 第九十八条 listed with no question
    assert [(r.article, r.questions) for r in air.articles] == [
        ("第十条", 1), ("第十条之一", 1), ("第九十八条", 0), ("第九十九条", 2), ("第一百条", 1)]
    a99 = air.articles[3]
    assert (a99.drawn, a99.answers, a99.right, a99.facility) == (15, 10, 4, 40.0)
    assert a99.codes == ("AIR-99-1", "AIR-99-2") and a99.covered
    assert not air.articles[2].covered and air.articles[0].covered  # only catalogue articles can be uncovered
    assert (air.questions, air.drawn, air.answers, air.right) == (5, 19, 13, 7)
    assert [(r.article, r.questions, r.covered) for r in found.laws[1].articles] == [("第八十三条", 0, False)]


@pytest.mark.parametrize(
    ("answers", "right", "min_attempts", "value", "flag"),
    [
        (0, 0, 30, None, None),
        (29, 0, 30, 0.0, None),  # below the minimum sample: no flag, however bad
        (30, 5, 30, 16.7, TOO_HARD),  # below 20 % (item_stats.HARD_BELOW)
        (30, 6, 30, 20.0, None),
        (30, 27, 30, 90.0, None),
        (30, 28, 30, 93.3, TOO_EASY),  # above 90 % (item_stats.EASY_ABOVE)
        (3, 3, 1, 100.0, TOO_EASY),
    ],
)
def test_facility_is_flagged_only_from_the_minimum_sample(answers, right, min_attempts, value, flag):
    assert facility(answers, right) == value
    assert facility_flag(answers, right, min_attempts) == flag


def test_an_articles_flag_rests_on_its_questions_answers_together():
    found = coverage([], [q(answers=20, right=1), q(answers=10, right=1)], min_attempts=30)
    assert found.laws[0].articles[0].flag == TOO_HARD
    found = coverage([], [q(answers=20, right=1)], min_attempts=30)
    assert found.laws[0].articles[0].flag is None


def test_the_uncovered_articles_carry_their_codes_in_catalogue_order():
    found = coverage(CATALOGUE, [q(article="第九十八条")])
    assert [(r.article, r.codes, r.questions) for r in found.uncovered_articles()] == [
        ("第九十八条", ("AIR-98",), 1), ("第九十九条", ("AIR-99-1", "AIR-99-2"), 0), ("第八十三条", ("WATER-83-1",), 0)]
