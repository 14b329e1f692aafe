"""The API's blueprints: flask-smorest's, with argument schemas built once.

webargs builds a new instance of an argument schema given as a class for every request it parses
(marshmallow's ``Schema.__init__`` copies every declared field): on the exam day's autosave that was
about a twentieth of the view's Python work (issue 19). A schema's ``load`` keeps no state between
calls, so one instance per class serves every request and thread, as flask-smorest already does for
response schemas. Every API module takes ``Blueprint`` from here.
"""

from __future__ import annotations

from functools import cache

import flask_smorest
import marshmallow
from webargs.flaskparser import FlaskParser


@cache
def _instance(schema_class: type[marshmallow.Schema]) -> marshmallow.Schema:
    return schema_class()


class SchemaOnceParser(FlaskParser):
    def _get_schema(self, argmap, req):
        if isinstance(argmap, type) and issubclass(argmap, marshmallow.Schema):
            return _instance(argmap)
        return super()._get_schema(argmap, req)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = SchemaOnceParser()
