"""Fair under overload (issue 19, item 2): an answer or a submission that reached us before the deadline
is saved even if a busy server processes it after; one that reached us after it is refused as before.
"Reached" is the trusted proxy's X-Request-Start, else the time the WSGI server handed the request to
the app (eduapp/request_time.py); never a time the client claims, and never an absurd stamp."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from flask import request
from sqlalchemy import select

from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import Attempt, AttemptItem
from eduapp.request_time import ENVIRON_KEY, parse_stamp, received_timestamp
from tests import factories
from tests.conftest import PASSWORD, csrf_token

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
SLOW = "X-Test-Slow-Until"  # the test's hook: the clock moves to this time before the view runs


@pytest.fixture
def world(ctx):
    with time_machine.travel(T0, tick=False):
        factories.bank()
        org = factories.enterprise("甲企业", 1)
        factories.user("staff-a", org, Role.ENTERPRISE_STAFF)
        return factories.exam(duration_minutes=30)


def _slow_app(build, **settings):
    """An app whose requests are processed late: a request carrying SLOW waits, before its view, until the
    clock shows that time (as a busy server's queue would make it)."""
    application = build(**settings)
    clock: dict = {}

    @application.before_request
    def _wait():
        if SLOW in request.headers:
            clock["traveller"].move_to(datetime.fromtimestamp(float(request.headers[SLOW]), UTC))

    return application, clock


def _started(client):
    token = client.post("/api/v1/auth/token", json={"username": "staff-a", "password": PASSWORD}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}
    exam_id = client.get("/api/v1/me/exams", headers=headers).json[0]["id"]
    attempt = client.post(f"/api/v1/exams/{exam_id}/attempts", headers=headers).json
    deadline = datetime.fromisoformat(attempt["deadline"]).replace(tzinfo=UTC)
    return headers, attempt, deadline


def _answer(item):
    return {"single": 1, "multiple": [0, 2], "true_false": True, "fill_blank": ["十五"]}[item["qtype"]]


def _save(client, headers, attempt, n, **extra):
    item = attempt["items"][n]
    return client.put(f"/api/v1/attempts/{attempt['id']}/answers/{item['id']}", headers={**headers, **extra},
                      json={"response": _answer(item), "seq": 1})


def _stored_seq(attempt, n) -> int:
    db.session.remove()
    return db.session.get(AttemptItem, attempt["items"][n]["id"]).seq


def test_an_answer_that_reached_the_app_in_time_is_kept_though_processed_late(world, own_app):
    application, clock = _slow_app(own_app)
    client = application.test_client()
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False) as traveller:
        clock["traveller"] = traveller
        headers, attempt, deadline = _started(client)
        late = str((deadline + timedelta(seconds=5)).timestamp())
        traveller.move_to(deadline - timedelta(seconds=1))  # it reaches the app a second before the deadline
        kept = _save(client, headers, attempt, 0, **{SLOW: late})  # and is processed 5 s after it
        assert kept.status_code == 200 and kept.json == {"saved_seq": 1}
        assert _stored_seq(attempt, 0) == 1
        # One that reaches the app after the deadline is refused, as before.
        traveller.move_to(deadline + timedelta(seconds=1))
        refused = _save(client, headers, attempt, 1, **{SLOW: late})
        assert refused.status_code == 409 and refused.json["error"]["code"] == "time_up"
        assert _stored_seq(attempt, 1) == 0


def test_behind_a_trusted_proxy_its_stamp_decides(world, own_app):
    client = own_app(EDUAPP_TRUSTED_PROXIES="1").test_client()
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False) as traveller:
        headers, attempt, deadline = _started(client)
        traveller.move_to(deadline + timedelta(seconds=5))  # processed 5 s after the deadline
        before = deadline - timedelta(seconds=2)
        forms = [f"t={before.timestamp():.3f}",  # nginx's "t=${msec}"
                 f"t={int(before.timestamp() * 1000)}", f"{int(before.timestamp() * 1_000_000)}"]
        for n, stamp in enumerate(forms):
            kept = _save(client, headers, attempt, n, **{"X-Request-Start": stamp})
            assert kept.status_code == 200, (stamp, kept.json)
            assert _stored_seq(attempt, n) == 1
        after = f"t={(deadline + timedelta(seconds=1)).timestamp():.3f}"
        refused = _save(client, headers, attempt, 5, **{"X-Request-Start": after})
        assert refused.status_code == 409 and refused.json["error"]["code"] == "time_up"


def test_a_submission_stamped_in_time_is_submitted_at_its_arrival(world, own_app):
    client = own_app(EDUAPP_TRUSTED_PROXIES="1").test_client()
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False) as traveller:
        headers, attempt, deadline = _started(client)
        traveller.move_to(deadline + timedelta(seconds=5))
        stamp = f"t={(deadline - timedelta(seconds=2)).timestamp():.3f}"
        done = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers={**headers, "X-Request-Start": stamp})
        assert done.status_code == 200
    db.session.remove()
    stored = db.session.get(Attempt, attempt["id"])
    assert (stored.finished_by, stored.submitted_at) == ("candidate", deadline - timedelta(seconds=2))


