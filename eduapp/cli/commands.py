"""The command groups create_app puts on the app's command line (``flask``/``eduapp``), one module each."""

from __future__ import annotations

from flask import Flask

from eduapp.cli.audit import audit_group
from eduapp.cli.case_studies import case_studies_group
from eduapp.cli.cases import cases_group
from eduapp.cli.demo import demo
from eduapp.cli.laws import laws_group
from eduapp.cli.orgs import orgs_group
from eduapp.cli.points import points_group
from eduapp.cli.questions import questions_group
from eduapp.cli.reminders import reminders_group
from eduapp.cli.users import users_group


def register(app: Flask) -> None:
    for command in (users_group, orgs_group, demo, audit_group, questions_group, laws_group, cases_group,
                    points_group, reminders_group, case_studies_group):
        app.cli.add_command(command)
