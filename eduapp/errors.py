"""How the app answers an error, for pages and the API alike: a page with the message, or under /api/
(or to a client asking for JSON) the API's body ``{"error": {"code", "message", "fields"?}}``.

Neutral ground: eduapp.web.errors registers the app-wide handlers and eduapp.api.errors the one for
``ApiError``; both render with ``render`` here, so neither imports the other.
"""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest


class BadInput(BadRequest):
    """Input refused with a message for people: a page with the message, or under /api/ the error body
    (``status`` 422 with ``fields`` when it names a field, as the API's argument validation does)."""

    def __init__(self, message: str, status: int = 400, code: str = "bad_request", field: str | None = None):
        super().__init__(message)
        self.message, self.status, self.api_code, self.field = message, status, code, field


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def titles() -> dict[int, str]:
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


def render(code: int, text: str | None = None, api_code: str | None = None, fields: dict | None = None):
    message = text or titles().get(code, _("The request could not be completed."))
    if wants_json():
        error = {"code": api_code or API_CODES.get(code, str(code)), "message": message}
        if fields:
            error["fields"] = fields
        return jsonify({"error": error}), code
    return render_template("errors/error.html", code=code, message=message), code
