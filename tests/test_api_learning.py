"""The learner API: my profile, practice in rounds, the daily set, the wrong-answer book, my attempts,
the inbox and reminder settings; bad input names its field, another person's reminder is 404; and
the whole API is under one per-user rate limit that answers 429 rate_limited."""

from datetime import UTC, datetime

import flask_limiter
import pytest
import time_machine
from flask import request
from sqlalchemy import select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import AuditRecord, Question, Reminder
from eduapp.services import practice as practice_service
from tests import factories
from tests.conftest import PASSWORD

LAW = "中华人民共和国行政处罚法"
RIGHT = {"single": 1, "multiple": [0, 2, 3], "true_false": True, "fill_blank": ["十五"]}
WRONG = {"single": 0, "multiple": [1], "true_false": False, "fill_blank": ["三十"]}

NEW_PATHS = {
    "/api/v1/me", "/api/v1/me/attempts", "/api/v1/me/practice", "/api/v1/practice/next", "/api/v1/practice/answers",
    "/api/v1/practice/daily", "/api/v1/practice/daily/answers", "/api/v1/me/wrong-answers", "/api/v1/me/inbox",
    "/api/v1/me/inbox/unread-count", "/api/v1/me/inbox/{reminder_id}/read", "/api/v1/me/inbox/read-all",
    "/api/v1/me/reminder-preferences",
}

# The rate limits count in windows of a minute: their tests run frozen in the middle of one.
MID_MINUTE = datetime(2026, 3, 16, 2, 0, 30, tzinfo=UTC)


@pytest.fixture
def world(ctx):
    factories.bank()  # 24 published questions, 6 of each type, all citing LAW
    org = factories.enterprise("甲企业", 1)
    factories.user("staff-a", org, Role.ENTERPRISE_STAFF, full_name="张三", email="a@example.com")
    factories.user("staff-b", org, Role.ENTERPRISE_STAFF)
    return factories.exam()


def _token(client, username="staff-a"):
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def _answer(question, right=True, **extra):
    table = RIGHT if right else WRONG
    return {"question_id": question["id"], "version_id": question["version_id"], "response": table[question["qtype"]],
            **extra}


def _fields(response):
    assert response.status_code == 422, (response.status_code, response.json)
    assert response.json["error"]["code"] == "invalid"
    return set(response.json["error"]["fields"])


def test_every_new_path_is_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").json
    assert set(doc["paths"]) >= NEW_PATHS
    # the documented error body is the one the API sends
    assert set(doc["components"]["schemas"]["Error"]["properties"]) == {"error"}
    assert "429" in doc["paths"]["/api/v1/practice/answers"]["post"]["responses"]


def test_my_profile(client, world):
    me = client.get("/api/v1/me", headers=_token(client)).json
    assert (me["username"], me["full_name"], me["email"]) == ("staff-a", "张三", "a@example.com")
    assert me["organisation"]["name"] == "甲企业" and me["organisation"]["kind"] == "enterprise"
    assert me["roles"] == ["enterprise_staff"] and "study" in me["permissions"]
    assert client.get("/api/v1/me").status_code == 401


