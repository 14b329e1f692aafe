"""What the bureau endpoints (bureau_*.py) share: the error body as it is really sent, documented on
every operation; page/per_page pagination; text fields that refuse NUL and strict JSON numbers and
booleans; ids bounded to the database's integers; multipart uploads parsed with their form fields; and problems of the
services (a field, or a row of a file) turned into API errors."""

from __future__ import annotations

import re
from pathlib import PurePosixPath, PureWindowsPath

from flask import jsonify
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import FileStorage

from eduapp.api.arguments import Blueprint, SchemaOnceParser
from eduapp.api.common import ID, MAX_ID  # noqa: E402,F401 (one definition, shared by every API module)
from eduapp.api.errors import ApiError
from eduapp.domain.problems import InputError, Problem
from eduapp.i18n import message

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NO_NUL = r"^[^\x00]*$"


# --- parsing -----------------------------------------------------------------------------------------


class _MultipartParser(SchemaOnceParser):
    """``location="files"`` reads the form fields and the files of a multipart body together, so one
    schema documents and validates an upload with its options; an unknown part is refused, as an
    unknown field of a JSON body is."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "files": None}

    def load_files(self, req, schema):
        data = req.form.copy()
        for name, upload in req.files.items(multi=True):
            data.add(name, upload)
        return self._makeproxy(data, schema)


class FileProblems(Exception):
    """An import file with problems: 422 with every problem and its row (the app-wide handler of
    ApiError knows no rows, so the blueprint answers this one itself)."""

    def __init__(self, message: str, rows: list[dict]):
        super().__init__(message)
        self.message, self.rows = message, rows

    def response(self):
        return jsonify({"error": {"code": "invalid_file", "message": self.message, "rows": self.rows}}), 422


class BureauBlueprint(Blueprint):
    ARGUMENTS_PARSER = _MultipartParser()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register_error_handler(FileProblems, lambda error: error.response())


def Text(**kwargs) -> fields.String:  # noqa: N802 (reads as a field class)
    """A string without NUL, which the database refuses (documented as the field's pattern)."""
    no_nul = validate.Regexp(NO_NUL, error="NUL characters are not allowed.")
    given = kwargs.pop("validate", None)
    rules = [no_nul, *(given if isinstance(given, list) else [given] if given else [])]
    return fields.String(validate=rules, **kwargs)


class Flag(fields.Boolean):
    """A yes/no of a query string or a form: ``true`` or ``false`` (not 1, yes or on)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        raise self.make_error("invalid", input=value)


class Bool(fields.Boolean):
    """A JSON body's true or false, and nothing else (not 0, 1 or "true")."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            return value
        raise self.make_error("invalid", input=value)


class FileUpload(Upload):
    """A file part of a multipart/form-data body."""

    default_error_messages = {"not_file": "Send a file (a part of a multipart/form-data body with a file name)."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise self.make_error("not_file")
        return value


def upload_name(raw: str | None) -> str:
    """An upload's base name, without folders or control characters (it is echoed and audited)."""
    name = PureWindowsPath(PurePosixPath(raw or "").name).name
    return _CONTROL.sub("", name).replace("\n", "").replace("\r", "").replace("\t", " ").strip()[:200] or "upload"


class Whole(fields.Integer):
    """A JSON whole number: not a string, a fraction or a boolean (true is no 1 here)."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


def Id(**kwargs) -> fields.Integer:  # noqa: N802 (reads as a field class)
    """An object's id: in a JSON body a whole number, in a query string its digits."""
    kind = Whole if kwargs.pop("strict", True) else fields.Integer
    return kind(validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


def page_schema(name: str, item: type[Schema]) -> type[Schema]:
    """``{items, total, page, per_page}``, as the ledger endpoint answers."""
    return type(name, (Schema,), {
        "items": fields.List(fields.Nested(item)),
        "total": fields.Integer(metadata={"description": "items on every page"}),
        "page": fields.Integer(),
        "per_page": fields.Integer(),
    })


def page_out(items: list, total: int, args: dict) -> dict:
    return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


# --- errors ------------------------------------------------------------------------------------------


class ProblemRowOut(Schema):
    file = fields.String(metadata={"description": "the uploaded file's name"})
    row = fields.Integer(allow_none=True, metadata={"description": "line of a question file, or row of a "
                                                                   "spreadsheet (the header row is 1)"})
    field = fields.String(allow_none=True)
    column = fields.String(allow_none=True, metadata={"description": "the column header, as the template names it"})
    message = fields.String(required=True)


class ErrorBodyOut(Schema):
    code = fields.String(required=True, metadata={"description": "stable: unauthorized, forbidden, not_found, "
                                                                 "invalid, invalid_file, too_large, …"})
    message = fields.String(required=True, metadata={"description": "in the account's language"})
    field_messages = fields.Dict(keys=fields.String(), values=fields.String(), data_key="fields",
                                 metadata={"description": "422: each invalid field and what is wrong with it"})
    rows = fields.List(fields.Nested(ProblemRowOut), metadata={"description": "422 of an import: each problem "
                                                                              "with its file row"})


class ErrorOut(Schema):
    error = fields.Nested(ErrorBodyOut, required=True)


ERROR_TEXT = {
    400: "The request could not be read (a body that is not JSON; for cookie sessions, no CSRF token).",
    401: "No bearer token or session, or an expired or revoked token.",
    403: "The account may not do this (wrong role; an account that must first change its password).",
    404: "No such object.",
    409: "The request conflicts with the object's state.",
    413: "The upload is larger than the server accepts.",
    422: "A field is missing or invalid (``fields`` names each), or an import file has problems (``rows``).",
    429: "Too many requests.",
}
COMMON = (401, 403, 422, 429)


def errors(blp: Blueprint, *codes: int):
    """Document the error responses an operation can give (with the usual ones), all as ErrorOut."""

    def decorator(view):
        for code in sorted(set(COMMON) | set(codes), reverse=True):
            view = blp.alt_response(code, schema=ErrorOut, description=ERROR_TEXT[code])(view)
        return view

    return decorator


def api_error(status: int, code: str, message: str, fields_: dict | None = None):
    return ApiError(status, code, message, fields_)


def problem_text(problem: Problem) -> str:
    return message(problem)


def input_error(error: InputError, rename: dict[str, str] | None = None) -> Exception:
    """422 naming each field (model names mapped to the API's by ``rename``)."""
    from flask_babel import gettext

    found: dict[str, str] = {}
    for p in error.problems:
        name = (rename or {}).get(p.field, p.field) or "request"
        found[name] = f"{found[name]} {problem_text(p)}" if name in found else problem_text(p)
    text = "; ".join(f"{k}: {v}" for k, v in found.items()) or gettext("The request has invalid fields.")
    return api_error(422, "invalid", text, found)


def file_error(problems: list[Problem], headers: dict[str, tuple[str, ...]] | None = None,
               file: str | None = None) -> FileProblems:
    """422 for an import file: every problem with its row, field and column header."""
    from flask_babel import gettext, ngettext

    rows = []
    for p in problems:
        row = {"row": p.row, "field": p.field, "message": problem_text(p)}
        if headers and p.field in headers:
            row["column"] = headers[p.field][0]
        if file is not None:
            row["file"] = file
        rows.append(row)
    text = ngettext("The file has %(num)s problem; nothing was imported.",
                    "The file has %(num)s problems; nothing was imported.", len(rows))
    if rows:  # the first problem in words, as the page shows it
        first = rows[0]
        detail = gettext("Row %(row)s: %(text)s", row=first["row"], text=first["message"]) if first["row"] \
            else first["message"]
        text = f"{text} {detail}"
    return FileProblems(text, rows)
