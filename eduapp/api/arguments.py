"""The API's blueprints: flask-smorest's, with argument schemas built once.

webargs builds a new instance of an argument schema given as a class for every request it parses
(marshmallow's ``Schema.__init__`` copies every declared field): on the exam day's autosave that was
about a twentieth of the view's Python work (issue 19). A schema's ``load`` keeps no state between
calls, so one instance per class serves every request and thread, as flask-smorest already does for
response schemas. Every API module takes ``Blueprint`` from here. A JSON body is parsed once per request,
by eduapp.input_guard's strict check, and its arguments are loaded from that.
"""

from __future__ import annotations

from functools import cache

import flask_smorest
import marshmallow
from webargs.core import missing
from webargs.flaskparser import FlaskParser

from eduapp.input_guard import PARSED_JSON


@cache
def _instance(schema_class: type[marshmallow.Schema]) -> marshmallow.Schema:
    return schema_class()


class SchemaOnceParser(FlaskParser):
    def _raw_load_json(self, req):
        """The body eduapp.input_guard has already parsed (strictly) for this request, else webargs' own."""
        parsed = req.environ.get(PARSED_JSON, missing)
        return parsed if parsed is not missing else super()._raw_load_json(req)

    def _get_schema(self, argmap, req):
        if isinstance(argmap, type) and issubclass(argmap, marshmallow.Schema):
            return _instance(argmap)
        return super()._get_schema(argmap, req)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = SchemaOnceParser()
