"""Fuzzing the JSON API with schemathesis (`make fuzz`; `.ci/run` runs it on PostgreSQL).

Every operation of /api/v1/openapi.json gets a bounded number of generated requests
(EDUAPP_FUZZ_EXAMPLES, default 15, derandomized so CI is repeatable), each sent anonymously and
with the bearer token of every role of the demo (learners, an enterprise contact, each kind of
bureau staff). Every response must be free of 5xx, have a documented status code and content type,
and match its documented schema.

The schema is loaded when the module is collected, so the app, its database (the bank and the
demo loaded) and the tokens are built then; outside `make fuzz` the module is skipped before that.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

if os.environ.get("EDUAPP_FUZZ") != "1":
    pytest.skip("the API fuzzing runs with `make fuzz` (EDUAPP_FUZZ=1)", allow_module_level=True)

import schemathesis  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from tests.conftest import PG_URL, _reset_postgres, make_test_app  # noqa: E402

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("EDUAPP_FUZZ_EXAMPLES", "15"))
ROLES = ("demo-staff", "demo-contact", "demo-civil", "demo-editor", "demo-exam-manager", "demo-officer",
         "demo-reviewer", "demo-approver", "demo-admin")
PASSWORD = "fuzz-demo-password-2026"
ROOT = Path(__file__).resolve().parents[2]


def _create_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from eduapp.config import normalise_database_url

    target = make_url(normalise_database_url(url))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": target.database}).scalar():
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def _build_app():
    """Its own database with the question bank and the demo, shared by every operation."""
    import tempfile

    from flask_migrate import upgrade

    from eduapp.services import demo
    from eduapp.services.question_import import import_files

    if PG_URL:
        _create_database(PG_URL)
        _reset_postgres(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='eduapp-fuzz-')}/fuzz.db"
    application = make_test_app(url, EDUAPP_LOGIN_RATE_LIMIT="100000 per minute")
    bank = ROOT / "question_bank"
    with application.app_context():
        upgrade()
        import_files([(str(p.relative_to(bank)), p.read_bytes()) for p in sorted(bank.rglob("*.yaml"))])
        demo.load(PASSWORD)
    return application


def _tokens(application) -> dict[str, str]:
    client = application.test_client()
    found = {}
    for username in ROLES:
        response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert response.status_code == 201, (username, response.get_json())
        found[username] = response.get_json()["token"]
    return found


APP = _build_app()
TOKENS = _tokens(APP)
# Revoking the bearer token would sign the role out for every later example.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP).exclude(
    path="/api/v1/auth/token", method="DELETE")
CHECKS = [not_a_server_error, *(c for c in schemathesis.checks.CHECKS.get_all()
                                if c.__name__ in ("status_code_conformance", "content_type_conformance",
                                                  "response_schema_conformance"))]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck),
          database=None)
def test_api_operation(case):
    for token in (None, *TOKENS.values()):
        headers = dict(case.headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        case.call_and_validate(headers=headers, checks=CHECKS)
