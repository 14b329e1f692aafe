"""The JSON API's read-only queries (eduapp/services/api_queries.py): an enterprise's roster as an
integrator pages and searches it (never another enterprise's people), who passed which exam, a
learner's own attempts, and the points a practice answer earned. Every moment is fixed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Attempt
from eduapp.services import accounts, api_queries, practice
from tests import factories

NOW = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


@pytest.fixture
def firms(ctx):
    a = factories.enterprise("甲企业", 1)
    b = factories.enterprise("乙企业", 2)
    people = {
        "contact_a": factories.user("contact-a", a, Role.ENTERPRISE_CONTACT, full_name="甲联系人"),
        "zhang": factories.user("zhang3", a, Role.ENTERPRISE_STAFF, full_name="张三", phone="13800001111"),
        "li": factories.user("li_si", a, Role.ENTERPRISE_STAFF, full_name="李四"),
        "wang": factories.user("wang5", a, Role.ENTERPRISE_STAFF, full_name="王五"),
        "contact_b": factories.user("contact-b", b, Role.ENTERPRISE_CONTACT, full_name="乙联系人"),
        "zhao": factories.user("zhao6", b, Role.ENTERPRISE_STAFF, full_name="张六", phone="13800002222"),
    }
    accounts.set_active(people["contact_a"], people["wang"], False)  # left the firm
    return {"a": a, "b": b, **people}


def _names(people) -> list[str]:
    return [p.full_name for p in people]


def test_the_roster_is_the_enterprises_own_by_name(firms):
    items, total = api_queries.roster_page(firms["contact_a"])
    assert total == 4 and sorted(_names(items)) == sorted(["甲联系人", "张三", "李四", "王五"])
    assert _names(items) == sorted(_names(items))  # by name: the same order on every page
    theirs, _ = api_queries.roster_page(firms["contact_b"])
    assert _names(theirs) == sorted(["乙联系人", "张六"])


def test_a_search_never_finds_another_enterprises_people(firms):
    items, total = api_queries.roster_page(firms["contact_a"], q="张")
    assert (total, _names(items)) == (1, ["张三"])  # not 乙's 张六
    assert api_queries.roster_page(firms["contact_a"], q="zhao6") == ([], 0)
    assert api_queries.roster_page(firms["contact_a"], q="13800002222") == ([], 0)


@pytest.mark.parametrize(("typed", "found"), [
    ("ｚｈａｎｇ３", ["张三"]),  # a username typed full-width
    ("ZHANG", ["张三"]),  # in capitals
    ("+86 138-0000-1111", ["张三"]),  # a phone number as people write it
    ("  李四 ", ["李四"]),
    ("_", ["李四"]),  # an underscore is a character, not a wildcard: only li_si
    ("%", []),
])
def test_the_roster_search_finds_what_was_typed(firms, typed, found):
    items, total = api_queries.roster_page(firms["contact_a"], q=typed)
    assert (total, _names(items)) == (len(found), found)


def test_the_roster_filters_by_active_and_pages(firms):
    inactive, total = api_queries.roster_page(firms["contact_a"], active=False)
    assert (total, _names(inactive)) == (1, ["王五"])
    assert api_queries.roster_page(firms["contact_a"], active=True)[1] == 3
    pages = [api_queries.roster_page(firms["contact_a"], page=n, per_page=3) for n in (1, 2, 3)]
    assert [len(items) for items, _ in pages] == [3, 1, 0] and {total for _, total in pages} == {4}
    everyone = [p.id for items, _ in pages for p in items]
    assert len(set(everyone)) == 4  # no one twice, no one left out


def test_one_member_of_another_enterprise_is_not_found(firms):
    assert api_queries.roster_member(firms["contact_a"], firms["zhang"].id).full_name == "张三"
    assert api_queries.roster_member(firms["contact_a"], firms["zhao"].id) is None
    assert api_queries.roster_member(firms["contact_a"], 999_999) is None


def _attempt(user, exam, number, *, score, passed, at, annulled=False):
    attempt = Attempt(exam_id=exam.id, user_id=user.id, number=number, state="finished", started_at=at,
                      deadline=at + timedelta(hours=1), submitted_at=at + timedelta(minutes=20),
                      finished_by="candidate", score=score, max_score=2000, passed=passed,
                      annulled_at=at + timedelta(days=1) if annulled else None)
    db.session.add(attempt)
    db.session.commit()
    return attempt


@pytest.fixture
def exams(firms):
    factories.bank()
    first = factories.exam(title="年度学法考试", open_at=NOW - timedelta(days=30), close_at=NOW + timedelta(days=30))
    second = factories.exam(title="新法速递", open_at=NOW - timedelta(days=30), close_at=NOW + timedelta(days=30))
    return first, second


def test_passes_count_the_best_score_from_the_first_pass_and_not_annulled_ones(firms, exams):
    first, second = exams
    zhang, li = firms["zhang"], firms["li"]
    _attempt(zhang, first, 1, score=1000, passed=False, at=NOW - timedelta(days=10))
    _attempt(zhang, first, 2, score=1400, passed=True, at=NOW - timedelta(days=5))
    _attempt(zhang, first, 3, score=1800, passed=True, at=NOW - timedelta(days=2))
    _attempt(zhang, second, 1, score=1600, passed=True, at=NOW - timedelta(days=8))
    _attempt(li, first, 1, score=2000, passed=True, at=NOW - timedelta(days=1), annulled=True)  # cheated
    found = api_queries.passes_of([zhang.id, li.id, firms["wang"].id])
    assert set(found) == {zhang.id}  # li's only pass was annulled; wang never sat
    passes = found[zhang.id]
    assert [(p.exam_title, p.best_score) for p in passes] == [("新法速递", 1600), ("年度学法考试", 1800)]  # earliest first
    assert passes[1].first_passed_at.replace(tzinfo=UTC) == NOW - timedelta(days=5, minutes=-20)
    assert api_queries.passes_of([]) == {}


def test_a_learner_pages_only_their_own_attempts_latest_first(firms, exams):
    first, second = exams
    zhang = firms["zhang"]
    made = [_attempt(zhang, first, 1, score=1000, passed=False, at=NOW - timedelta(days=3)),
            _attempt(zhang, second, 1, score=1500, passed=True, at=NOW - timedelta(days=2)),
            _attempt(zhang, first, 2, score=1500, passed=True, at=NOW - timedelta(days=1))]
    _attempt(firms["li"], first, 1, score=2000, passed=True, at=NOW)
    items, total = api_queries.attempts_page(zhang)
    assert total == 3 and [a.id for a in items] == [a.id for a in reversed(made)]
    only_first, total = api_queries.attempts_page(zhang, exam_id=first.id)
    assert total == 2 and {a.exam_id for a in only_first} == {first.id}
    assert api_queries.attempts_page(zhang, state="in_progress") == ([], 0)
    page_two, total = api_queries.attempts_page(zhang, page=2, per_page=2)
    assert total == 3 and [a.id for a in page_two] == [made[0].id]


def test_practice_points_are_those_of_the_latest_answer(firms):
    question = factories.question()
    zhang = firms["zhang"]
    ask = (str(question.id), str(question.current_version_id))
    assert api_queries.practice_points(zhang, question.id) == 0  # not answered yet
    practice.answer(zhang, *ask, ["1"], now=NOW)  # wrong
    assert api_queries.practice_points(zhang, question.id) == 0
    practice.answer(zhang, *ask, ["0"], now=NOW + timedelta(minutes=1))  # right: a practice point
    assert api_queries.practice_points(zhang, question.id) == 1
    assert api_queries.practice_points(firms["li"], question.id) == 0  # someone else's answer is not theirs
