"""The JSON API v1 (flask-smorest): the endpoints the exam page's JavaScript uses, documented as
OpenAPI 3 at /api/v1/openapi.json. Errors are ``{"error": {"code", "message"}}``.

A request is authenticated by a bearer token (``POST /api/v1/auth/token``) or, for the app's own
pages, by the session cookie; cookie-authenticated writes must carry the CSRF token in the
``X-CSRFToken`` header.
"""

from __future__ import annotations

import functools

from flask import Flask
from flask_smorest import Api

from eduapp.api import errors
from eduapp.api.errors import ErrorSchema


class JsonApi(Api):
    """flask-smorest without its app-wide error handler: the app's handlers (eduapp.web.errors, and
    eduapp.api.errors for ApiError, both rendering with eduapp.errors) answer every error, as JSON under
    /api/ and as a page elsewhere."""

    # The error responses the document refers to (404, the 422 of every argument schema, default) have
    # the body eduapp.errors.render really sends: {"error": {"code", "message", "fields"?}}.
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        pass

    def register_blueprint(self, blp, **options):
        """Every blueprint of the API comes under the per-user rate limit (eduapp.api.limits)."""
        from eduapp.api.limits import limit_blueprint

        limit_blueprint(blp)
        super().register_blueprint(blp, **options)


api = JsonApi()

API_CONFIG = {
    "API_TITLE": "eduapp API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "info": {"description": "Exams, attempts and study points of eduapp (学法积分平台)."},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    },
}


def init_app(app: Flask) -> None:
    from eduapp.api import routes  # noqa: F401 (registers the views on the blueprint)
    from eduapp.api.auth import blp as auth_blp
    from eduapp.api.auth import init_auth
    from eduapp.api.dashboard import blp as dashboard_blp
    from eduapp.api.offsets import blp as offsets_blp
    from eduapp.api.points import blp as points_blp
    from eduapp.api.routes import blp
    from eduapp.extensions import csrf

    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    api.init_app(app)
    errors.register(app)  # ApiError as {"error": {"code", "message", "fields"?}}
    from eduapp import security
    from eduapp.api.password import password_change_required

    security.set_gate(app, security.API_PASSWORD_CHANGE, password_change_required)
    init_auth(app)
    csrf.exempt(auth_blp)  # cookie-authenticated writes are checked by init_auth, bearer ones need no token
    csrf.exempt(blp)
    csrf.exempt(points_blp)
    csrf.exempt(offsets_blp)
    csrf.exempt(dashboard_blp)
    api.register_blueprint(auth_blp)
    api.register_blueprint(blp)
    api.register_blueprint(points_blp)
    api.register_blueprint(offsets_blp)
    api.register_blueprint(dashboard_blp)
    from eduapp.api import (
        certificates,
        enterprise,
        laws,
        leaderboard,
        learning,
        limits,
        me,
        password,
        trainings,
        workbench,
    )

    # my profile and inbox; practice; enterprise contacts' roster; my password; my certificates; trainings
    # and registering for them; the law library; leaderboards; my 工作台
    for module in (me, learning, enterprise, password, certificates, trainings, laws, leaderboard, workbench):
        csrf.exempt(module.blp)  # as above: cookie writes are checked by init_auth
        api.register_blueprint(module.blp)
    limits.init_app(app)
    from eduapp.api.bureau import register as register_bureau

    register_bureau(api)  # bureau staff: questions, exams, cases, offset review, rule sets, reminders log
    # The OpenAPI document is public: integrators read it before they have a token.
    from eduapp.security import public

    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith("api-docs."):
            app.view_functions[endpoint] = public(functools.wraps(view)(lambda *a, _view=view, **k: _view(*a, **k)))
