"""Fixtures: an app on SQLite by default, or on PostgreSQL + Redis when EDUAPP_TEST_DATABASE_URL and
EDUAPP_TEST_REDIS_URL are set (the second pass of `make test`). A service that is down makes the
tests fail: nothing is skipped for a missing service in that pass."""

from __future__ import annotations

import contextvars
import os
import re
import tempfile
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from eduapp import create_app
from eduapp.extensions import db, limiter
from eduapp.services import shown_versions, token_cache

if os.environ.get("FAKETIME"):
    # `make test-dates` runs the suite under libfaketime (0.9.10) with the monotonic clock left real
    # (FAKETIME_DONT_FAKE_MONOTONIC: otherwise Python's timed lock waits never end). Then its
    # clock_nanosleep turns every time.sleep into EINVAL; a select() with a timeout sleeps the same.
    import select
    import time

    def _sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        select.select([], [], [], seconds)

    time.sleep = _sleep

PG_URL = os.environ.get("EDUAPP_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("EDUAPP_TEST_REDIS_URL", "")
PASSWORD = "correct-horse-battery"

# Light argon2 parameters keep the suite fast; test_passwords checks the production profile.
FAST_HASH = {"EDUAPP_ARGON2_TIME_COST": "1", "EDUAPP_ARGON2_MEMORY_KIB": "1024", "EDUAPP_ARGON2_PARALLELISM": "1"}


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in production, even while a test holds one
    open for setup and assertions (otherwise `g`, the signed-in user and the DB session would be
    shared between the test and every request)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_test_app(database_url: str, **extra) -> object:
    config = {
        "EDUAPP_ENV": "testing",
        "EDUAPP_SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "EDUAPP_DATABASE_URL": database_url,
        "EDUAPP_REDIS_URL": REDIS_URL,
        **FAST_HASH,
        # Room for thousands of API requests a minute (schemathesis); tests of the 429 lower it.
        "EDUAPP_API_RATE_LIMIT": "100000 per minute",
        "EDUAPP_CERTIFICATE_RATE_LIMIT": "100000 per minute",  # the public certificate check, as above
        # Each app its own anchor file (emptied with the tables after each test), never instance/'s.
        "EDUAPP_AUDIT_ANCHOR_FILE": str(Path(tempfile.mkdtemp(prefix="eduapp-anchors-")) / "anchors.jsonl"),
        "TESTING": True,
    }
    config.update(extra)
    application = create_app(config)
    application.test_client_class = FreshContextClient
    return application


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine

    from eduapp.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from flask_migrate import upgrade

    if PG_URL:
        _reset_postgres(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'eduapp-test.db'}"
    application = make_test_app(url)
    with application.app_context():
        upgrade()  # the suite runs on the schema the migrations build, not on create_all()
    return application


@pytest.fixture(autouse=True)
def _our_celery(request):
    """Tasks run by the suite's app: a test that builds an app of its own (create_app makes its Celery
    the current one) must not leave later in-process tasks running against that app's database."""
    if "app" in request.fixturenames:
        celery = request.getfixturevalue("app").extensions["celery"]
        celery.set_current()
        celery.set_default()
    yield


@pytest.fixture(autouse=True)
def _clean(request):
    """Empty every table and the rate-limit counters after each test that used the app."""
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))  # noqa: S608 (names from our own metadata)
        limiter.reset()
        token_cache.of(application).clear()  # checks of tokens whose rows were just deleted
    Path(application.config["AUDIT_ANCHOR_FILE"]).unlink(missing_ok=True)
    shown_versions.forget()  # the next test's versions reuse these ids


def dead_redis_url() -> str:
    """A Redis URL on a free 127.0.0.1 port (bound, then closed: nothing listens there)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/1"


@pytest.fixture
def own_app(app):
    """Build apps of a test's own (other settings) on the suite's database: ``own_app(EDUAPP_X="…")``.
    The rate limiter is one object bound to the last app built, so afterwards it goes back to the
    suite's app and storage."""

    def build(**settings):
        return make_test_app(app.config["SQLALCHEMY_DATABASE_URI"], **settings)

    yield build
    limiter.init_app(app)  # the suite's storage again (init_app adds no second hook to an app)
    limiter._storage_dead = False  # a Redis-down test left it on the fallback


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str) -> str:
    page = client.get(path)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {path} (status {page.status_code})"
    return match.group(1)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = PASSWORD, follow: bool = False):
        token = csrf_token(self.client, "/login")
        return self.client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": token},
            follow_redirects=follow,
        )

    def logout(self):
        token = csrf_token(self.client, "/")
        return self.client.post("/logout", data={"csrf_token": token})

    def post(self, path: str, data: dict | None = None, form_page: str | None = None, **kwargs):
        """POST with a CSRF token taken from ``form_page`` (default: the home page)."""
        payload = dict(data or {})
        payload["csrf_token"] = csrf_token(self.client, form_page or "/")
        return self.client.post(path, data=payload, **kwargs)


@pytest.fixture
def auth(client):
    return AuthActions(client)


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests (races that SQLite cannot show) and tests that need Redis and a real
    Celery worker run in the PostgreSQL + Redis pass; there a missing service fails them."""
    skip = pytest.mark.skip(reason="runs in the PostgreSQL + Redis pass of `make test` (EDUAPP_TEST_DATABASE_URL)")
    for item in items:
        if ("postgres" in item.keywords and not PG_URL) or ("redis" in item.keywords and not REDIS_URL):
            item.add_marker(skip)
