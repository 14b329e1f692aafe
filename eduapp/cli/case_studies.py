"""``eduapp casestudies import|export``: typical cases (以案释法) as YAML (docs/case-studies.md)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from eduapp.cli.common import collect_files
from eduapp.domain import case_studies as rules
from eduapp.i18n import message
from eduapp.services.case_study_files import export, import_files


@click.group("casestudies")
def case_studies_group():
    """Typical cases (以案释法)."""


@case_studies_group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@with_appcontext
def case_studies_import(path: Path, dry_run: bool):
    """Import case studies from PATH (a YAML file, or a folder of them); any problem and nothing is written."""
    files = [(name, data) for name, data in collect_files(path) if name.endswith((".yaml", ".yml"))]
    report = import_files(files, dry_run=dry_run)
    for label, conditional in (("added", "would add"), ("updated", "would update")):
        for uid, line, title in getattr(report, label):
            click.echo(f"{label if report.written else conditional} {uid} (line {line}) {title}")
    for name, problem in report.problems:
        click.echo(f"rejected {name}:{problem.row or '-'}: {message(problem)}", err=True)
    counts = report.counts()
    state = "dry run, nothing written" if dry_run else ("written" if report.written else "nothing written")
    click.echo(", ".join(f"{k} {v}" for k, v in counts.items()) + f" ({state})")
    click.echo(json.dumps({**counts, "written": report.written}))
    if report.problems:
        raise SystemExit(1)


@case_studies_group.command("export")
@click.option("--status", type=click.Choice(list(rules.STATUSES)), default=None, help="Only those with this status.")
@click.argument("out", type=click.Path(path_type=Path))
@with_appcontext
def case_studies_export(status: str | None, out: Path):
    """Export the case studies to OUT (one YAML file holding a list)."""
    text, count = export(status)
    out.write_text(text, encoding="utf-8")
    click.echo(f"wrote {count} case studies to {out}")
