"""The API's rate limit: every request to /api/v1 counts against one budget per signed-in person
(whether by bearer token or session cookie), or per address for requests that are not signed in.
The budget is ``EDUAPP_API_RATE_LIMIT`` (default 600 per minute); beyond it the API answers 429
``{"error": {"code": "rate_limited", …}}`` with ``Retry-After`` and the ``X-RateLimit-*`` headers (on
every answer with ``EDUAPP_API_RATE_LIMIT_HEADERS``).

The limit is one shared Flask-Limiter limit put on each blueprint as ``JsonApi.register_blueprint``
registers it, so an API module needs nothing but ``api.register_blueprint(blp)``. Requesting a bearer
token keeps its own sign-in limit instead (EDUAPP_LOGIN_RATE_LIMIT, failed requests per address) and the
captcha after failures (eduapp.services.sign_in_guard).
"""

from __future__ import annotations

import time

from flask import Flask, current_app, jsonify, request
from flask_babel import gettext

from eduapp.extensions import limiter

SCOPE = "api-v1"  # one counter for every endpoint of the API
_limited: set[str] = set()


def rate_key() -> str:
    """The limit's key. Reading current_user signs the request in once (Flask-Login keeps the user in
    flask.g): the bearer token's check (eduapp.services.api_tokens.user_for, cached per process) is
    shared by this key and the view."""
    from flask_login import current_user

    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{request.remote_addr}"


def _limit_value() -> str:
    return current_app.config["API_RATE_LIMIT"]


def _breached(request_limit):
    """The answer to a request beyond the limit (the app's HTTPException handler returns it as it is)."""
    wait = max(int(request_limit.reset_at - time.time()), 1)
    response = jsonify({"error": {
        "code": "rate_limited",
        "message": gettext("Too many requests: at most %(limit)s. Try again in %(seconds)s seconds.",
                           limit=str(request_limit.limit), seconds=wait),
    }})
    response.status_code = 429
    response.headers["Retry-After"] = str(wait)
    if not current_app.config["RATELIMIT_HEADERS_ENABLED"]:  # else Flask-Limiter adds them to every answer
        response.headers["X-RateLimit-Limit"] = str(request_limit.limit.amount)
        response.headers["X-RateLimit-Remaining"] = "0"
        response.headers["X-RateLimit-Reset"] = str(int(request_limit.reset_at))
    return response


API_LIMIT = limiter.shared_limit(_limit_value, scope=SCOPE, key_func=rate_key, on_breach=_breached)


def limit_blueprint(blueprint) -> None:
    """Put the API's shared limit on ``blueprint`` (once, however many apps are created)."""
    if blueprint.name not in _limited:
        API_LIMIT(blueprint)
        _limited.add(blueprint.name)


def limited_blueprints() -> frozenset[str]:
    return frozenset(_limited)


def init_app(app: Flask) -> None:
    # The OpenAPI document is served by flask-smorest's own blueprint: under the same limit.
    docs = app.blueprints.get("api-docs")
    if docs is not None:
        limit_blueprint(docs)