def test_a_round_of_practice_by_law(client, world):
    headers = _token(client)
    overview = client.get("/api/v1/me/practice", headers=headers).json
    assert (overview["total"], overview["mastered"], overview["book"], overview["daily_total"]) == (24, 0, 0, 10)
    assert overview["laws"] == [{"law": LAW, "total": 24, "mastered": 0, "percent": 0}]

    step = client.get("/api/v1/practice/next", query_string={"kind": "law", "value": LAW}, headers=headers).json
    assert step["progress"] == {"total": 24, "answered": 0, "right_first_time": 0, "position": 1, "finished": False}
    first = step["question"]
    assert {"id", "version_id", "qtype", "stem", "options", "blanks"} <= set(first) and "answer" not in first

    result = client.post("/api/v1/practice/answers", json=_answer(first), headers=headers)
    assert result.status_code == 200, result.json
    assert result.json["correct"] is True and result.json["points_earned"] == 1
    assert result.json["law"] == LAW and "explanation" in result.json and result.json["answer"] is not None

    # the same round goes on with another question; the round is kept in its token
    step = client.get("/api/v1/practice/next", query_string={"kind": "law", "value": LAW, "round": step["round"]},
                      headers=headers).json
    assert step["question"]["id"] != first["id"] and step["progress"]["answered"] == 1
    wrong = client.post("/api/v1/practice/answers", json=_answer(step["question"], right=False), headers=headers).json
    assert wrong["correct"] is False and wrong["points_earned"] == 0
    if step["question"]["qtype"] in ("single", "multiple"):
        assert "wrong" in wrong["option_marks"]

    overview = client.get("/api/v1/me/practice", headers=headers).json
    assert (overview["mastered"], overview["book"]) == (1, 1)
    assert overview["laws"][0]["mastered"] == 1
    assert client.get("/api/v1/me/points", headers=headers).json["available"] == 1


def test_the_wrong_answer_book_and_its_retry(client, world):
    headers = _token(client)
    missed = []
    step = {"round": ""}
    for _ in range(3):
        step = client.get("/api/v1/practice/next", query_string={"kind": "law", "value": LAW, "round": step["round"]},
                          headers=headers).json
        client.post("/api/v1/practice/answers", json=_answer(step["question"], right=False), headers=headers)
        missed.append(step["question"]["id"])

    book = client.get("/api/v1/me/wrong-answers", headers=headers).json
    assert book["total"] == 3 and [e["question"]["id"] for e in book["items"]] == missed[::-1]  # latest first
    assert all(e["times_wrong"] == 1 for e in book["items"])
    second = client.get("/api/v1/me/wrong-answers", query_string={"per_page": 2, "page": 2}, headers=headers).json
    assert (second["total"], second["page"], second["per_page"], len(second["items"])) == (3, 2, 2, 1)
    assert client.get("/api/v1/me/wrong-answers", query_string={"law": "另一部法"}, headers=headers).json["total"] == 0

    # retry the book as a round: only its questions, then one answered right leaves the book
    round_ = client.get("/api/v1/practice/next", query_string={"kind": "book"}, headers=headers).json
    assert round_["progress"]["total"] == 3 and round_["question"]["id"] in missed
    client.post("/api/v1/practice/answers", json=_answer(round_["question"]), headers=headers)
    left = client.get("/api/v1/me/wrong-answers", headers=headers).json
    assert left["total"] == 2 and round_["question"]["id"] not in [e["question"]["id"] for e in left["items"]]
    # …or retry any entry directly
    entry = left["items"][0]["question"]
    assert client.post("/api/v1/practice/answers", json=_answer(entry), headers=headers).json["correct"] is True
    assert client.get("/api/v1/me/wrong-answers", headers=headers).json["total"] == 1


def test_practice_points_stop_at_the_daily_cap(client, world):
    headers = _token(client)
    earned = []
    step = {"round": ""}
    for _ in range(6):
        step = client.get("/api/v1/practice/next", query_string={"kind": "law", "value": LAW, "round": step["round"]},
                          headers=headers).json
        earned.append(client.post("/api/v1/practice/answers", json=_answer(step["question"]),
                                  headers=headers).json["points_earned"])
    assert earned == [1, 1, 1, 1, 1, 0]


