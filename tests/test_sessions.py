"""Server-side sessions (issue 15, item 4): sign-out ends the session on the server, bureau roles time out
when idle, a password change ends tokens and other sessions, and a user can end their own sessions."""

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import UserSession
from tests import factories
from tests.conftest import PASSWORD, AuthActions

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


def _alice():
    return factories.user("alice", factories.enterprise("测试企业", 7), Role.ENTERPRISE_STAFF)


def _officer():
    return factories.user("officer", factories.unit("执法支队"), Role.CASE_OFFICER)


def _copy_cookie(app, client):
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_cookie_copied_before_logout_is_sent_to_sign_in_after_it(app, client, auth, ctx):
    _alice()
    auth.login("alice")
    thief = _copy_cookie(app, client)
    assert thief.get("/").status_code == 200  # the copy works while the session lives
    auth.logout()
    response = thief.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert thief.get("/api/v1/me").status_code == 401
    record = db.session.execute(select(UserSession)).scalar_one()
    assert record.revoked_reason == "logout"


def test_an_idle_bureau_user_is_signed_out_after_30_minutes(client, auth, ctx):
    _officer()
    with time_machine.travel(T0, tick=False):
        assert auth.login("officer").status_code == 302
    with time_machine.travel(T0 + timedelta(minutes=29), tick=False):
        assert client.get("/").status_code == 200  # in use: the idle clock starts again
    with time_machine.travel(T0 + timedelta(minutes=58), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(T0 + timedelta(minutes=89), tick=False):
        response = client.get("/")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "长时间未操作" in page
        assert client.get("/").status_code == 302  # and it stays ended
    assert db.session.execute(select(UserSession.revoked_reason)).scalar_one() == "idle"


def test_an_enterprise_user_is_not_timed_out_by_the_bureau_idle_limit(client, auth, ctx):
    _alice()
    with time_machine.travel(T0, tick=False):
        auth.login("alice")
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        assert client.get("/").status_code == 200


def test_last_seen_is_written_at_most_once_a_minute(client, auth, ctx):
    _alice()
    with time_machine.travel(T0, tick=False):
        auth.login("alice")
    with time_machine.travel(T0 + timedelta(seconds=30), tick=False):
        client.get("/")
    db.session.expire_all()
    assert db.session.execute(select(UserSession.last_seen_at)).scalar_one() == T0
    with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
        client.get("/")
    db.session.expire_all()
    assert db.session.execute(select(UserSession.last_seen_at)).scalar_one() == T0 + timedelta(seconds=61)


def test_a_password_change_revokes_api_tokens_and_other_sessions(app, client, auth, ctx):
    _alice()
    token = client.post("/api/v1/auth/token", json={"username": "alice", "password": PASSWORD}).get_json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200
    other = app.test_client()
    AuthActions(other).login("alice")
    auth.login("alice")
    response = auth.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "a-brand-new-passphrase", "confirm": "a-brand-new-passphrase"},
        form_page="/account/password",
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session goes on
    assert other.get("/").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=bearer).status_code == 401
    reasons = sorted(r or "" for r in db.session.execute(select(UserSession.revoked_reason)).scalars())
    assert reasons == ["", "password"]


def test_the_sessions_page_lists_sessions_and_tokens_and_ends_one(app, client, auth, ctx):
    user = _alice()
    client.post("/api/v1/auth/token", json={"username": "alice", "password": PASSWORD})
    auth.login("alice")
    other = app.test_client()
    AuthActions(other).login("alice")
    other_id = db.session.execute(
        select(UserSession.id).where(UserSession.user_id == user.id).order_by(UserSession.id.desc())
    ).scalars().first()
    page = client.get("/account/sessions").get_data(as_text=True)
    assert page.count("/end\"") == 2 and "当前会话" in page and "/revoke\"" in page
    response = auth.post(f"/account/sessions/{other_id}/end", form_page="/account/sessions")
    assert response.status_code == 302
    assert other.get("/").status_code == 302
    assert client.get("/").status_code == 200
    assert client.get("/account/sessions").get_data(as_text=True).count("/end\"") == 1
    # Another person's session, or one beyond any id: nothing to end.
    assert auth.post("/account/sessions/99999999999999999999/end", form_page="/account/sessions").status_code == 404


def test_the_sessions_page_revokes_a_token(app, client, auth, ctx):
    _alice()
    token = client.post("/api/v1/auth/token", json={"username": "alice", "password": PASSWORD}).get_json()["token"]
    auth.login("alice")
    from eduapp.models import ApiToken

    token_id = db.session.execute(select(ApiToken.id)).scalar_one()
    assert auth.post(f"/account/tokens/{token_id}/revoke", form_page="/account/sessions").status_code == 302
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_the_idle_setting_is_validated_at_start_up(tmp_path):
    import pytest

    from eduapp.config import ConfigError, load_config

    assert load_config(tmp_path, {})["SESSION_IDLE_MINUTES"] == 30
    assert load_config(tmp_path, {"EDUAPP_SESSION_IDLE_MINUTES": "0"})["SESSION_IDLE_MINUTES"] == 0
    for bad in ("-1", "abc", "1441"):
        with pytest.raises(ConfigError, match="EDUAPP_SESSION_IDLE_MINUTES"):
            load_config(tmp_path, {"EDUAPP_SESSION_IDLE_MINUTES": bad})
