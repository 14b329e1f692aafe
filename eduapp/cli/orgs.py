"""``eduapp orgs import FILE``: the enterprise register (see docs/imports.md)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from eduapp.cli.common import fail
from eduapp.domain import enterprises
from eduapp.domain.problems import InputError
from eduapp.domain.tabular import read_rows
from eduapp.services import orgs


@click.group("orgs")
def orgs_group():
    """Organisations."""


@orgs_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def orgs_import(file: Path):
    """Import or update enterprises from an XLSX or CSV register (see docs/imports.md)."""
    try:
        rows = read_rows(
            file.read_bytes(),
            file.name,
            headers=enterprises.HEADERS,
            required=enterprises.REQUIRED,
            max_rows=current_app.config["IMPORT_MAX_ROWS"],
            max_unpacked_mb=current_app.config["IMPORT_MAX_UNPACKED_MB"],
        )
        records, problems = enterprises.parse_enterprise_rows(rows)
        if problems:
            raise InputError(problems)
        summary = orgs.import_enterprises(None, records)
    except InputError as err:
        fail(err.problems, enterprises.HEADERS, prefix=f"{file.name} ")
    click.echo(f"added {len(summary.added)}, updated {len(summary.updated)}, unchanged {len(summary.unchanged)}")
    for name in summary.added:
        click.echo(f"  added: {name}")
    for name in summary.updated:
        click.echo(f"  updated: {name}")