def test_bad_practice_input_names_the_field(client, world):
    headers = _token(client)
    assert _fields(client.get("/api/v1/practice/next", query_string={"kind": "chapter"}, headers=headers)) == {"kind"}
    assert _fields(client.get("/api/v1/practice/next", query_string={"kind": "law", "value": " "},
                              headers=headers)) == {"value"}
    assert _fields(client.get("/api/v1/practice/next", query_string={"kind": "tag", "value": "a\x00b"},
                              headers=headers)) == {"value"}
    empty = client.get("/api/v1/practice/next", query_string={"kind": "law", "value": "没有这部法"}, headers=headers)
    assert empty.status_code == 404 and empty.json["error"]["code"] == "not_found"

    question = client.get("/api/v1/practice/next", query_string={"kind": "law", "value": LAW},
                          headers=headers).json["question"]
    post = lambda body: client.post("/api/v1/practice/answers", json=body, headers=headers)  # noqa: E731
    assert _fields(post({"question_id": question["id"]})) == {"response"}
    assert _fields(post({"response": None})) == {"question_id"}
    assert _fields(post({"question_id": str(question["id"]), "response": None})) == {"question_id"}
    assert _fields(post({"question_id": True, "response": None})) == {"question_id"}
    assert _fields(post({"question_id": 2**40, "response": None})) == {"question_id"}
    assert _fields(post({"question_id": 999_999, "response": None})) == {"question_id"}  # no such question
    assert _fields(post({**_answer(question), "response": None})) == {"response"}  # practice asks for an answer
    assert _fields(post({**_answer(question), "response": {"a": 1}})) == {"response"}
    assert _fields(post({**_answer(question), "extra": 1})) == {"extra"}
    stale = post({**_answer(question), "version_id": question["version_id"] + 1000})
    assert stale.status_code == 409 and stale.json["error"]["code"] == "question_updated"
    assert client.post("/api/v1/practice/answers", data="{not json", content_type="application/json",
                       headers=headers).status_code == 400
    # nothing of this was stored
    assert client.get("/api/v1/me/practice", headers=headers).json["mastered"] == 0


@pytest.fixture
def practice_day(monkeypatch):
    """The daily set is drawn by the day: pin the practice clock so the set, and so which questions lie
    outside it, is the same whatever the date the suite runs on."""
    now = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
    monkeypatch.setattr(practice_service, "utcnow", lambda: now)
    return now


def test_the_daily_set(client, world, practice_day):
    headers = _token(client)
    today = client.get("/api/v1/practice/daily", headers=headers).json
    assert (today["total"], today["answered"], today["position"], today["finished"]) == (10, 0, 1, False)
    assert len(today["items"]) == 10 and all(i["correct"] is None and i["available"] for i in today["items"])
    question = today["question"]

    first = client.post("/api/v1/practice/daily/answers", json=_answer(question), headers=headers).json
    assert first["correct"] is True and first["counted"] is True and first["points_earned"] == 1
    assert first["daily"]["answered"] == 1 and first["daily"]["question"]["id"] != question["id"]
    again = client.post("/api/v1/practice/daily/answers", json=_answer(question, right=False), headers=headers).json
    assert again["counted"] is False and again["correct"] is False and again["points_earned"] == 0
    assert again["daily"]["answered"] == 1 and again["daily"]["right"] == 1

    in_set = {i["question_id"] for i in today["items"]}
    outside = next(qid for qid in range(1, 100) if qid not in in_set)
    # a well-formed answer to a question of the bank that is not in today's set: refused for the question
    well_formed = RIGHT[db.session.get(Question, outside).current.qtype]
    not_today = client.post("/api/v1/practice/daily/answers", json={"question_id": outside, "response": well_formed},
                            headers=headers)
    assert _fields(not_today) == {"question_id"}


def test_my_attempts_with_their_results(client, world):
    headers = _token(client)
    attempt = client.post(f"/api/v1/exams/{world.id}/attempts", headers=headers).json
    running = client.get("/api/v1/me/attempts", headers=headers).json
    assert running["total"] == 1 and running["items"][0]["state"] == "in_progress"
    for item in attempt["items"]:
        client.put(f"/api/v1/attempts/{attempt['id']}/answers/{item['id']}", headers=headers,
                   json={"response": RIGHT[item["qtype"]], "seq": 1})
    client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=headers)

    [done] = client.get("/api/v1/me/attempts", query_string={"exam_id": world.id}, headers=headers).json["items"]
    assert (done["id"], done["state"], done["score"], done["passed"], done["points_awarded"]) == (
        attempt["id"], "finished", 20.0, True, 2)
    assert done["review"] is True and done["annulled"] is False and done["exam_title"] == "年度学法考试"
    assert client.get("/api/v1/me/attempts", query_string={"state": "in_progress"}, headers=headers).json["total"] == 0
    assert client.get("/api/v1/me/attempts", query_string={"exam_id": 99999}, headers=headers).json["total"] == 0
    assert client.get("/api/v1/me/attempts", headers=_token(client, "staff-b")).json["total"] == 0
    assert _fields(client.get("/api/v1/me/attempts", query_string={"state": "paused"}, headers=headers)) == {"state"}


