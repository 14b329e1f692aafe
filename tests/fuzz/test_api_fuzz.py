"""Fuzzing the JSON API with schemathesis (`make fuzz`; `.ci/run` runs it on PostgreSQL).

Every operation of /api/v1/openapi.json gets a bounded number of generated requests
(EDUAPP_FUZZ_EXAMPLES, default 15, derandomized so CI is repeatable), each sent anonymously and
with the bearer token of every role of the demo (learners, an enterprise contact, each kind of
bureau staff). Every response must be free of 5xx, have a documented status code and content type,
and match its documented schema.

The schema is loaded when the module is collected, so the app, its database (the bank and the
demo loaded: tests/fuzz/demo_app.py, shared with the web fuzzing) and the tokens are built then; outside `make fuzz` the module is skipped before that.
"""

from __future__ import annotations

import os

import pytest

if os.environ.get("EDUAPP_FUZZ") != "1":
    pytest.skip("the API fuzzing runs with `make fuzz` (EDUAPP_FUZZ=1)", allow_module_level=True)

import schemathesis  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from tests.fuzz.demo_app import PASSWORD, ROLES, demo_app  # noqa: E402

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("EDUAPP_FUZZ_EXAMPLES", "15"))


def _tokens(application) -> dict[str, str]:
    client = application.test_client()
    found = {}
    for username in ROLES:
        response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        assert response.status_code == 201, (username, response.get_json())
        found[username] = response.get_json()["token"]
    return found


APP = demo_app()
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
