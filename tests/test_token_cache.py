"""A bearer token's check is kept per process for EDUAPP_TOKEN_CACHE_SECONDS (eduapp/services/token_cache.py).
The bound of docs/security.md, one test per way a token stops letting requests in: revoked, its account
deactivated, its password changed. The process that made the change refuses the token at once; another
process (here a second app on the same database, with its own cache) refuses it once its entry is older
than the TTL, and may accept it until then."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import User
from eduapp.services import accounts, api_tokens, token_cache
from tests import factories
from tests.conftest import PASSWORD

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
TTL = 5
URL = "/api/v1/me/exams"


@pytest.fixture
def world(ctx, app):
    org = factories.enterprise("甲企业", 1)
    factories.user("staff-a", org, Role.ENTERPRISE_STAFF)
    factories.user("admin", factories.unit("生态环境局"), Role.SYSADMIN)
    assert app.config["TOKEN_CACHE_SECONDS"] == TTL  # the default


@pytest.fixture
def other_process(own_app):
    """Another web process on the same database: an app with a cache of its own."""
    return own_app().test_client()


def _user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def _token(client) -> dict:
    response = client.post("/api/v1/auth/token", json={"username": "staff-a", "password": PASSWORD})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def _bound(client, other, headers, end_access) -> None:
    """Both processes have checked the token at T0; ``end_access`` ends it in this one at T0 + 1 s."""
    with time_machine.travel(T0, tick=False) as clock:
        assert client.get(URL, headers=headers).status_code == 200
        assert other.get(URL, headers=headers).status_code == 200
        clock.shift(1)
        end_access()
        db.session.remove()
        assert client.get(URL, headers=headers).status_code == 401  # this process: at once
        clock.shift(TTL - 1.5)  # T0 + TTL - 0.5 s: the other process's check is still fresh
        assert other.get(URL, headers=headers).status_code == 200
        clock.shift(1)  # T0 + TTL + 0.5 s: read again, refused
        assert other.get(URL, headers=headers).status_code == 401
        assert client.get(URL, headers=headers).status_code == 401


def test_a_revoked_token_is_refused_at_once_here_and_within_the_ttl_elsewhere(client, world, other_process):
    with time_machine.travel(T0 - timedelta(seconds=10), tick=False):
        headers = _token(client)
    token = headers["Authorization"].removeprefix("Bearer ")
    _bound(client, other_process, headers, lambda: api_tokens.revoke(token))


def test_a_deactivated_account_is_refused_at_once_here_and_within_the_ttl_elsewhere(client, world, other_process):
    with time_machine.travel(T0 - timedelta(seconds=10), tick=False):
        headers = _token(client)
    _bound(client, other_process, headers, lambda: accounts.set_active(_user("admin"), _user("staff-a"), False))


def test_a_changed_password_is_refused_at_once_here_and_within_the_ttl_elsewhere(client, world, other_process):
    with time_machine.travel(T0 - timedelta(seconds=10), tick=False):
        headers = _token(client)
    _bound(client, other_process, headers,
           lambda: accounts.change_password(_user("staff-a"), PASSWORD, "Lantern-orchard-917"))


def test_a_token_is_read_once_per_ttl_and_unknown_tokens_are_not_kept(client, world, app):
    from tests.test_exam_day_paths import statements

    with time_machine.travel(T0 - timedelta(seconds=10), tick=False):
        headers = _token(client)
    with time_machine.travel(T0, tick=False) as clock:
        with statements() as seen:
            for _ in range(3):
                assert client.get(URL, headers=headers).status_code == 200
        assert len([s for s in seen if "api_tokens" in s]) == 1, seen
        clock.shift(TTL + 1)
        with statements() as seen:
            assert client.get(URL, headers=headers).status_code == 200
        assert len([s for s in seen if "api_tokens" in s]) == 1, seen
        before = len(token_cache.of(app))
        assert client.get(URL, headers={"Authorization": "Bearer not-a-token"}).status_code == 401
        assert len(token_cache.of(app)) == before


def test_a_cache_of_zero_seconds_reads_the_token_every_time(world, own_app):
    application = own_app(EDUAPP_TOKEN_CACHE_SECONDS="0")
    client = application.test_client()
    headers = _token(client)
    from tests.test_exam_day_paths import statements

    with application.app_context(), statements() as seen:  # that app's engine
        for _ in range(2):
            assert client.get(URL, headers=headers).status_code == 200
    assert len([s for s in seen if "api_tokens" in s]) == 2, seen
