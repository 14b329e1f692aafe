"""The ``eduapp`` command (a FlaskGroup): ``eduapp db upgrade``, ``eduapp users create``,
``eduapp orgs import``, ``eduapp demo``, ``eduapp audit verify``, ``eduapp audit anchor`` and Flask's own commands.
``eduapp --as USERNAME …`` (or EDUAPP_OPERATOR) names the account the audit trail records as the actor.

One module per command group (users, orgs, demo, audit, questions, laws, cases, points, reminders,
casestudies); what they share is in eduapp.cli.common. create_app adds them to the app's command line
(eduapp.cli.commands.register)."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from eduapp import create_app
from eduapp.services import cli_operator


def _create_app():
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
@click.option("--as", "operator", envvar="EDUAPP_OPERATOR", default=None, metavar="USERNAME",
              help="The account this command runs as: the audit trail names it as the actor of every change "
                   "(default: EDUAPP_OPERATOR; without either the record says the command line, no operator named).")
def cli(operator: str | None):
    """eduapp: legal education, study points and fine offsets."""
    cli_operator.set_name(operator)
