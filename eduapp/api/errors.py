"""The API's errors: ``ApiError`` (raised by the views), the documented error envelope, the error codes
each view declares, domain problems as 422 answers, and the handler that answers an ``ApiError`` (with
eduapp.errors.render, as every other error of the app: ``{"error": {"code", "message", "fields"?}}``)."""

from __future__ import annotations

from http import HTTPStatus

from flask import Flask
from marshmallow import Schema, fields

from eduapp.domain.problems import InputError, Problem
from eduapp.errors import render
from eduapp.i18n import message


class ApiError(Exception):
    """Raised by the API views; the handler ``register`` installs turns it into
    {"error": {"code", "message", "fields"?}} with its status."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(code)
        self.status, self.code, self.message, self.fields = status, code, message, fields


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(err: ApiError):
        return render(err.status, err.message, err.code, err.fields)


class ErrorRowSchema(Schema):
    file = fields.String(metadata={"description": "the uploaded file's name"})
    row = fields.Integer(allow_none=True, metadata={"description": "the file's line or row (the header row is 1)"})
    field = fields.String(allow_none=True)
    column = fields.String(allow_none=True, metadata={"description": "the column header, as the template names it"})
    message = fields.String(required=True)


class ErrorDetailSchema(Schema):
    code = fields.String(required=True, metadata={"description": "stable, e.g. not_found, invalid, rate_limited"})
    message = fields.String(required=True, metadata={"description": "for people, in the account's language"})
    field_messages = fields.Dict(keys=fields.String(), values=fields.String(), data_key="fields",
                                 metadata={"description": "422: the message for each field that is wrong"})
    rows = fields.List(fields.Nested(ErrorRowSchema), metadata={"description": "422 of an import file: each "
                                                                              "problem with its row"})


class ErrorSchema(Schema):
    """Every error the API answers (eduapp.errors.render writes it)."""

    error = fields.Nested(ErrorDetailSchema, required=True)


RATE_LIMIT_HEADERS = {"Retry-After": {"description": "seconds until requests are accepted again",
                                      "schema": {"type": "integer"}}}


def responds(blp, *codes: int):
    """Document the error statuses a view can answer (each with the error envelope). 429 is added to
    every view: the whole API is under the per-user rate limit (eduapp.api.limits)."""

    def decorator(view):
        for code in sorted(set(codes) | {429}, reverse=True):
            if code == 429:
                view = blp.alt_response(429, schema=ErrorSchema, headers=RATE_LIMIT_HEADERS,
                                        description="Too many requests (code rate_limited): wait Retry-After "
                                                    "seconds")(view)
            else:
                view = blp.alt_response(code, response=HTTPStatus(code).name)(view)
        return view

    return decorator


def problems_error(error: InputError, rename: dict[str, str] | None = None):
    """Domain problems as the API's 422: each message under the field it names (renamed to the API's
    field name where they differ)."""
    found: dict[str, str] = {}
    for problem in error.problems:
        name = (rename or {}).get(problem.field or "", problem.field) or "request"
        found[name] = f"{found[name]} {message(problem)}" if name in found else message(problem)
    return ApiError(422, "invalid", "; ".join(f"{k}: {v}" for k, v in found.items()), found)


def problem_error(problem: Problem, status: int = 422, code: str = "invalid"):
    if status == 422:
        return problems_error(InputError([problem]))
    return ApiError(status, code, message(problem))
