"""Item 1 of issue 15: behind a reverse proxy each client keeps its own sign-in limit
(EDUAPP_TRUSTED_PROXIES applies werkzeug's ProxyFix), and without a trusted proxy X-Forwarded-For is
ignored, so a client cannot pick a fresh address for every guess. Through a real extra hop: the app
under a real WSGI server and a real reverse proxy, clients on different loopback addresses."""

from __future__ import annotations

from itertools import count
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from eduapp.config import ConfigError, load_config
from eduapp.extensions import db
from eduapp.models.audit import AuditRecord
from tests.live_server import request, reverse_proxy, wsgi_server

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
_names = count()


def _wrong_password(port, source="127.0.0.1", forwarded_for=None):
    headers = dict(FORM)
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    body = urlencode({"username": f"nobody{next(_names)}", "password": "wrong-password-123"})
    status, _ = request(port, "POST", "/login", source=source, body=body, headers=headers)
    return status


@pytest.fixture
def proxied(own_app):
    """The app trusting one proxy, its sign-in limit at 3 a minute, behind a reverse proxy."""
    application = own_app(EDUAPP_TRUSTED_PROXIES="1", EDUAPP_LOGIN_RATE_LIMIT="3 per minute",
                          EDUAPP_REDIS_URL="", WTF_CSRF_ENABLED=False)
    with wsgi_server(application) as app_port, reverse_proxy(app_port) as proxy_port:
        yield application, proxy_port


def test_two_clients_behind_the_proxy_have_separate_sign_in_limits(proxied):
    application, port = proxied
    assert [_wrong_password(port, "127.0.0.2") for _ in range(4)] == [400, 400, 400, 429]
    # Another person in the same exam hall, behind the same proxy, can still sign in.
    assert _wrong_password(port, "127.0.0.3") == 400
    with application.app_context():
        addresses = db.session.scalars(select(AuditRecord.ip).where(AuditRecord.action == "auth.login_failed")).all()
    assert sorted(set(addresses)) == ["127.0.0.2", "127.0.0.3"]  # the audit trail names the client


def test_behind_the_proxy_a_forged_forwarded_for_does_not_escape_the_limit(proxied):
    _, port = proxied
    statuses = [_wrong_password(port, "127.0.0.2", forwarded_for=f"10.0.0.{n}") for n in range(4)]
    assert statuses == [400, 400, 400, 429]  # only the hop the proxy added is believed


def test_without_a_trusted_proxy_the_header_is_ignored(own_app):
    application = own_app(EDUAPP_TRUSTED_PROXIES="0", EDUAPP_LOGIN_RATE_LIMIT="3 per minute",
                          EDUAPP_REDIS_URL="", WTF_CSRF_ENABLED=False)
    with wsgi_server(application) as port:
        statuses = [_wrong_password(port, "127.0.0.2", forwarded_for=f"10.0.0.{n}") for n in range(4)]
    assert statuses == [400, 400, 400, 429]


@pytest.mark.parametrize("value", ["-1", "6", "two", "1.5"])
def test_a_bad_trusted_proxies_value_names_the_setting(tmp_path, value):
    with pytest.raises(ConfigError, match="EDUAPP_TRUSTED_PROXIES"):
        load_config(tmp_path, {"EDUAPP_ENV": "testing", "EDUAPP_TRUSTED_PROXIES": value})


def test_trusted_proxies_defaults_to_none(tmp_path):
    assert load_config(tmp_path, {"EDUAPP_ENV": "testing"})["TRUSTED_PROXIES"] == 0
