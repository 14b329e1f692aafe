"""The learner's exam pages, without JavaScript: list, start, answer with plain forms, submit, review."""

import re

import pytest
from sqlalchemy import select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Attempt, AttemptItem
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def exam(ctx):
    factories.bank()
    org = factories.enterprise("甲企业", 1)
    factories.user("staff-a", org, Role.ENTERPRISE_STAFF)
    factories.user("staff-b", org, Role.ENTERPRISE_STAFF)
    return factories.exam()


def _start(client, auth, exam):
    auth.login("staff-a")
    page = client.get("/exams/")
    assert page.status_code == 200 and "年度学法考试" in page.get_data(as_text=True)
    response = auth.post(f"/exams/{exam.id}/start", {}, form_page="/exams/")
    assert response.status_code == 302
    return db.session.execute(select(Attempt)).scalar_one(), response.headers["Location"]


def _right(item):
    return {"single": "1", "multiple": ["0", "2", "3"], "true_false": "true", "fill_blank": "十五"}[item.version.qtype]


def test_take_an_exam_with_plain_forms(client, auth, exam):
    attempt, location = _start(client, auth, exam)
    assert location.endswith(f"/exams/attempts/{attempt.id}")
    page = client.get(location).get_data(as_text=True)
    assert 'role="timer"' in page and "js/exam.js" in page
    assert 'data-deadline="' in page and "<script>" not in page  # no inline script (CSP)
    items = db.session.execute(select(AttemptItem).order_by(AttemptItem.position)).scalars().all()
    # the paper shows no answer key
    assert "十五" not in page
    for item in items:
        token = csrf_token(client, f"/exams/attempts/{attempt.id}?q={item.position}")
        data = {"csrf_token": token, f"q{item.id}": _right(item), "go": str(item.position + 1)}
        if item.position == 3:
            data[f"flag{item.id}"] = "1"
        response = client.post(f"/exams/attempts/{attempt.id}?q={item.position}", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    sheet = client.get(f"/exams/attempts/{attempt.id}?all=1").get_data(as_text=True)
    cells = re.findall(r'class="sheet-cell ([^"]*)"\s+data-sheet', sheet)
    assert len(cells) == 10 and all("answered" in c for c in cells)
    assert sum("flagged" in c for c in cells) == 1

    assert client.get(f"/exams/attempts/{attempt.id}/submit").status_code == 200
    done = auth.post(f"/exams/attempts/{attempt.id}/submit", {}, form_page=f"/exams/attempts/{attempt.id}/submit")
    assert done.status_code == 302 and done.headers["Location"].endswith("/result")
    result = client.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    assert '20 <span class="fs-5 text-muted">/ 20</span>' in result and "十五" in result  # score, right answers
    assert "20.0" not in result  # whole scores without a trailing ".0"
    assert client.get(f"/exams/attempts/{attempt.id}/certificate").status_code == 200
    # the attempt is finished: its page now leads to the result
    assert client.get(f"/exams/attempts/{attempt.id}").headers["Location"].endswith("/result")


def test_a_bad_answer_is_named_and_nothing_changes(client, auth, exam):
    attempt, _ = _start(client, auth, exam)
    item = next(i for i in attempt.items if i.version.qtype == "single")
    token = csrf_token(client, f"/exams/attempts/{attempt.id}?q={item.position}")
    response = client.post(f"/exams/attempts/{attempt.id}?q={item.position}",
                           data={"csrf_token": token, f"q{item.id}": "7", "go": ""})
    assert response.status_code == 400
    assert re.search("alert-danger", response.get_data(as_text=True))
    db.session.refresh(item)
    assert item.response is None and item.seq == 0


def test_another_candidate_s_attempt_pages_are_not_found(client, auth, exam):
    attempt, _ = _start(client, auth, exam)
    auth.logout()
    auth.login("staff-b")
    for path in ("", "/result", "/submit", "/certificate"):
        assert client.get(f"/exams/attempts/{attempt.id}{path}").status_code == 404


def test_review_waits_for_the_close_when_the_exam_says_so(client, auth, ctx):
    factories.bank()
    factories.user("staff-a", factories.enterprise("甲企业", 1), Role.ENTERPRISE_STAFF)
    exam = factories.exam(review_policy="after_close")
    attempt, _ = _start(client, auth, exam)
    auth.post(f"/exams/attempts/{attempt.id}/submit", {}, form_page=f"/exams/attempts/{attempt.id}/submit")
    result = client.get(f"/exams/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "十五" not in result and "class=\"explanation\"" not in result  # no keys, no explanations yet


def test_the_answered_count_is_markup_the_script_can_update(client, auth, exam):
    attempt, location = _start(client, auth, exam)
    page = client.get(location).get_data(as_text=True)
    assert '<span id="answered-count">0</span>' in page
