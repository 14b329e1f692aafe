"""The app-wide error handlers (HTML for pages, JSON under /api/, both rendered by eduapp.errors) and
logging of unexpected failures. The API's own ``ApiError`` is handled by eduapp.api.errors."""

from __future__ import annotations

from flask import Flask, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from eduapp.errors import BadInput, render
from eduapp.extensions import db


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
        return render(400, _("The form has expired or was not sent from this site. Reload the page and try again."))

    @app.errorhandler(BadInput)
    def bad_input(err: BadInput):
        fields = {err.field: err.message} if err.field and err.status == 422 else None
        return render(err.status, err.message, err.api_code, fields)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if err.code in (301, 302, 303, 307, 308) or err.code is None:
            return err
        if err.code == 429 and err.response is not None:
            return err.response  # a rate limit that answers for itself (the API's per-user limit)
        fields = _validation_fields(err) if err.code == 422 else None
        if fields:
            text = "; ".join(f"{name}: {value}" for name, value in fields.items())
            return render(422, text, "invalid", fields)
        return render(err.code)

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return render(500)
