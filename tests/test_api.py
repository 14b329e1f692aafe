"""The exam API: bearer tokens, the attempt flow, JSON errors, another candidate's attempt is 404."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import ApiToken, Attempt, utcnow
from tests import factories
from tests.conftest import PASSWORD, csrf_token


@pytest.fixture
def world(ctx):
    factories.bank()
    org = factories.enterprise("甲企业", 1)
    factories.user("staff-a", org, Role.ENTERPRISE_STAFF)
    factories.user("staff-b", org, Role.ENTERPRISE_STAFF)
    exam = factories.exam()
    return exam


def _token(client, username="staff-a", password=PASSWORD):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def _right(item):
    return {"single": 1, "multiple": [0, 2, 3], "true_false": True, "fill_blank": ["十五"]}[item["qtype"]]


def test_openapi_document_lists_every_endpoint(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    assert {
        "/api/v1/auth/token", "/api/v1/me/exams", "/api/v1/exams/{exam_id}/attempts", "/api/v1/attempts/{attempt_id}",
        "/api/v1/attempts/{attempt_id}/answers/{item_id}", "/api/v1/attempts/{attempt_id}/submit", "/api/v1/me/points",
    } <= set(doc["paths"])
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_tokens_expire_and_can_be_revoked(client, world):
    bad = client.post("/api/v1/auth/token", json={"username": "staff-a", "password": "wrong-password"})
    assert bad.status_code == 401 and set(bad.json["error"]) == {"code", "message"}
    assert bad.json["error"]["code"] == "unauthorized"
    missing = client.post("/api/v1/auth/token", json={"username": "staff-a"})
    assert missing.status_code == 422 and "password" in missing.json["error"]["fields"]

    headers = _token(client)
    assert client.get("/api/v1/me/exams", headers=headers).status_code == 200
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me/exams", headers=headers).status_code == 401

    headers = _token(client)
    db.session.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get("/api/v1/me/exams", headers=headers).json["error"]["code"] == "unauthorized"
    assert client.get("/api/v1/me/exams").status_code == 401  # no token at all


def test_the_attempt_flow(client, world):
    headers = _token(client)
    [summary] = client.get("/api/v1/me/exams", headers=headers).json
    assert (summary["id"], summary["state"], summary["max_score"], summary["attempts_used"]) == (world.id, "open", 20, 0)

    started = client.post(f"/api/v1/exams/{world.id}/attempts", headers=headers)
    assert started.status_code == 201
    attempt = started.json
    assert {"id", "deadline", "server_time", "items"} <= set(attempt)
    assert len(attempt["items"]) == 10 and attempt["review"] is False
    assert all("answer" not in item and "explanation" not in item for item in attempt["items"])
    # starting again returns the attempt in progress, the same paper
    again = client.post(f"/api/v1/exams/{world.id}/attempts", headers=headers).json
    assert again["id"] == attempt["id"] and again["items"] == attempt["items"]

    base = f"/api/v1/attempts/{attempt['id']}"
    for item in attempt["items"]:
        saved = client.put(f"{base}/answers/{item['id']}", headers=headers, json={"response": _right(item), "seq": 2})
        assert saved.status_code == 200 and saved.json == {"saved_seq": 2}
    first = attempt["items"][0]
    stale = client.put(f"{base}/answers/{first['id']}", headers=headers, json={"response": None, "seq": 1})
    assert stale.json == {"saved_seq": 2}
    bad_seq = client.put(f"{base}/answers/{first['id']}", headers=headers, json={"response": None, "seq": "3"})
    assert bad_seq.status_code == 422 and "seq" in bad_seq.json["error"]["fields"]
    bad = client.put(f"{base}/answers/{first['id']}", headers=headers, json={"response": "x", "seq": 3})
    assert bad.status_code == 422 and bad.json["error"]["fields"] == {"response": bad.json["error"]["fields"]["response"]}
    assert client.get(base, headers=headers).json["items"][0]["response"] == _right(first)

    result = client.post(f"{base}/submit", headers=headers)
    assert result.json == {"score": 20.0, "max_score": 20.0, "passed": True, "points_awarded": 2}
    assert '"score":20}' in result.get_data(as_text=True).replace(" ", "")  # a whole score has no ".0"
    assert client.post(f"{base}/submit", headers=headers).json == result.json
    late = client.put(f"{base}/answers/{first['id']}", headers=headers, json={"response": None, "seq": 9})
    assert late.status_code == 409 and late.json["error"]["code"] == "finished"

    review = client.get(base, headers=headers).json
    assert review["review"] is True and review["state"] == "finished"
    assert all(item["correct"] and "answer" in item for item in review["items"])
    assert client.get("/api/v1/me/points", headers=headers).json == {"available": 2, "reserved": 0, "expiring_30d": 0}


def test_time_up_is_a_clear_conflict(client, world):
    headers = _token(client)
    attempt = client.post(f"/api/v1/exams/{world.id}/attempts", headers=headers).json
    db.session.execute(update(Attempt).values(deadline=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    item = attempt["items"][0]
    response = client.put(f"/api/v1/attempts/{attempt['id']}/answers/{item['id']}", headers=headers,
                          json={"response": None, "seq": 1})
    assert response.status_code == 409 and response.json["error"]["code"] == "time_up"
    assert client.get(f"/api/v1/attempts/{attempt['id']}", headers=headers).json["state"] == "finished"


def test_another_candidate_s_attempt_is_not_found(client, world):
    attempt = client.post(f"/api/v1/exams/{world.id}/attempts", headers=_token(client)).json
    other = _token(client, "staff-b")
    base = f"/api/v1/attempts/{attempt['id']}"
    assert client.get(base, headers=other).status_code == 404
    item = attempt["items"][0]
    assert client.put(f"{base}/answers/{item['id']}", headers=other, json={"response": None, "seq": 1}).status_code == 404
    assert client.post(f"{base}/submit", headers=other).status_code == 404
    # an exam outside one's audience is not found either
    civil = factories.user("civil-1", factories.unit("执法大队"), Role.CIVIL_SERVANT)
    assert client.post(f"/api/v1/exams/{world.id}/attempts", headers=_token(client, civil.username)).status_code == 404


def test_the_exam_page_calls_the_api_with_its_session_and_csrf_token(client, auth, world):
    auth.login("staff-a")
    attempt = client.post(f"/api/v1/exams/{world.id}/attempts",
                          headers={"X-CSRFToken": csrf_token(client, "/")}).json
    item = attempt["items"][0]
    url = f"/api/v1/attempts/{attempt['id']}/answers/{item['id']}"
    assert client.put(url, json={"response": None, "seq": 1}).status_code == 400  # no CSRF header
    ok = client.put(url, json={"response": None, "seq": 1}, headers={"X-CSRFToken": csrf_token(client, "/")})
    assert ok.status_code == 200


def test_the_attempt_document_is_exactly_the_documented_schema(client, world):
    """The start and the re-read send the paper without marshmallow (api.routes.attempt_response): the
    document must be what AttemptOut would dump, in progress and in review, to the byte."""
    import json

    from flask import jsonify

    from eduapp.api.routes import AttemptOut, attempt_payload, attempt_response
    from eduapp.services import attempts

    headers = _token(client)
    started = client.post(f"/api/v1/exams/{world.id}/attempts", headers=headers).json
    base = f"/api/v1/attempts/{started['id']}"
    first = started["items"][0]
    client.put(f"{base}/answers/{first['id']}", headers=headers, json={"response": _right(first), "seq": 1,
                                                                       "flagged": True})
    attempt = db.session.get(Attempt, started["id"])
    with client.application.test_request_context():
        for state in ("in progress", "in review"):
            if state == "in review":
                attempts.submit(attempt)
            payload = attempt_payload(attempt)
            fast = attempt_response(payload).get_data(as_text=True)
            assert fast == jsonify(AttemptOut().dump(payload)).get_data(as_text=True), state
            assert json.loads(fast)["review"] is (state == "in review")
