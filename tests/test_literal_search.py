"""Every search box takes what is typed literally: "50%" finds 50%, not 500; "a_b" finds a_b, not axb
(services.search.contains, the one helper the pages and the API search through)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Attempt, User
from eduapp.services import api_queries, search
from eduapp.services.question_import import import_files
from tests import factories

# (typed, found, not found): each pair of names differs only where the typed text has a wildcard
CASES = [
    ("50%", "达标率50%", "达标率500"),
    ("a_b", "王a_b", "王axb"),
    ("c/d", "李c/d", "李cxd"),
    ("e\\f", "赵e\\f", "赵exf"),
]
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in China: the attempts' day


def _like_regex(like: str) -> str:
    """A LIKE pattern with ESCAPE search.ESCAPE, as a regular expression (how the database reads it)."""
    out, chars = [], iter(like)
    for c in chars:
        if c == search.ESCAPE:
            out.append(re.escape(next(chars)))
        else:
            out.append({"%": ".*", "_": "."}.get(c, re.escape(c)))
    return "".join(out)


@pytest.mark.parametrize(("typed", "literal", "lookalike"), CASES)
def test_the_pattern_matches_only_the_literal_text(typed, literal, lookalike):
    regex = _like_regex(search.pattern(typed))
    assert re.fullmatch(regex, literal) and not re.fullmatch(regex, lookalike)


@pytest.fixture
def people(ctx):
    firm = factories.enterprise("甲企业", 1)
    factories.user("contact-a", firm, Role.ENTERPRISE_CONTACT)
    for n, (_, literal, lookalike) in enumerate(CASES):
        factories.user(f"lit{n}", firm, Role.ENTERPRISE_STAFF, full_name=literal)
        factories.user(f"look{n}", firm, Role.ENTERPRISE_STAFF, full_name=lookalike)
    return firm


@pytest.mark.parametrize(("typed", "literal", "lookalike"), CASES)
def test_the_roster_page_and_the_api_find_only_the_literal(client, auth, people, typed, literal, lookalike):
    auth.login("contact-a")
    page = client.get("/roster/", query_string={"q": typed}).get_data(as_text=True)
    assert literal in page and lookalike not in page
    contact = db.session.execute(db.select(User).filter_by(username="contact-a")).scalar_one()
    found, total = api_queries.roster_page(contact, typed)
    assert [u.full_name for u in found] == [literal] and total == 1


@pytest.mark.parametrize(("typed", "literal", "lookalike"), CASES)
def test_the_users_page_finds_only_the_literal(client, auth, people, typed, literal, lookalike):
    factories.user("admin", factories.unit("生态环境局"), Role.SYSADMIN)
    auth.login("admin")
    page = client.get("/admin/users", query_string={"q": typed}).get_data(as_text=True)
    assert literal in page and lookalike not in page


def test_the_enterprises_page_finds_only_the_literal(client, auth, ctx):
    factories.enterprise("达标率50%公司", 1)
    factories.enterprise("达标率500公司", 2)
    factories.user("editor", factories.unit("生态环境局"), Role.QUESTION_EDITOR)
    auth.login("editor")
    page = client.get("/orgs/", query_string={"q": "50%"}).get_data(as_text=True)
    assert "达标率50%公司" in page and "达标率500公司" not in page


def test_the_question_bank_finds_only_the_literal(client, auth, ctx):
    text = """law: 中华人民共和国行政处罚法
questions:
  - id: lit-1
    type: true_false
    stem: "达标率50%即合格"
    answer: true
  - id: look-1
    type: true_false
    stem: "达标率500即合格"
    answer: true
  - id: lit-2
    type: true_false
    stem: "字段a_b应当填写"
    answer: true
  - id: look-2
    type: true_false
    stem: "字段axb应当填写"
    answer: true
"""
    assert import_files([("lit.yaml", text.encode())]).written
    factories.user("editor", factories.unit("生态环境局"), Role.QUESTION_EDITOR)
    auth.login("editor")
    for typed, found, not_found in (("50%", "lit-1", "look-1"), ("a_b", "lit-2", "look-2")):
        page = client.get("/questions/", query_string={"q": typed}).get_data(as_text=True)
        assert found in page and not_found not in page, typed


@time_machine.travel(NOW, tick=True)
def test_the_attempts_page_finds_only_the_literal(client, auth, ctx):
    firm = factories.enterprise("甲企业", 1)
    factories.user("manager", factories.unit("生态环境局"), Role.EXAM_MANAGER)
    factories.bank()
    exam = factories.exam()
    when = NOW - timedelta(hours=2)
    for n, (_, literal, lookalike) in enumerate(CASES[:2]):
        for name, tag in ((literal, "lit"), (lookalike, "look")):
            user = factories.user(f"{tag}{n}", firm, Role.ENTERPRISE_STAFF, full_name=name)
            db.session.add(Attempt(exam_id=exam.id, user_id=user.id, number=1, state="finished", started_at=when,
                                   deadline=when + timedelta(hours=1), submitted_at=when + timedelta(minutes=20),
                                   finished_by="candidate", score=1000, max_score=2000, passed=False))
    db.session.commit()
    auth.login("manager")
    for typed, literal, lookalike in CASES[:2]:
        page = client.get(f"/manage/exams/{exam.id}/attempts", query_string={"q": typed}).get_data(as_text=True)
        assert literal in page and lookalike not in page, typed
