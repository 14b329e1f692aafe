"""What the API modules share: route ids, pagination arguments and envelopes, strict JSON fields. The error
envelope, the error codes each view declares and domain problems as 422 answers are in eduapp.api.errors."""

from __future__ import annotations

import numbers
import re

from marshmallow import Schema, ValidationError, fields, validate

from eduapp.input_guard import MAX_ID, MAX_PAGE  # ids are 32-bit; MAX_PAGE keeps OFFSET in range

# A route's id parameter: <{ID}:case_id>. Larger numbers (or 0) are not found by the router.
ID = f"int(min=1, max={MAX_ID})"
MAX_PER_PAGE = 100
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
