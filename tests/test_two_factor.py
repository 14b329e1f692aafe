"""Two-factor sign-in for bureau staff (issue 15, item 3): enrolment by QR code with a code computed from
the secret, the code step at sign-in, single-use recovery codes, the audited administrator's reset, and
API tokens that need the code too."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import AuditRecord, TwoFactor
from eduapp.services import two_factor
from tests import factories
from tests.conftest import PASSWORD, AuthActions, csrf_token

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
ROLES = frozenset({"sysadmin", "approver", "legal_reviewer", "case_officer"})


@pytest.fixture
def required(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_ROLES", ROLES)


def _officer():
    return factories.user("officer", factories.unit("执法支队"), Role.CASE_OFFICER)


def _code(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)


def _enrol(user, at=T0) -> list[str]:
    found = two_factor.begin(user)
    return two_factor.confirm(user, _code(found.secret, at), now=at)


def _post_code(client, code: str):
    return client.post("/login/code", data={"code": code, "csrf_token": csrf_token(client, "/login")})


def _actions(action: str) -> list[AuditRecord]:
    return list(db.session.execute(select(AuditRecord).where(AuditRecord.action == action)).scalars())


def test_enrolment_with_a_code_computed_from_the_secret(client, auth, ctx, required):
    user = _officer()
    with time_machine.travel(T0, tick=False):
        auth.login("officer")
        # Nothing but enrolment until enrolled.
        for path in ("/", "/cases/", "/account/sessions"):
            response = client.get(path)
            assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor", path
        assert client.get("/api/v1/me").status_code == 403
        page = client.get("/account/two-factor")
        assert page.status_code == 200
        secret = db.session.get(TwoFactor, user.id).secret
        assert secret in page.get_data(as_text=True)
        qr = client.get("/account/two-factor/qr.svg")
        assert qr.status_code == 200 and qr.mimetype == "image/svg+xml" and b"<svg" in qr.data
        token = csrf_token(client, "/account/two-factor")
        wrong = client.post("/account/two-factor", data={"code": "000000", "csrf_token": token})
        assert wrong.status_code == 400 and "验证码不正确" in wrong.get_data(as_text=True)
        done = client.post("/account/two-factor", data={"code": _code(secret, T0), "csrf_token": token})
        assert done.status_code == 200
        codes = done.get_data(as_text=True).split('id="recovery-codes">')[1].split("</ul>")[0].count("<li>")
        assert codes == 10
        assert client.get("/").status_code == 200
        assert client.get("/account/two-factor/qr.svg").status_code == 404  # the secret is not shown again
    assert db.session.get(TwoFactor, user.id).confirmed_at is not None
    assert len(_actions("user.2fa_enrol")) == 1


def test_sign_in_needs_the_code_once_enrolled(client, auth, ctx, required):
    user = _officer()
    _enrol(user)
    secret = db.session.get(TwoFactor, user.id).secret
    later = T0 + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        response = auth.login("officer")
        assert response.status_code == 302 and response.headers["Location"] == "/login/code"
        assert client.get("/").status_code == 302  # the password alone signs nobody in
        assert _post_code(client, "123456").status_code == 400
        assert _post_code(client, _code(secret, later)).status_code == 302
        assert client.get("/").status_code == 200
        auth.logout()
        auth.login("officer")
        assert _post_code(client, _code(secret, later)).status_code == 400  # a code works only once
    assert len(_actions("auth.2fa_failed")) == 2


def test_without_the_code_step_a_pending_sign_in_reaches_nothing(client, auth, ctx, required):
    user = _officer()
    _enrol(user)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        auth.login("officer")
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):  # the code step lasts 5 minutes
        response = _post_code(client, _code(db.session.get(TwoFactor, user.id).secret, T0 + timedelta(minutes=10)))
        assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_a_recovery_code_works_once(client, auth, ctx, required):
    user = _officer()
    codes = _enrol(user)
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        auth.login("officer")
        assert _post_code(client, codes[3].upper()).status_code == 302
        assert client.get("/").status_code == 200
        assert "剩余恢复码：9 个" in client.get("/account/two-factor").get_data(as_text=True)
        auth.logout()
        auth.login("officer")
        assert _post_code(client, codes[3]).status_code == 400
    assert len(_actions("auth.2fa_recovery_code")) == 1


def test_the_administrators_reset_is_audited_and_the_user_enrols_again(app, client, auth, ctx, required):
    bureau = factories.unit("法制科")
    admin = factories.user("admin", bureau, Role.SYSADMIN)
    officer = factories.user("officer", bureau, Role.CASE_OFFICER)
    admin_codes = _enrol(admin)
    _enrol(officer)
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        auth.login("admin")
        assert _post_code(client, admin_codes[0]).status_code == 302
        response = auth.post(f"/admin/users/{officer.id}/two-factor/reset", form_page="/admin/users")
        assert response.status_code == 302
        other = app.test_client()
        AuthActions(other).login("officer")
        assert other.get("/").headers["Location"] == "/account/two-factor"  # enrols again, no code asked
    record = _actions("user.2fa_reset")[0]
    assert record.actor == "admin" and record.object_id == str(officer.id)
    assert '"was_enrolled":true' in record.summary


def test_only_an_administrator_can_reset(client, auth, ctx, required):
    officer = _officer()
    factories.user("clerk", factories.enterprise("测试企业", 7), Role.ENTERPRISE_STAFF)
    auth.login("clerk")
    response = auth.post(f"/admin/users/{officer.id}/two-factor/reset")
    assert response.status_code == 403
    assert _actions("user.2fa_reset") == []


def test_an_api_token_needs_the_code(app, client, ctx, required):
    user = _officer()
    with time_machine.travel(T0, tick=False):
        refused = client.post("/api/v1/auth/token", json={"username": "officer", "password": PASSWORD})
        assert refused.status_code == 403
        assert refused.get_json()["error"]["code"] == "two_factor_enrolment_required"
    _enrol(user)
    secret = db.session.get(TwoFactor, user.id).secret
    later = T0 + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        missing = client.post("/api/v1/auth/token", json={"username": "officer", "password": PASSWORD})
        assert missing.status_code == 401 and missing.get_json()["error"]["code"] == "otp_required"
        wrong = client.post("/api/v1/auth/token", json={"username": "officer", "password": PASSWORD, "otp": "111111"})
        assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "otp_invalid"
        ok = client.post("/api/v1/auth/token",
                         json={"username": "officer", "password": PASSWORD, "otp": _code(secret, later)})
        assert ok.status_code == 201
        me = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {ok.get_json()['token']}"})
        assert me.status_code == 200


def test_two_factor_is_off_when_no_role_is_named(client, auth, ctx):
    _officer()
    assert "双因素" in client.get("/login").get_data(as_text=True)  # the demo says it is off
    auth.login("officer")
    assert client.get("/").status_code == 200


def test_the_roles_setting(tmp_path):
    from eduapp.config import ConfigError, load_config

    production = {"EDUAPP_ENV": "production", "EDUAPP_SECRET_KEY": "x" * 40,
                  "EDUAPP_DATABASE_URL": "postgresql://u@h/d", "EDUAPP_REDIS_URL": "redis://h",
                  "EDUAPP_AUDIT_KEY": "k" * 32}
    assert load_config(tmp_path, production)["TWO_FACTOR_ROLES"] == ROLES
    assert load_config(tmp_path, {**production, "EDUAPP_2FA_ROLES": ""})["TWO_FACTOR_ROLES"] == frozenset()
    assert load_config(tmp_path, {"EDUAPP_2FA_ROLES": "sysadmin, exam_manager"})["TWO_FACTOR_ROLES"] == {
        "sysadmin", "exam_manager"}
    assert load_config(tmp_path, {})["TWO_FACTOR_ROLES"] == frozenset()
    with pytest.raises(ConfigError, match="EDUAPP_2FA_ROLES"):
        load_config(tmp_path, {"EDUAPP_2FA_ROLES": "sysadmin,boss"})
