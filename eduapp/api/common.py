"""What the API modules share: the error envelope as documented, the error codes each view declares,
pagination arguments and envelopes, strict JSON fields, and domain problems as 422 answers."""

from __future__ import annotations

import numbers
import re
from http import HTTPStatus

from marshmallow import Schema, ValidationError, fields, validate

from eduapp.domain.problems import InputError, Problem
from eduapp.web.input_guard import MAX_ID, MAX_PAGE  # ids are 32-bit; MAX_PAGE keeps OFFSET in range

# A route's id parameter: <{ID}:case_id>. Larger numbers (or 0) are not found by the router.
ID = f"int(min=1, max={MAX_ID})"
MAX_PER_PAGE = 100
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# --- errors --------------------------------------------------------------------------------------------


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
    """Every error the API answers (eduapp.web.errors renders it)."""

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
    from eduapp.api.routes import ApiError
    from eduapp.web.i18n import message

    found: dict[str, str] = {}
    for problem in error.problems:
        name = (rename or {}).get(problem.field or "", problem.field) or "request"
        found[name] = f"{found[name]} {message(problem)}" if name in found else message(problem)
    return ApiError(422, "invalid", "; ".join(f"{k}: {v}" for k, v in found.items()), found)


def problem_error(problem: Problem, status: int = 422, code: str = "invalid"):
    from eduapp.api.routes import ApiError
    from eduapp.web.i18n import message

    if status == 422:
        return problems_error(InputError([problem]))
    return ApiError(status, code, message(problem))


# --- strict JSON fields ----------------------------------------------------------------------------------


class StrictInteger(fields.Integer):
    """A JSON number that is a whole number: not a string, a float or a boolean."""

    def __init__(self, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=1, max=MAX_ID))
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Points(fields.Float):
    """Points (a score, a mark): a whole number without ".0" (85, not 85.0), else up to two decimals."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        number = float(value)
        return int(number) if number.is_integer() else number


class Text(fields.String):
    """A string without control characters (tab and newlines are fine): PostgreSQL refuses NUL."""

    default_error_messages = {"control": "Control characters are not allowed."}

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if _CONTROL.search(text):
            raise self.make_error("control")
        return text


class StrictBoolean(fields.Boolean):
    """JSON true or false, nothing else (no "yes", 1 or "true")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError(self.error_messages["invalid"])
        return value


# --- pagination ------------------------------------------------------------------------------------------


class PageArgs(Schema):
    """As GET /api/v1/me/ledger: ``page`` from 1, ``per_page`` from 1 to 100 (default 20)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


def page_schema(name: str, item_schema) -> type[Schema]:
    """The envelope of a page, as the ledger's: ``{items, total, page, per_page}``."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "total": fields.Integer(required=True, metadata={"description": "items on every page"}),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
        },
        name=name,
    )


def page_out(items: list, total: int, args: dict) -> dict:
    return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}
