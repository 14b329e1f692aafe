from datetime import UTC, datetime

import time_machine
from sqlalchemy import select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import AuditRecord, User
from tests import factories
from tests.conftest import PASSWORD, csrf_token

# The rate limits count in windows of a minute: their tests run frozen in the middle of one.
MID_MINUTE = datetime(2026, 3, 16, 2, 0, 30, tzinfo=UTC)


def _alice():
    org = factories.enterprise("测试企业", 7)
    return factories.user("alice", org, Role.ENTERPRISE_STAFF)


def test_login_success_signs_in_and_audits(client, auth, ctx):
    _alice()
    response = auth.login("alice")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "测试企业" in client.get("/").get_data(as_text=True)
    actions = db.session.execute(select(AuditRecord.action)).scalars().all()
    assert "auth.login" in actions


def test_login_failure_says_so_and_stays_signed_out(client, auth, ctx):
    _alice()
    response = auth.login("alice", "wrong-password-123")
    assert response.status_code == 400
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still sent to the login page
    failed = db.session.execute(select(AuditRecord).where(AuditRecord.action == "auth.login_failed")).scalar_one()
    assert '"username":"alice"' in failed.summary


def test_unknown_user_gets_the_same_message(auth, ctx):
    response = auth.login("nobody", "whatever-password")
    assert response.status_code == 400
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_deactivated_account_cannot_sign_in(auth, ctx):
    user = _alice()
    user.active = False
    db.session.commit()
    assert auth.login("alice").status_code == 400


def test_pages_need_sign_in(client):
    response = client.get("/roster/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_logout_is_post_only_and_ends_the_session(client, auth, ctx):
    _alice()
    auth.login("alice")
    assert client.get("/logout").status_code == 405
    assert auth.logout().status_code == 302
    assert client.get("/").status_code == 302


def test_rate_limit_answers_429(app, client, auth, ctx, monkeypatch):
    # a sliding window of a minute: the fourth try at hh:mm:59.9 would fall in the next window
    with time_machine.travel(MID_MINUTE, tick=False):
        _alice()
        monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
        codes = [auth.login("alice", "wrong-password-123").status_code for _ in range(4)]
        assert codes[:3] == [400, 400, 400]
        assert codes[3] == 429
        # Even the right password is refused until the window passes.
        assert auth.login("alice").status_code == 429


def test_failures_per_username_across_addresses_ask_a_captcha_not_a_lock(app, client, ctx, monkeypatch):
    """Guesses for one username from many addresses never lock its owner out (429): past
    EDUAPP_SIGNIN_CAPTCHA_AFTER the form asks for a captcha (tests/test_sign_in_guard.py signs in with it)."""
    _alice()
    monkeypatch.setitem(app.config, "SIGNIN_CAPTCHA_AFTER", 3)
    codes, captchas = [], []
    for i in range(4):
        env = {"REMOTE_ADDR": f"10.0.0.{i + 1}"}
        token = csrf_token(client, "/login")
        page = client.post(
            "/login",
            data={"username": "alice", "password": "bad-password-x", "csrf_token": token},
            environ_base=env,
        )
        codes.append(page.status_code)
        captchas.append('name="captcha"' in page.get_data(as_text=True))
    assert codes == [400, 400, 400, 400]
    assert captchas == [False, False, True, True]


def test_post_without_csrf_token_is_refused(client, auth, ctx):
    _alice()
    assert client.post("/login", data={"username": "alice", "password": PASSWORD}).status_code == 400
    assert client.get("/").status_code == 302  # not signed in
    auth.login("alice")
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a-brand-new-passphrase",
            "confirm": "a-brand-new-passphrase",
        },
    )
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
    db.session.expire_all()
    assert auth.logout().status_code == 302
    assert auth.login("alice").status_code == 302  # the old password still works


def test_password_change_ends_other_sessions(app, client, auth, ctx):
    _alice()
    auth.login("alice")
    other = app.test_client()
    from tests.conftest import AuthActions

    AuthActions(other).login("alice")
    assert other.get("/").status_code == 200
    response = auth.post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a-brand-new-passphrase",
            "confirm": "a-brand-new-passphrase",
        },
        form_page="/account/password",
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session goes on
    assert other.get("/").status_code == 302  # the other device is signed out
    auth.logout()
    assert auth.login("alice", "a-brand-new-passphrase").status_code == 302


def test_password_change_rejects_weak_and_wrong(client, auth, ctx):
    _alice()
    auth.login("alice")
    response = auth.post(
        "/account/password",
        {
            "current_password": "not-my-password",
            "new_password": "short",
            "confirm": "short",
        },
        form_page="/account/password",
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "当前密码不正确" in text
    assert "至少" in text and "10" in text


def test_new_account_must_change_password_first(client, auth, ctx):
    org = factories.enterprise("测试企业", 7)
    factories.user("bob", org, must_change_password=True)
    response = auth.login("bob")
    assert response.headers["Location"] == "/account/password"
    assert client.get("/").headers["Location"] == "/account/password"


def test_next_parameter_cannot_leave_the_site(client, auth, ctx):
    _alice()
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=https://evil.example/", data={"username": "alice", "password": PASSWORD, "csrf_token": token}
    )
    assert response.headers["Location"] == "/"


def test_no_open_registration(client):
    assert client.get("/register").status_code == 404
    assert client.get("/signup").status_code == 404


def test_login_rehashes_weaker_hashes(app, auth, ctx, monkeypatch):
    user = _alice()
    old = user.password_hash
    monkeypatch.setitem(app.config, "ARGON2_TIME_COST", 2)
    app.extensions.pop("eduapp.hasher", None)
    assert auth.login("alice").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash != old
    assert ",t=2," in db.session.get(User, user.id).password_hash
    app.extensions.pop("eduapp.hasher", None)
