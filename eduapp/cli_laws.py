"""``eduapp laws import DIR``: load the statute library from Markdown files (see docs/laws.md)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext

from eduapp.domain.problems import InputError, Problem


@click.group("laws")
def laws_group():
    """The law library."""


def problem_line(problem: Problem) -> str:
    """“air-pollution-law.md line 12: …”: the file travels in ``field``, the line in ``row``."""
    where = " ".join(x for x in (problem.field or "", f"line {problem.row}" if problem.row else "") if x)
    text = gettext(problem.msgid, **problem.params)
    return f"{where}: {text}" if where else text


@laws_group.command("import")
@click.argument("path", metavar="DIR", type=click.Path(exists=True, path_type=Path))
@with_appcontext
def laws_import(path: Path):
    """Import or update the statutes in DIR (every *.md file; a single file works too).

    A statute is matched by its file name; a changed one has its articles replaced. A problem in any
    file and nothing is imported."""
    from eduapp.services import laws

    try:
        summary = laws.import_dir(path) if path.is_dir() else laws.import_file(path)
    except InputError as err:
        for problem in err.problems:
            click.echo(f"error: {problem_line(problem)}", err=True)
        raise SystemExit(1)
    for law in summary.laws:
        click.echo(f"{law.action} {law.title} ({law.articles} articles)")
    click.echo(f"laws: added {len(summary.added)}, updated {len(summary.updated)}, unchanged {len(summary.unchanged)}")