def test_a_client_s_own_stamp_and_an_absurd_one_are_ignored(world, client, own_app):
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False) as traveller:
        headers, attempt, deadline = _started(client)  # no trusted proxy: the header is the client's
        traveller.move_to(deadline + timedelta(seconds=5))
        claimed = f"t={(deadline - timedelta(seconds=2)).timestamp():.3f}"
        refused = _save(client, headers, attempt, 0, **{"X-Request-Start": claimed})
        assert refused.status_code == 409 and refused.json["error"]["code"] == "time_up"
    proxied = own_app(EDUAPP_TRUSTED_PROXIES="1").test_client()
    with time_machine.travel(deadline + timedelta(seconds=5), tick=False):
        too_old = f"t={(deadline - timedelta(seconds=200)).timestamp():.3f}"  # beyond the 120 s bound
        for stamp in (too_old, "t=banana", "t=-5", "t=1e12"):
            refused = _save(proxied, headers, attempt, 1, **{"X-Request-Start": stamp})
            assert refused.status_code == 409, stamp
    assert _stored_seq(attempt, 1) == 0


def test_the_stamp_s_forms_and_bounds():
    now = 1_800_000_000.0
    assert parse_stamp("t=1799999999.123") == pytest.approx(1799999999.123)
    assert parse_stamp("t=1799999999123") == pytest.approx(1799999999.123)
    assert parse_stamp("1799999999123456") == pytest.approx(1799999999.123456)
    assert parse_stamp("") is None and parse_stamp("t=") is None and parse_stamp("t=1,5") is None
    server = {ENVIRON_KEY: now - 3}
    assert received_timestamp(server, {"X-Request-Start": "t=1799999990.5"}, True, 120, now) == 1799999990.5
    assert received_timestamp(server, {"X-Request-Start": "t=1799999990.5"}, False, 120, now) == now - 3
    assert received_timestamp(server, {"X-Request-Start": f"t={now + 30}"}, True, 120, now) == now - 3  # future
    assert received_timestamp(server, {"X-Request-Start": f"t={now - 121}"}, True, 120, now) == now - 3  # too old
    assert received_timestamp({ENVIRON_KEY: now + 9}, {}, True, 120, now) == now  # never after processing
    assert received_timestamp({}, {}, False, 120, now) == now


def test_a_page_of_answers_posted_in_time_is_kept_though_processed_late(world, own_app):
    application, clock = _slow_app(own_app)
    client = application.test_client()
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False) as traveller:
        clock["traveller"] = traveller
        token = csrf_token(client, "/login")
        client.post("/login", data={"username": "staff-a", "password": PASSWORD, "csrf_token": token})
        exam_id = world.id
        start = client.post(f"/exams/{exam_id}/start", data={"csrf_token": csrf_token(client, "/exams/")})
        assert start.status_code == 302
        attempt = db.session.execute(select(Attempt)).scalar_one()
        deadline = attempt.deadline.replace(tzinfo=UTC)
        item = db.session.execute(select(AttemptItem).where(AttemptItem.attempt_id == attempt.id,
                                                            AttemptItem.position == 1)).scalar_one()
        form = csrf_token(client, f"/exams/attempts/{attempt.id}?q=1")
        value = {"single": "1", "multiple": "0", "true_false": "true", "fill_blank": "十五"}[item.version.qtype]
        traveller.move_to(deadline - timedelta(seconds=1))
        posted = client.post(f"/exams/attempts/{attempt.id}?q=1", data={"csrf_token": form, f"q{item.id}": value},
                             headers={SLOW: str((deadline + timedelta(seconds=5)).timestamp())})
        assert posted.status_code == 302
    db.session.remove()
    assert db.session.get(AttemptItem, item.id).seq == 1


_QUEUE_APP = '''
import time
from eduapp.request_time import ENVIRON_KEY, ArrivalStamp

def _app(environ, start_response):
    if environ["PATH_INFO"] == "/slow":
        time.sleep(2)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [repr(environ[ENVIRON_KEY]).encode()]

app = ArrivalStamp(_app)
'''


def _real_clock_env() -> dict:
    """The server's environment without libfaketime (make test-dates): gunicorn's arbiter cannot sleep under
    it, and the test compares two stamps of the server's own clock, whatever the day."""
    import os

    return {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME", "FAKETIME_DONT_FAKE_MONOTONIC")}


def test_gunicorn_s_worker_stamps_a_request_when_it_is_queued_not_when_a_thread_takes_it(tmp_path):
    """One thread, busy 2 s with a first request: the second request, sent meanwhile, is stamped when it
    reached gunicorn (with the first), not 2 s later when the thread got to it (gthread's own worker
    fails this: 2.0 s)."""
    import socket
    import subprocess
    import sys
    import time
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from tests.live_server import request as http_request

    (tmp_path / "queue_app.py").write_text(_QUEUE_APP)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen([str(gunicorn), "--chdir", str(tmp_path), "--bind", f"127.0.0.1:{port}", "--workers",
                               "1", "--threads", "1", "--worker-class", "eduapp.gunicorn_worker.ArrivalThreadWorker",
                               "queue_app:app"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env=_real_clock_env())
    try:
        for _ in range(200):  # up within 20 s
            try:
                if http_request(port, "GET", "/ready")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer /ready within 20 s")
        with ThreadPoolExecutor(2) as pool:
            slow = pool.submit(http_request, port, "GET", "/slow")
            time.sleep(0.3)  # /slow has the thread
            queued = pool.submit(http_request, port, "GET", "/queued")
            slow_stamp, queued_stamp = (float(f.result()[1]) for f in (slow, queued))
        assert 0 < queued_stamp - slow_stamp < 1.5, (slow_stamp, queued_stamp)  # not >= 2 s: the queue counts
    finally:
        server.terminate()
        server.wait(10)
