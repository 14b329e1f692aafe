"""Input that used to answer 500 (issue 15, item 7): NUL bytes in search boxes and forms, ids beyond what a
database integer holds, 20-digit page numbers, NaN and 50,000-deep JSON, unpaired surrogates. Each is
refused with 400 (a page) or the API's error body, naming what is wrong, and changes nothing. The
PostgreSQL pass matters here: its driver refuses NUL in a text parameter, SQLite does not."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import User
from tests import factories

HUGE = "9" * 20  # beyond 64 bits


@pytest.fixture
def people(ctx):
    bureau = factories.unit("示范市生态环境局")
    org = factories.enterprise("甲企业", 1)
    factories.user("admin", bureau, Role.SYSADMIN)
    factories.user("editor", bureau, Role.QUESTION_EDITOR)
    factories.user("officer", bureau, Role.CASE_OFFICER)
    factories.user("manager", bureau, Role.EXAM_MANAGER)
    factories.user("contact", org, Role.ENTERPRISE_CONTACT)
    return {"org": org}


SEARCH_BOXES = [("contact", "/roster/"), ("editor", "/questions/"), ("contact", "/laws/search"),
                ("admin", "/admin/users"), ("admin", "/orgs/"), ("officer", "/cases/")]


@pytest.mark.parametrize(("username", "path"), SEARCH_BOXES)
def test_a_nul_byte_in_a_search_box_is_refused_naming_the_parameter(client, auth, people, username, path):
    auth.login(username)
    response = client.get(path, query_string={"q": "甲\x00企业"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "“q”" in page and "NUL" in page


@pytest.mark.parametrize(("username", "path"), SEARCH_BOXES)
def test_a_search_of_a_million_characters_is_refused_naming_the_parameter(client, auth, people, username, path):
    auth.login(username)
    response = client.get(path, query_string={"q": "a" * 1_000_000})
    assert response.status_code == 400 and "“q”" in response.get_data(as_text=True)
    assert client.get(path, query_string={"q": "甲" * 2000}).status_code == 200


def test_a_nul_byte_in_a_form_field_is_refused_and_changes_nothing(client, auth, people):
    auth.login("contact")
    before = db.session.execute(select(func.count()).select_from(User)).scalar_one()
    response = auth.post("/roster/new", {"username": "new-one", "full_name": "张\x00三"}, form_page="/roster/new")
    assert response.status_code == 400
    assert "“full_name”" in response.get_data(as_text=True)
    assert db.session.execute(select(func.count()).select_from(User)).scalar_one() == before


def test_a_nul_byte_in_a_sign_in_name_is_refused(client, people):
    from tests.conftest import csrf_token

    response = client.post("/login", data={"username": "admin\x00", "password": "x",
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 400 and "“username”" in response.get_data(as_text=True)


@pytest.mark.parametrize(("username", "path"), [
    ("manager", f"/manage/exams/{HUGE}/edit"), ("admin", f"/admin/users/{HUGE}/edit"), ("officer", f"/cases/{HUGE}"),
    ("manager", f"/manage/exams/{HUGE}/stats"), ("editor", f"/questions/{HUGE}"), ("admin", "/admin/users/0/edit"),
])
def test_an_id_beyond_the_database_integer_is_not_found(client, auth, people, username, path):
    auth.login(username)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(("username", "path"), [
    ("officer", f"/cases/?enterprise_id={HUGE}"), ("officer", f"/cases/?violation_type_id={HUGE}"),
    ("officer", "/cases/?enterprise_id=²"), ("admin", f"/dashboard/?org={HUGE}"), ("admin", "/dashboard/?org=²"),
])
def test_an_id_beyond_the_database_integer_in_a_filter_finds_nothing(client, auth, people, username, path):
    auth.login(username)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(("username", "path"), [
    ("admin", "/admin/users"), ("admin", "/orgs/"), ("admin", "/admin/audit"), ("contact", "/roster/"),
    ("officer", "/cases/"), ("contact", "/laws/search"),
])
def test_a_page_number_of_20_digits_is_refused_with_a_message(client, auth, people, username, path):
    auth.login(username)
    response = client.get(path, query_string={"page": HUGE, "q": "法"})
    assert response.status_code == 400
    assert "“page”" in response.get_data(as_text=True) and "1000000" in response.get_data(as_text=True)
    assert client.get(path, query_string={"page": "-3"}).status_code == 200  # below 1: the first page


def _token_request(client, body: str):
    return client.post("/api/v1/auth/token", data=body, content_type="application/json")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_json_are_refused(client, people, constant):
    response = _token_request(client, f'{{"username": "admin", "password": "x", "ttl": {constant}}}')
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request" and constant in error["message"]


def test_json_nested_50000_deep_is_refused(client, people):
    response = _token_request(client, "[" * 50_000 + "]" * 50_000)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    assert "32" in response.get_json()["error"]["message"]
    nested = '{"username": "admin", "password": "x", "extra": ' + "[" * 40 + "]" * 40 + "}"
    assert _token_request(client, nested).status_code == 400


def test_an_unpaired_surrogate_in_json_is_refused(client, people):
    response = _token_request(client, '{"username": "admin\\ud800", "password": "x"}')
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"


def test_a_nul_byte_in_an_api_query_string_is_the_apis_422(client, people, ctx):
    from eduapp.services import api_tokens

    admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
    token, _ = api_tokens.issue(admin, 1)
    response = client.get("/api/v1/me", query_string={"x": "\x00"}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"x": response.get_json()["error"]["message"]}


def test_plain_json_still_works(client, people):
    response = _token_request(client, '{"username": "admin", "password": "correct-horse-battery"}')
    assert response.status_code == 201


def test_an_api_body_is_parsed_once_by_the_strict_check(client, people, monkeypatch):
    # eduapp.input_guard leaves the body it parsed for the API's argument parser (eduapp.api.arguments):
    # webargs' own parser is not asked, and what it would have refused is still refused, naming the field
    import webargs.core

    def not_again(*args, **kwargs):
        raise AssertionError("the JSON body was parsed a second time")

    monkeypatch.setattr(webargs.core, "parse_json", not_again)
    assert _token_request(client, '{"username": "admin", "password": "correct-horse-battery"}').status_code == 201
    response = _token_request(client, '{"username": "admin", "password": 5}')
    assert response.status_code == 422 and "password" in response.get_json()["error"]["fields"]
