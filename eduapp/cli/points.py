"""``eduapp points verify`` and ``eduapp points expire``: the ledger's checks from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.group("points")
def points_group():
    """The study points ledger."""


@points_group.command("verify")
@click.option("--account", "account_id", type=int, default=None, help="Check one account only (its id).")
@with_appcontext
def points_verify(account_id: int | None):
    """Check that cached balances, lots and reservations agree with the entries; exit 1 naming
    each difference."""
    from eduapp.services import ledger_verify

    found = ledger_verify.verify(account_id)
    for discrepancy in found:
        click.echo(f"points ledger MISMATCH: {discrepancy}", err=True)
    if found:
        raise SystemExit(1)
    click.echo("points ledger consistent: balances, lots and reservations agree with the entries")


@points_group.command("expire")
@with_appcontext
def points_expire():
    """Write off the points of expired lots now (the nightly task does the same)."""
    from eduapp.services import awards

    run = awards.expire()
    click.echo(f"expired {run.points} points in {run.lots} lots of {run.accounts} accounts")
