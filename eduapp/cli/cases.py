"""``eduapp cases catalogue [FILE]`` and ``eduapp cases import FILE`` (see docs/cases.md)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext

from eduapp.cli.common import fail, problem_lines
from eduapp.domain import case_register as register_rules
from eduapp.domain.problems import InputError
from eduapp.domain.tabular import read_rows
from eduapp.services import case_register, cases


@click.group("cases")
def cases_group():
    """Penalty cases and the violation catalogue."""


@cases_group.command("catalogue")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def cases_catalogue(file: Path | None):
    """Load or update the violation catalogue from FILE (default: the packaged eduapp/data/violations.yaml).

    Types are matched by code; running it twice changes nothing."""
    source = file or cases.PACKAGED_CATALOGUE
    try:
        summary = cases.load_catalogue(cases.read_catalogue(source))
    except InputError as err:
        for p in err.problems:
            where = " ".join(x for x in (f"entry {p.row}" if p.row else "", f"[{p.field}]" if p.field else "") if x)
            text = gettext(p.msgid, **p.params)
            click.echo(f"error: {source.name} {where}: {text}" if where else f"error: {source.name}: {text}", err=True)
        raise SystemExit(1)
    for code in summary.added:
        click.echo(f"  added: {code}")
    for code in summary.updated:
        click.echo(f"  updated: {code}")
    click.echo(
        f"violation types: added {len(summary.added)}, updated {len(summary.updated)}, "
        f"unchanged {len(summary.unchanged)}"
    )


@cases_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@with_appcontext
def cases_import(file: Path, dry_run: bool):
    """Import or update penalty cases from an XLSX or CSV case register, matched by case number.

    A file with any problem imports nothing; each problem names its row and column."""
    try:
        rows = read_rows(
            file.read_bytes(),
            file.name,
            headers=register_rules.HEADERS,
            required=register_rules.REQUIRED,
            max_rows=current_app.config["IMPORT_MAX_ROWS"],
            max_unpacked_mb=current_app.config["IMPORT_MAX_UNPACKED_MB"],
        )
        records, problems = register_rules.parse_case_rows(rows)
        if problems:
            raise InputError(problems)
        summary = case_register.import_cases(None, records, dry_run=dry_run)
    except InputError as err:
        fail(err.problems, register_rules.HEADERS, prefix=f"{file.name} ")
    for line in problem_lines(summary.warnings, register_rules.HEADERS):
        click.echo(f"warning: {file.name} {line}", err=True)
    verb = ("would add", "would update") if dry_run else ("added", "updated")
    for label, numbers in zip(verb, (summary.added, summary.updated), strict=True):
        for number in numbers:
            click.echo(f"  {label}: {number}")
    state = " (dry run, nothing written)" if dry_run else ""
    click.echo(
        f"cases: added {len(summary.added)}, updated {len(summary.updated)}, unchanged {len(summary.unchanged)}{state}"
    )
