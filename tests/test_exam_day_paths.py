"""The requests of exam day stay lean (bench/exam_day.py measures them with 3,000 candidates): how many
SQL statements an autosave, a token check and a paper take, and that the lean paths still refuse
what they must."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select, update

from eduapp.domain.roles import Permission, Role
from eduapp.extensions import db
from eduapp.models import User, UserRole
from eduapp.services import api_tokens
from tests import factories
from tests.conftest import PASSWORD


@pytest.fixture
def world(ctx):
    factories.bank()
    org = factories.enterprise("甲企业", 1)
    factories.user("staff-a", org, Role.ENTERPRISE_STAFF)
    factories.user("staff-b", org, Role.ENTERPRISE_STAFF)
    return factories.exam()


@contextmanager
def statements():
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _token(client, username="staff-a"):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.json
    return response.json["token"]


def _started(client, world, username="staff-a"):
    headers = {"Authorization": f"Bearer {_token(client, username)}"}
    attempt = client.post(f"/api/v1/exams/{world.id}/attempts", headers=headers).json
    return headers, attempt


def _answer(item):
    return {"single": 1, "multiple": [0, 2], "true_false": True, "fill_blank": ["十五"]}[item["qtype"]]


def test_an_autosave_is_three_statements(client, world):
    headers, attempt = _started(client, world)
    item = attempt["items"][0]
    url = f"/api/v1/attempts/{attempt['id']}/answers/{item['id']}"
    with statements() as seen:
        saved = client.put(url, headers=headers, json={"response": _answer(item), "seq": 5})
    assert saved.status_code == 200 and saved.json == {"saved_seq": 5}
    # the token's check is this process's from the start (eduapp/services/token_cache.py); on PostgreSQL one
    # UPDATE … RETURNING the question to check against; elsewhere the item with its attempt's state and
    # question, and the conditional UPDATE
    assert not [s for s in seen if "api_tokens" in s], seen
    assert len(seen) == (1 if db.engine.dialect.name == "postgresql" else 2), seen
    retry = client.put(url, headers=headers, json={"response": _answer(item), "seq": 4})
    assert retry.json == {"saved_seq": 5}  # an older save changes nothing and says what is kept
    again = client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).json["items"][0]
    assert again["seq"] == 5 and again["response"] == _answer(item)


def test_autosave_refusals_still_name_what_is_wrong(client, world):
    headers, attempt = _started(client, world)
    other, _ = _started(client, world, "staff-b")
    item = attempt["items"][0]
    url = f"/api/v1/attempts/{attempt['id']}/answers/{item['id']}"
    assert client.put(url, headers=other, json={"response": None, "seq": 1}).status_code == 404
    missing = client.put(f"/api/v1/attempts/{attempt['id']}/answers/999999", headers=headers,
                         json={"response": None, "seq": 1})
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    assert client.put(url, headers=headers, json={"response": _answer(item), "seq": 1}).status_code == 200
    for wrong in ("not an option", [0, 0], [7], ["十五", "多"], True if item["qtype"] != "true_false" else 1):
        bad = client.put(url, headers=headers, json={"response": wrong, "seq": 2})
        assert bad.status_code == 422 and "response" in bad.json["error"]["fields"], wrong
    # a refused answer changed nothing: the last good one is kept, under its seq
    kept = client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).json["items"][0]
    assert (kept["seq"], kept["response"]) == (1, _answer(item))
    assert client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers).status_code == 200
    late = client.put(url, headers=headers, json={"response": _answer(item), "seq": 9})
    assert late.status_code == 409 and late.json["error"]["code"] == "finished"


def test_a_token_is_checked_in_one_statement_and_not_for_a_deactivated_account(client, world):
    token = _token(client)
    with statements() as seen:
        user = api_tokens.user_for(token)
    assert user.username == "staff-a" and user.can  # roles come with it: no further statement
    assert {r.value for r in user.roles} == {"enterprise_staff"}
    assert len(seen) == 1, seen
    user_id = user.id
    db.session.execute(update(User).where(User.username == "staff-a").values(active=False))
    db.session.commit()
    db.session.expunge_all()
    # A deactivation through accounts.set_active drops this process's cached check (tests/test_token_cache.py)
    api_tokens.forget_user(user_id)
    assert api_tokens.user_for(token) is None
    assert client.get("/api/v1/me/exams", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_the_roles_read_with_the_token_give_way_to_role_rows_once_those_change(client, world):
    # models.user.ROLES_READ: a bearer request's user carries the roles its token check read, until its
    # role_rows is loaded or the instance is expired; a change of roles is never answered from them
    token = _token(client)
    user = api_tokens.user_for(token)
    assert user.can(Permission.STUDY) and not user.can(Permission.USERS_MANAGE)
    user.role_rows = [UserRole(role=Role.SYSADMIN.value)]  # loads role_rows, then replaces them
    assert user.roles == {Role.SYSADMIN} and user.can(Permission.USERS_MANAGE)
    db.session.rollback()  # expires the instance: role_rows is read again, as stored
    assert user.roles == {Role.ENTERPRISE_STAFF}
    db.session.execute(update(UserRole).where(UserRole.user_id == user.id).values(role=Role.SYSADMIN.value))
    db.session.commit()  # expires it again: the roles read with the token are gone for good
    assert user.roles == {Role.SYSADMIN}


def test_a_bearer_requests_user_is_persistent_in_the_session(client, world):
    # api_tokens._attach puts the user in the session as add would: it is found there, loads what it was
    # not given, and a change to it is saved at commit
    token = _token(client)
    user = api_tokens.user_for(token)
    assert user in db.session and db.session.get(User, user.id) is user
    assert user.organisation.name  # loaded on first use
    assert [r.role for r in user.role_rows] == ["enterprise_staff"]
    user.locale, user_id = "en", user.id
    db.session.commit()
    db.session.expunge_all()
    assert db.session.execute(select(User.locale).where(User.id == user_id)).scalar_one() == "en"


def test_re_reading_an_attempt_does_not_load_the_exam_s_audience(client, world):
    headers, attempt = _started(client, world)
    with statements() as seen:
        again = client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers)
    assert again.status_code == 200 and [i["id"] for i in again.json["items"]] == [i["id"] for i in attempt["items"]]
    assert not [s for s in seen if "exam_audience" in s or "exam_overrides" in s], seen
    assert len(seen) <= 3, seen  # the token, the attempt with its exam, the paper


def test_what_a_version_shows_is_read_once_and_an_edit_shows_in_new_attempts_only(client, world):
    from dataclasses import replace

    from eduapp.domain.blueprint import Section
    from eduapp.models import Question, QuestionVersion
    from eduapp.services import question_bank

    headers, attempt = _started(client, world)
    with statements() as seen:
        again = client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers)
    assert again.json["items"] == attempt["items"]
    assert not [s for s in seen if "question_versions" in s], seen  # shown from memory

    # An edit adds a version: the running attempt keeps showing what it was drawn with, a new one the edit.
    first = attempt["items"][0]
    question = db.session.execute(select(Question).join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
                                  .where(QuestionVersion.stem == first["stem"])).scalar_one()
    editor = db.session.execute(select(User).where(User.username == "staff-a")).scalar_one()
    question_bank.save_edit(editor, question, replace(question_bank.as_data(question), stem=first["stem"] + "（新）"))
    assert client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).json["items"][0]["stem"] == first["stem"]
    every_one = factories.exam(title="全部", sections=[Section("全部", first["qtype"], 6, 1)], pass_score=3)  # all 6
    other = {"Authorization": f"Bearer {_token(client, 'staff-b')}"}
    stems = {item["stem"] for item in client.post(f"/api/v1/exams/{every_one.id}/attempts", headers=other).json["items"]}
    assert first["stem"] + "（新）" in stems and first["stem"] not in stems
