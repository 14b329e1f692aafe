"""Item 5 of issue 15: with Redis unreachable, sign-in, the token endpoint, /api/v1/me and answer
autosave keep working (rate limits fall back to this process's memory with a logged warning), tasks
that cannot be queued wait for the sweep, /healthz stays a liveness check and /readyz answers 503
naming Redis. Against a Redis port on 127.0.0.1 with nothing listening, so this runs in both passes."""

from __future__ import annotations

import logging

import pytest

from eduapp.domain.roles import Role
from eduapp.extensions import db
from tests import factories
from tests.conftest import PASSWORD, AuthActions, dead_redis_url

RIGHT = {"single": 1, "multiple": [0, 2, 3], "true_false": True, "fill_blank": ["十五"]}


@pytest.fixture
def redis_down(own_app):
    return own_app(EDUAPP_REDIS_URL=dead_redis_url(), EDUAPP_LOGIN_RATE_LIMIT="3 per minute")


@pytest.fixture
def learner(ctx):
    factories.bank()
    org = factories.enterprise("甲企业", 1)
    factories.user("staff-a", org, Role.ENTERPRISE_STAFF)
    exam = factories.exam()
    db.session.commit()
    return exam


def test_sign_in_on_the_form_works_with_redis_down(redis_down, learner, caplog):
    client = redis_down.test_client()
    with caplog.at_level(logging.WARNING):
        response = AuthActions(client).login("staff-a")
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert client.get("/").status_code == 200
    assert "falling back to in-memory storage" in caplog.text  # the operator is told


def test_the_limit_still_holds_in_memory_with_redis_down(redis_down, learner):
    auth = AuthActions(redis_down.test_client())
    statuses = [auth.login("staff-a", "wrong-password-123").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]  # counted in this process's memory, not given up


def test_the_api_signs_in_reads_me_and_autosaves_with_redis_down(redis_down, learner):
    client = redis_down.test_client()
    token = client.post("/api/v1/auth/token", json={"username": "staff-a", "password": PASSWORD})
    assert token.status_code == 201, token.get_data(as_text=True)
    headers = {"Authorization": f"Bearer {token.json['token']}"}
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json["username"] == "staff-a"
    attempt = client.post(f"/api/v1/exams/{learner.id}/attempts", headers=headers)
    assert attempt.status_code == 201, attempt.get_data(as_text=True)
    item = attempt.json["items"][0]
    saved = client.put(f"/api/v1/attempts/{attempt.json['id']}/answers/{item['id']}", headers=headers,
                       json={"response": RIGHT[item["qtype"]], "seq": 1})
    assert saved.status_code == 200, saved.get_data(as_text=True)


def test_readyz_names_redis_when_it_is_down_while_healthz_stays_200(redis_down):
    client = redis_down.test_client()
    assert client.get("/healthz").status_code == 200  # alive: do not restart it
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json == {"status": "unavailable", "down": ["redis"], "checks": {"database": "ok", "redis": "down"}}


def test_readyz_is_200_when_everything_answers(client, app):
    ready = client.get("/readyz")
    assert ready.status_code == 200
    expected_redis = "ok" if app.config["REDIS_URL"] else "not_used"
    assert ready.json == {"status": "ready", "down": [], "checks": {"database": "ok", "redis": expected_redis}}


def test_sends_that_cannot_be_queued_wait_for_the_sweep(redis_down, caplog):
    from eduapp.tasks.reminders import queue_channels

    with redis_down.app_context(), caplog.at_level(logging.WARNING):
        assert queue_channels({1: "email", 2: "sms"}) == 0  # nothing queued, nothing raised
    assert "the sweep will queue them again" in caplog.text


def test_failed_sign_ins_still_call_for_the_captcha_with_redis_down(own_app, learner):
    """The per-account failure count (issue 15 item 2) goes on in memory too: a guesser meets the
    captcha after 5 failures even while Redis is down, and nothing answers 500."""
    app = own_app(EDUAPP_REDIS_URL=dead_redis_url())
    client = app.test_client()
    codes = [client.post("/api/v1/auth/token", json={"username": "staff-a", "password": "wrong-password-123"})
             .json["error"]["code"] for _ in range(6)]
    assert codes[:4] == ["unauthorized"] * 4 and codes[-1] == "captcha_required"