def test_the_paper_comes_as_utf8_and_without_its_key(client, world):
    """Chinese text is sent as UTF-8, not as \\u escapes (half the bytes on a phone's connection), and the
    paper of a running attempt carries no answer key, mark or explanation."""
    headers = _token(client)
    response = client.post(f"/api/v1/exams/{world.id}/attempts", headers=headers)
    assert response.status_code == 201
    stem = response.json["items"][0]["stem"]
    assert any(ord(ch) > 127 for ch in stem)
    assert stem.encode("utf-8") in response.data and b"\\u" not in response.data
    reread = client.get(f"/api/v1/attempts/{response.json['id']}", headers=headers).json
    for item in (*response.json["items"], *reread["items"]):
        assert not {"answer", "mark", "correct", "explanation", "law", "article"} & set(item)


def test_learning_needs_a_learner(client, world):
    editor = factories.user("editor-1", factories.unit("法规科"), Role.QUESTION_EDITOR)
    headers = _token(client, editor.username)
    for path in ("/api/v1/me/practice", "/api/v1/practice/daily", "/api/v1/me/wrong-answers", "/api/v1/me/attempts"):
        response = client.get(path, headers=headers)
        assert response.status_code == 403 and response.json["error"]["code"] == "forbidden", path
    assert client.get("/api/v1/me", headers=headers).json["roles"] == ["question_editor"]
    assert client.get("/api/v1/me/inbox", headers=headers).status_code == 200


# --- the inbox and reminder settings -------------------------------------------------------------------


def _reminders(username: str, n: int) -> list[int]:
    from eduapp.services import accounts

    user = accounts.find_by_username(username)
    ids = []
    for i in range(n):
        reminder = Reminder(kind="exam_closing", object_type="exam", object_id=i + 1, recipient_id=user.id,
                            occasion=f"{i}d", link="/exams/", params={"title": f"考试{i}", "close": "2026-03-09 18:00"})
        db.session.add(reminder)
        db.session.flush()
        ids.append(reminder.id)
    db.session.commit()
    return ids


def test_the_inbox(client, world):
    mine = _reminders("staff-a", 3)
    [theirs] = _reminders("staff-b", 1)
    headers = _token(client)

    inbox = client.get("/api/v1/me/inbox", headers=headers).json
    assert inbox["total"] == 3 and [i["id"] for i in inbox["items"]] == mine[::-1]  # newest first
    item = inbox["items"][0]
    assert item["read"] is False and item["read_at"] is None and item["link"] == "/exams/"
    assert "考试2" in item["subject"] + item["text"] and item["url"].endswith("/exams/") and item["kind_label"]
    assert client.get("/api/v1/me/inbox/unread-count", headers=headers).json == {"unread": 3}

    read = client.post(f"/api/v1/me/inbox/{mine[0]}/read", headers=headers)
    assert read.status_code == 200 and read.json["read"] is True and read.json["read_at"]
    assert client.post(f"/api/v1/me/inbox/{mine[0]}/read", headers=headers).json["read_at"] == read.json["read_at"]
    assert client.get("/api/v1/me/inbox/unread-count", headers=headers).json == {"unread": 2}
    unread = client.get("/api/v1/me/inbox", query_string={"unread": "true"}, headers=headers).json
    assert unread["total"] == 2 and mine[0] not in [i["id"] for i in unread["items"]]

    # another person's reminder is not found, and stays unread
    other = client.post(f"/api/v1/me/inbox/{theirs}/read", headers=headers)
    assert other.status_code == 404 and other.json["error"]["code"] == "not_found"
    assert client.post("/api/v1/me/inbox/2147483648/read", headers=headers).status_code == 404
    assert client.get("/api/v1/me/inbox/unread-count", headers=_token(client, "staff-b")).json == {"unread": 1}

    assert client.post("/api/v1/me/inbox/read-all", headers=headers).json == {"marked": 2}
    assert client.post("/api/v1/me/inbox/read-all", headers=headers).json == {"marked": 0}
    assert client.get("/api/v1/me/inbox", query_string={"unread": "true"}, headers=headers).json["total"] == 0


