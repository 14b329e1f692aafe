"""``eduapp demo``: load the demo data (eduapp.demo)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from eduapp import demo as demo_service
from eduapp.cli.common import fail
from eduapp.domain.problems import InputError


@click.command("demo")
@click.option("--password", default=None, help="Password for every demo account (default: eduapp-demo-2026).")
@with_appcontext
def demo(password: str | None):
    """Load the demo bureau, enterprises and accounts (idempotent)."""
    try:
        result = demo_service.load(password or demo_service.DEFAULT_PASSWORD)
    except InputError as err:
        fail(err.problems)
    click.echo(f"demo data: {result.created} created, {result.updated} updated, {result.unchanged} unchanged")
    for note in result.notes:
        click.echo(f"note: {note}")
    click.echo("demo accounts (password: %s):" % (password or demo_service.DEFAULT_PASSWORD))
    for username, role, org in result.accounts:
        click.echo(f"  {username:<22} {role:<30} {org}")
