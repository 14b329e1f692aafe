"""``eduapp laws import DIR``: load the statute library from Markdown files; ``eduapp laws repeal TITLE
--on DATE``: record a repeal (see docs/laws.md)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import gettext

from eduapp.domain.problems import InputError, Problem
from eduapp.services import law_amendments, laws


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

    A statute is matched by its file name; a changed one has its articles replaced. A file bringing a
    new version of a statute in the library (the same title) keeps the earlier version, and its
    amendments flow into the question bank. A problem in any file and nothing is imported. The last
    line is JSON: the counts of the import and of the amendments."""
    try:
        summary = laws.import_dir(path) if path.is_dir() else laws.import_file(path)
    except InputError as err:
        for problem in err.problems:
            click.echo(f"error: {problem_line(problem)}", err=True)
        raise SystemExit(1)
    for law in summary.laws:
        click.echo(f"{law.action} {law.title} ({law.articles} articles)")
    click.echo(f"laws: added {len(summary.added)}, updated {len(summary.updated)}, unchanged {len(summary.unchanged)}"
               f", amended {len(summary.amended)}")
    for outcome in summary.amendments:
        click.echo(f"amended {outcome.amendment.new_law.title}: " + ", ".join(
            f"{key} {value}" for key, value in outcome.summary().items()))
    click.echo(json.dumps({"added": len(summary.added), "updated": len(summary.updated),
                           "unchanged": len(summary.unchanged), "amended": len(summary.amended),
                           **law_amendments.total(summary.amendments)}, ensure_ascii=False))


@laws_group.command("repeal")
@click.argument("title")
@click.option("--on", "on", required=True, metavar="YYYY-MM-DD", help="The day the repeal takes effect.")
@with_appcontext
def laws_repeal(title: str, on: str):
    """Record that the statute TITLE is repealed from the day --on: from that day its questions are left
    out of new papers. The last line is JSON."""
    try:
        day = date.fromisoformat(on.strip())
    except ValueError:
        message = gettext("“%(value)s” is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31.", value=on)
        click.echo(f"error: --on: {message}", err=True)
        raise SystemExit(2)
    try:
        result = law_amendments.repeal(title, day)
    except InputError as err:
        for problem in err.problems:
            click.echo(f"error: {problem_line(problem)}", err=True)
        raise SystemExit(1)
    click.echo(f"repealed {result['title']} on {result['repealed_on']}: {result['questions_retired']} questions "
               "leave new papers from that day")
    click.echo(json.dumps(result, ensure_ascii=False))