def test_pagination_bounds(client, world):
    _reminders("staff-a", 3)
    headers = _token(client)
    page = client.get("/api/v1/me/inbox", query_string={"page": 2, "per_page": 2}, headers=headers).json
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (3, 2, 2, 1)
    beyond = client.get("/api/v1/me/inbox", query_string={"page": 9}, headers=headers).json
    assert beyond["items"] == [] and beyond["total"] == 3
    for bad in ({"per_page": 101}, {"per_page": 0}, {"page": 0}, {"page": "two"}, {"page": 10**7}):
        name = next(iter(bad))
        assert _fields(client.get("/api/v1/me/inbox", query_string=bad, headers=headers)) == {name}, bad
    assert _fields(client.get("/api/v1/me/inbox", query_string={"unread": "maybe"}, headers=headers)) == {"unread"}


def test_reminder_preferences(client, world):
    headers = _token(client)
    saved = client.get("/api/v1/me/reminder-preferences", headers=headers).json
    assert saved == {"email": True, "sms": True, "email_address": "a@example.com", "phone": None}

    changed = client.put("/api/v1/me/reminder-preferences", json={"email": False, "sms": True}, headers=headers)
    assert changed.status_code == 200 and changed.json["email"] is False and changed.json["sms"] is True
    assert client.get("/api/v1/me/reminder-preferences", headers=headers).json["email"] is False
    assert db.session.execute(select(AuditRecord).where(AuditRecord.action == "reminder.preferences")).first()

    assert _fields(client.put("/api/v1/me/reminder-preferences", json={"email": "no", "sms": 1},
                              headers=headers)) == {"email", "sms"}
    assert _fields(client.put("/api/v1/me/reminder-preferences", json={"email": True}, headers=headers)) == {"sms"}
    assert client.get("/api/v1/me/reminder-preferences", headers=headers).json["email"] is False  # unchanged


def test_cookie_writes_need_the_csrf_header(client, auth, world):
    from tests.conftest import csrf_token

    auth.login("staff-a")
    body = {"email": False, "sms": False}
    assert client.put("/api/v1/me/reminder-preferences", json=body).status_code == 400
    ok = client.put("/api/v1/me/reminder-preferences", json=body, headers={"X-CSRFToken": csrf_token(client, "/")})
    assert ok.status_code == 200 and ok.json["sms"] is False


# --- the rate limit ------------------------------------------------------------------------------------


def test_the_api_answers_429_beyond_its_rate_limit(app, client, world, monkeypatch):
    # a sliding window of a minute: the fourth try at hh:mm:59.9 would fall in the next window
    with time_machine.travel(MID_MINUTE, tick=False):
        a, b = _token(client), _token(client, "staff-b")
        monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
        # one budget for the whole API: different endpoints, modules and methods count together
        codes = [client.get("/api/v1/me", headers=a).status_code, client.get("/api/v1/me/points", headers=a).status_code,
                 client.get("/api/v1/me/inbox/unread-count", headers=a).status_code]
        assert codes == [200, 200, 200]
        # an answer within the budget does not count what is left (EDUAPP_API_RATE_LIMIT_HEADERS, below)
        assert "X-RateLimit-Remaining" not in client.get("/api/v1/me", headers=b).headers
        refused = client.post("/api/v1/me/inbox/read-all", headers=a)
        assert refused.status_code == 429
        assert refused.json["error"]["code"] == "rate_limited" and refused.json["error"]["message"]
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert (refused.headers["X-RateLimit-Limit"], refused.headers["X-RateLimit-Remaining"]) == ("3", "0")
        assert 0 < int(refused.headers["X-RateLimit-Reset"]) - MID_MINUTE.timestamp() <= 61
        assert client.get("/api/v1/me", headers=a).status_code == 429
        # the budget is per person: another account is still served
        assert client.get("/api/v1/me", headers=b).status_code == 200
        # without a token, per address
        anonymous = [client.get("/api/v1/me", environ_base={"REMOTE_ADDR": "10.1.1.1"}).status_code for _ in range(4)]
        assert anonymous == [401, 401, 401, 429]


