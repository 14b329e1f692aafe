"""Exam managers define exams in the browser: settings, blueprint, audience, overrides."""

import pytest
from sqlalchemy import select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Exam
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def people(ctx):
    factories.bank()
    factories.user("manager", factories.unit("法规科"), Role.EXAM_MANAGER)
    factories.user("staff-a", factories.enterprise("甲企业", 1), Role.ENTERPRISE_STAFF)


def _form(client, **changes):
    data = {
        "csrf_token": csrf_token(client, "/manage/exams/new"),
        "title": "2026年度企业学法考试", "description": "", "status": "published",
        "open_at": "2026-01-01T08:00", "close_at": "2099-12-31T20:00", "duration_minutes": "45",
        "attempts_allowed": "2", "grading_method": "highest", "pass_score": "12", "shuffle_questions": "y",
        "shuffle_options": "y", "navigation": "free", "review_policy": "after_submit", "mc_rule": "partial_half",
        "points_on_pass": "3", "certificate": "y",
        "sections-0-title": "单选题", "sections-0-qtype": "single", "sections-0-count": "5", "sections-0-points": "2",
        "sections-0-difficulty_min": "1", "sections-0-difficulty_max": "5",
        "sections-1-title": "判断题", "sections-1-qtype": "true_false", "sections-1-count": "4",
        "sections-1-points": "1", "sections-1-difficulty_min": "1", "sections-1-difficulty_max": "5",
        "audience_roles": ["enterprise_staff"], "audience_users": "", "overrides": "staff-a 15 1",
    }
    data.update(changes)
    return data


def test_a_manager_defines_an_exam_that_learners_then_see(client, auth, people):
    auth.login("manager")
    assert client.get("/manage/exams/new").status_code == 200
    response = client.post("/manage/exams/new", data=_form(client))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    exam = db.session.execute(select(Exam)).scalar_one()
    assert [(s["qtype"], s["count"], s["points"]) for s in exam.sections] == [("single", 5, 2), ("true_false", 4, 1)]
    assert exam.open_at.hour == 0  # 08:00 Beijing time is 00:00 UTC
    assert [(o.extra_minutes, o.extra_attempts) for o in exam.overrides] == [(15, 1)]
    edit = client.get(f"/manage/exams/{exam.id}/edit").get_data(as_text=True)
    assert "2026年度企业学法考试" in edit and 'value="2026-01-01T08:00"' in edit and "staff-a 15 1" in edit
    auth.logout()
    auth.login("staff-a")
    assert "2026年度企业学法考试" in client.get("/exams/").get_data(as_text=True)


def test_a_blueprint_the_bank_cannot_fill_is_refused_naming_the_section(client, auth, people):
    auth.login("manager")
    response = client.post("/manage/exams/new", data=_form(client, **{"sections-1-count": "9"}))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "判断题" in text and "9" in text and "6" in text  # wanted 9, the bank has 6
    assert db.session.execute(select(Exam)).first() is None


def test_bad_fields_are_named_and_nothing_is_saved(client, auth, people):
    auth.login("manager")
    data = _form(client, close_at="2025-01-01T08:00", overrides="nobody x", audience_roles=[])
    response = client.post("/manage/exams/new", data=data)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert text.count("is-invalid") >= 1 and "nobody" not in text.split("<textarea")[0]
    assert db.session.execute(select(Exam)).first() is None


def test_learners_cannot_manage_exams(client, auth, people):
    auth.login("staff-a")
    assert client.get("/manage/exams/").status_code == 403
    assert client.get("/manage/exams/new").status_code == 403
