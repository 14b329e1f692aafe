"""Input no page or API operation can store or query: refused once, for the whole app, before any view runs.

* Query-string parameters, form fields, uploaded file names and route arguments holding a NUL byte or an
  unpaired surrogate (PostgreSQL refuses NUL in text; a surrogate cannot be encoded as UTF-8): 400 on a
  page, naming the parameter; under /api/ the API's 422 ``invalid`` with the parameter in ``fields``.
  So is a query-string value longer than ``MAX_QUERY_VALUE`` characters (no search box needs more).
* JSON bodies (the app's JSON provider, so ``request.get_json()`` and this check agree): ``NaN``,
  ``Infinity`` and ``-Infinity`` (not JSON, but Python's parser takes them), nesting deeper than
  ``MAX_JSON_DEPTH`` and unpaired surrogates in strings: 400 ``bad_request`` with a message.

Ids in routes are bounded by the ``id`` converter (``IdConverter``) and numbers in query strings by
``eduapp.web.helpers.id_arg`` / ``page_arg``: anything larger is not found (ids) or refused (pages).
"""

from __future__ import annotations

import json
import re

from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from eduapp.errors import BadInput

MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database: anything larger is simply not found
MAX_PAGE = 1_000_000  # keeps OFFSET within what every database accepts
MAX_QUERY_VALUE = 2000  # characters in one query-string value (a search box; SQLite's LIKE gives up on 10⁶)
MAX_JSON_DEPTH = 32  # no request body of the API nests deeper than 4
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class IdConverter(IntegerConverter):
    """``<id:name>``: a database id, 1 to 2³¹−1, as the API's ``ID``; anything else is not found."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (werkzeug's name)
        super().__init__(map, min=1, max=MAX_ID)


class JsonInputError(ValueError):
    """A JSON body this app refuses, with the reason for people."""


def _refuse_constant(name: str):
    raise JsonInputError(_("JSON numbers must be finite: %(value)s is not allowed.", value=name))


def _check_json(value) -> None:
    """Depth and unpaired surrogates, without recursion (a deep document must not overflow the stack)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise JsonInputError(_("The JSON body nests deeper than %(limit)s levels.", limit=MAX_JSON_DEPTH))
            children = list(item.items()) if isinstance(item, dict) else [(None, v) for v in item]
            for key, child in children:
                if key is not None and _FORBIDDEN.search(key):
                    raise JsonInputError(_("The JSON body contains a NUL byte or an unpaired surrogate."))
                pending.append((child, depth + 1))
        elif isinstance(item, str) and _SURROGATE.search(item):
            raise JsonInputError(_("The JSON body contains a NUL byte or an unpaired surrogate."))


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON, but reading refuses NaN/Infinity, deep nesting and unpaired surrogates
    (JsonInputError, a ValueError; check_request answers it with a 400 before any view parses the body)."""

    def loads(self, s, **kwargs):
        kwargs.setdefault("parse_constant", _refuse_constant)
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise JsonInputError(_("The JSON body nests deeper than %(limit)s levels.", limit=MAX_JSON_DEPTH)) \
                from None
        _check_json(value)
        return value


def _refuse(name: str, text: str | None = None):
    text = text or _("“%(name)s” contains a character that is not allowed (a NUL byte or an unpaired "
                     "surrogate).", name=name[:64])
    if request.path.startswith("/api/"):
        raise BadInput(text, status=422, code="invalid", field=name[:64])
    raise BadInput(text, field=name[:64])


_FORM_MIMETYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


# Where check_request leaves a JSON body it has parsed (the WSGI environ, which lives as long as the
# request): the API's argument parser (eduapp.api.arguments) loads its arguments from it instead of
# parsing the body a second time.
PARSED_JSON = "eduapp.parsed_json"


def check_request() -> None:
    """The before_request check: every text the request carries, by the name it comes under."""
    req = request._get_current_object()  # noqa: SLF001 (once: every proxied access costs a lookup)
    # Only these two bodies are parsed into fields (werkzeug); a JSON answer skips the form machinery.
    form_body = req.mimetype in _FORM_MIMETYPES
    sources = (req.args, req.form) if form_body else (req.args,) if req.query_string else ()
    for source in sources:
        for name, value in source.items(multi=True):
            if _FORBIDDEN.search(name):
                _refuse(_FORBIDDEN.sub("?", name))
            if _FORBIDDEN.search(value):
                _refuse(name)
            if source is req.args and len(value) > MAX_QUERY_VALUE:
                _refuse(name, _("“%(name)s” is longer than %(limit)s characters.", name=name[:64],
                                limit=MAX_QUERY_VALUE))
    for name, upload in req.files.items(multi=True) if form_body else ():
        if _FORBIDDEN.search(name) or _FORBIDDEN.search(upload.filename or ""):
            _refuse(_FORBIDDEN.sub("?", name))
    for name, value in (req.view_args or {}).items():
        if isinstance(value, str) and _FORBIDDEN.search(value):
            _refuse(name)
    if req.is_json:
        body = req.get_data(cache=True)
        try:
            req.environ[PARSED_JSON] = current_app.json.loads(body)
        except JsonInputError as error:
            raise BadInput(str(error), code="bad_request") from None
        except ValueError:
            pass  # not JSON at all: the view (or the API's argument parser) answers that, as before


def init_app(app: Flask) -> None:
    app.json = StrictJSONProvider(app)
    app.url_map.converters["id"] = IdConverter
    app.before_request(check_request)