@pytest.mark.redis
def test_a_limit_of_hundreds_is_kept_exactly_though_counted_in_the_process(app, client, world, monkeypatch):
    # eduapp/api/rate_tally.py: far below the limit the process counts requests itself and adds them to
    # Redis in batches; in the last quarter every request is counted in Redis, so the 101st is refused
    from eduapp.api import limits as api_limits
    from eduapp.extensions import limiter

    with time_machine.travel(MID_MINUTE, tick=False):
        a = _token(client)
        monkeypatch.setitem(app.config, "API_RATE_LIMIT", "100 per minute")
        codes = [client.get("/api/v1/me/inbox/unread-count", headers=a).status_code for _ in range(101)]
        assert codes == [200] * 100 + [429]
        tally = api_limits._tally(limiter.limiter)  # noqa: SLF001
        assert tally is not None  # the Redis pass counts through the tally
        assert client.get("/api/v1/me", headers=_token(client, "staff-b")).status_code == 200  # held here
        limiter.reset()  # the suite's reset between tests: what the process holds goes with Redis's counters
        assert (tally._pending, tally._sending, tally._known) == ({}, {}, {})  # noqa: SLF001
        assert client.get("/api/v1/me", headers=a).status_code == 200


def test_the_token_endpoint_keeps_its_own_limit_outside_the_api_budget(app, client, world, monkeypatch):
    # POST /api/v1/auth/token counts failed sign-ins per address (EDUAPP_LOGIN_RATE_LIMIT), not the API's
    # budget: asking for tokens does not use up the requests a candidate has left for answers
    with time_machine.travel(MID_MINUTE, tick=False):
        monkeypatch.setitem(app.config, "API_RATE_LIMIT", "2 per minute")
        tokens = [_token(client) for _ in range(3)]
        assert [client.get("/api/v1/me", headers=tokens[0]).status_code for _ in range(3)] == [200, 200, 429]
        monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per minute")
        wrong = [client.post("/api/v1/auth/token", json={"username": "staff-a", "password": "wrong-password-1"},
                             environ_base={"REMOTE_ADDR": "10.2.2.2"}).status_code for _ in range(3)]
        assert wrong == [401, 401, 429]


def test_flask_limiters_hook_leaves_the_api_to_its_own_count(client, world, monkeypatch):
    # eduapp.request_limiter: an API request is counted once, by eduapp.api.limits; Flask-Limiter's
    # per-request check does not run for it (issue 19), and still runs for pages and the token endpoint
    checked = []
    original = flask_limiter.Limiter._check_request_limit

    def recording(self, callable_name=None, in_middleware=True):
        checked.append(request.endpoint)
        return original(self, callable_name=callable_name, in_middleware=in_middleware)

    monkeypatch.setattr(flask_limiter.Limiter, "_check_request_limit", recording)
    a = _token(client)
    assert client.get("/api/v1/me", headers=a).status_code == 200
    assert client.get("/login").status_code == 200
    assert "api_auth.token" in checked and "auth.login" in checked
    assert not [endpoint for endpoint in checked if endpoint and endpoint.startswith("api_me.")]


