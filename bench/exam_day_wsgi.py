"""Gunicorn entry point of the exam-day benchmark (bench/exam_day.py): eduapp exactly as wsgi.py serves
it, plus the framework's floor at /bench/reference.

The floor is a bare Flask app with Flask-SQLAlchemy that parses the same JSON body an autosave carries
and inserts it as one row of a scratch table, then commits: what any Flask + SQLAlchemy write costs on
this gunicorn and this database, with none of eduapp's work (authentication, access checks, the
attempt's rules, security headers, schemas). bench/exam_day.py divides autosave throughput by this
one's: our overhead above the floor.

It is mounted with werkzeug's DispatcherMiddleware, so it runs in the same gunicorn workers with the
same settings as eduapp, and it lives here, never in eduapp's routes: production (wsgi.py) has no
such endpoint. The scratch table ``bench_reference`` is created by the bench, not by a migration.

    gunicorn --chdir bench exam_day_wsgi:app
"""

from __future__ import annotations

import json

from flask import Flask, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from eduapp import create_app

REFERENCE_TABLE = "bench_reference"

eduapp_app = create_app()

reference_app = Flask("bench_reference")
reference_app.config.update(
    SQLALCHEMY_DATABASE_URI=eduapp_app.config["SQLALCHEMY_DATABASE_URI"],
    SQLALCHEMY_ENGINE_OPTIONS=eduapp_app.config["SQLALCHEMY_ENGINE_OPTIONS"],
)
reference_db = SQLAlchemy(reference_app)


class ReferenceRow(reference_db.Model):
    __tablename__ = REFERENCE_TABLE

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    response: Mapped[object | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(32), default="")


@reference_app.route("/reference", methods=["PUT", "POST"])
def reference():
    body = request.get_json()
    row = ReferenceRow(seq=int(body["seq"]), response=body.get("response"))
    reference_db.session.add(row)
    reference_db.session.flush()
    saved = row.seq
    reference_db.session.commit()
    return reference_app.response_class(json.dumps({"saved_seq": saved}), mimetype="application/json")


app = DispatcherMiddleware(eduapp_app, {"/bench": reference_app})
