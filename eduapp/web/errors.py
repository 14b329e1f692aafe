"""Error pages (HTML for pages, JSON for the API) and logging of unexpected failures."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException


class BadInput(BadRequest):
    """Input refused with a message for people: a page with the message, or under /api/ the error body
    (``status`` 422 with ``fields`` when it names a field, as the API's argument validation does)."""

    def __init__(self, message: str, status: int = 400, code: str = "bad_request", field: str | None = None):
        super().__init__(message)
        self.message, self.status, self.api_code, self.field = message, status, code, field


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _titles() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        403: _("You do not have permission to open this page."),
        404: _("This page does not exist, or you cannot see it."),
        405: _("This action is not allowed here."),
        401: _("Sign in first: send a valid bearer token or a session cookie."),
        409: _("The request conflicts with the current state."),
        413: _("The file is too large."),
        422: _("The request has invalid fields."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side. The error has been logged; please try again."),
    }


# The stable error codes of the API, by HTTP status.
API_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
             409: "conflict", 413: "too_large", 422: "invalid", 429: "too_many_requests", 500: "server_error"}


def _render(code: int, text: str | None = None, api_code: str | None = None, fields: dict | None = None):
    message = text or _titles().get(code, _("The request could not be completed."))
    if _wants_json():
        error = {"code": api_code or API_CODES.get(code, str(code)), "message": message}
        if fields:
            error["fields"] = fields
        return jsonify({"error": error}), code
    return render_template("errors/error.html", code=code, message=message), code


def _validation_fields(err: HTTPException) -> dict | None:
    """webargs/marshmallow messages ({"json": {"seq": ["Not a valid integer."]}}) as {field: text}."""
    messages = (getattr(err, "data", None) or {}).get("messages")
    if not isinstance(messages, dict):
        return None
    flat = {}
    for location in messages.values():
        if isinstance(location, dict):
            for name, texts in location.items():
                flat[name] = " ".join(texts) if isinstance(texts, list) else str(texts)
    return flat or None


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(err: CSRFError):
        return _render(400, _("The form has expired or was not sent from this site. Reload the page and try again."))

    @app.errorhandler(BadInput)
    def bad_input(err: BadInput):
        fields = {err.field: err.message} if err.field and err.status == 422 else None
        return _render(err.status, err.message, err.api_code, fields)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if err.code in (301, 302, 303, 307, 308) or err.code is None:
            return err
        if err.code == 429 and err.response is not None:
            return err.response  # a rate limit that answers for itself (the API's: eduapp.api.limits)
        fields = _validation_fields(err) if err.code == 422 else None
        if fields:
            text = "; ".join(f"{name}: {value}" for name, value in fields.items())
            return _render(422, text, "invalid", fields)
        return _render(err.code)

    from eduapp.api.routes import ApiError

    @app.errorhandler(ApiError)
    def api_error(err: ApiError):
        return _render(err.status, err.message, err.code, err.fields)

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        from eduapp.extensions import db

        db.session.rollback()
        return _render(500)