def test_flask_limiters_after_request_and_teardown_leave_the_api_alone(client, world, monkeypatch):
    # eduapp.request_limiter: its after-request hook and teardown no longer build a context of their own
    # for a request none of its checks saw (issue 19); after a check (the token endpoint's limit) they run
    import flask_limiter._extension as extension

    made = []

    class Recorded(extension.LimiterContext):
        def __init__(self, *args, **kwargs):
            made.append(request.endpoint)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(extension, "LimiterContext", Recorded)
    a = _token(client)
    assert made == ["api_auth.token"]
    assert client.get("/api/v1/me", headers=a).status_code == 200
    assert made == ["api_auth.token"]


def test_rate_limit_headers_on_every_answer_when_asked(tmp_path):
    # Flask-Limiter reads the setting when it is first bound to an app: a process of its own.
    import json
    import subprocess
    import sys

    script = """
import json, sys
from eduapp import create_app
app = create_app({"EDUAPP_ENV": "testing", "EDUAPP_SECRET_KEY": "x" * 40, "EDUAPP_DATABASE_URL": sys.argv[1],
                  "EDUAPP_API_RATE_LIMIT_HEADERS": sys.argv[2], "EDUAPP_API_RATE_LIMIT": "5 per minute"})
reply = app.test_client().get("/api/v1/me")
print(json.dumps([reply.status_code, {k: v for k, v in reply.headers.items() if k.startswith("X-RateLimit")}]))
"""
    url = f"sqlite:///{tmp_path / 'headers.db'}"
    for setting, expected in (("true", {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "4"}), ("false", {})):
        out = subprocess.run([sys.executable, "-c", script, url, setting], capture_output=True, text=True, check=True)
        status, headers = json.loads(out.stdout.strip().splitlines()[-1])
        headers.pop("X-RateLimit-Reset", None)
        assert (status, headers) == (401, expected), out.stderr[-2000:]


def test_every_api_blueprint_is_under_the_rate_limit(app):
    from eduapp.api.limits import limited_blueprints

    blueprints = {rule.endpoint.rsplit(".", 1)[0] for rule in app.url_map.iter_rules()
                  if rule.rule.startswith("/api/")}
    assert blueprints and blueprints <= limited_blueprints(), blueprints - limited_blueprints()


def test_the_api_rate_limit_setting(tmp_path):
    from eduapp.config import ConfigError, load_config

    assert load_config(tmp_path, {})["API_RATE_LIMIT"] == "600 per minute"
    assert load_config(tmp_path, {})["RATELIMIT_HEADERS_ENABLED"] is False
    assert load_config(tmp_path, {"EDUAPP_API_RATE_LIMIT_HEADERS": "true"})["RATELIMIT_HEADERS_ENABLED"] is True
    assert load_config(tmp_path, {"EDUAPP_API_RATE_LIMIT": "20/second"})["API_RATE_LIMIT"] == "20/second"
    with pytest.raises(ConfigError, match="EDUAPP_API_RATE_LIMIT"):
        load_config(tmp_path, {"EDUAPP_API_RATE_LIMIT": "lots"})


def test_a_practice_choice_may_be_typed_as_option_letters(client, world):
    """Forgiving input (issue 16, item 4): "Ａ，Ｃ，Ｄ" as a Chinese input method types it is A, C, D."""
    headers = _token(client)
    ids = dict(db.session.execute(select(Question.uid, Question.id)).all())
    right = client.post("/api/v1/practice/answers", json={"question_id": ids["m-000"], "response": "Ａ，Ｃ，Ｄ"},
                        headers=headers)
    assert right.status_code == 200, right.json
    assert right.json["correct"] is True and right.json["response"] == [0, 2, 3]
    single = client.post("/api/v1/practice/answers", json={"question_id": ids["s-000"], "response": "ｂ"},
                         headers=headers)
    assert single.status_code == 200 and single.json["correct"] is True
    no_such = client.post("/api/v1/practice/answers", json={"question_id": ids["m-000"], "response": "A,Z"},
                          headers=headers)
    assert "response" in _fields(no_such)
