"""``eduapp questions import|export``."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from eduapp.cli.common import collect_files
from eduapp.domain.formats import registry
from eduapp.domain.item_stats import TOO_EASY, TOO_HARD
from eduapp.services.coverage import coverage_map
from eduapp.services.question_export import export
from eduapp.services.question_import import import_files

FORMAT_CHOICES = ["auto", *registry.FORMATS]


@click.group("questions")
def questions_group():
    """The question bank."""


@questions_group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="auto", show_default=True)
@click.option("--category", default=None, help="Category path for questions whose file names none.")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid questions even when others are rejected.")
@with_appcontext
def questions_import(path: Path, fmt: str, category: str | None, dry_run: bool, skip_invalid: bool):
    """Import questions from PATH (a file, or a folder of files)."""
    report = import_files(collect_files(path), fmt=fmt, category=category, dry_run=dry_run, skip_invalid=skip_invalid)
    for name in report.ignored_files:
        click.echo(f"ignored {name} (not a question file)")
    for label, conditional in (("added", "would add"), ("updated", "would update")):
        for item in getattr(report, label):
            click.echo(
                f"{label if report.written else conditional} {item.uid or '-'} ({item.file}:{item.line}) {item.text}"
            )
    by_file: dict[str, int] = {}
    for item in report.unchanged:
        by_file[item.file] = by_file.get(item.file, 0) + 1
    for name, count in by_file.items():
        click.echo(f"unchanged {count} in {name}")
    for item in report.skipped:
        click.echo(f"skipped {item.file}:{item.line} {item.uid or ''}: {item.text}")
    for item in report.rejected:
        click.echo(f"rejected {item.file}:{item.line or '-'}: {item.text}", err=True)
    counts = report.counts()
    state = "dry run, nothing written" if dry_run else ("written" if report.written else "nothing written")
    click.echo(", ".join(f"{k} {v}" for k, v in counts.items()) + f" ({state})")
    click.echo(json.dumps({**counts, "written": report.written}))
    if report.rejected and not skip_invalid:
        raise SystemExit(1)


@questions_group.command("export")
@click.option("--format", "fmt", type=click.Choice(list(registry.FORMATS)), required=True)
@click.option(
    "--status",
    type=click.Choice(["draft", "published", "retired"]),
    default=None,
    help="Only questions with this status.",
)
@click.argument("out", type=click.Path(path_type=Path))
@with_appcontext
def questions_export(fmt: str, status: str | None, out: Path):
    """Export the bank to OUT (a file; for yaml a folder gives one file per law, as in question_bank/)."""
    written, left_out = export(fmt, out, status=status)
    for path, count in written:
        click.echo(f"wrote {count} questions to {path}")
    for q in left_out:
        click.echo(f"not expressible in {fmt}: {q.external_id} ({q.qtype})", err=True)


def _coverage_line(name: str, row, min_attempts: int) -> str:
    if row.facility is None:
        facility = "no answers"
    else:
        note = "" if row.answers >= min_attempts else ", small sample"
        facility = f"facility {row.facility:g}% of {row.answers} answers{note}"
    return f"{name}  questions {row.questions}  drawn {row.drawn}  {facility}"


@questions_group.command("coverage")
@click.option("--min-questions", type=click.IntRange(1, 100), default=2, show_default=True,
              help="Published questions a catalogue article needs.")
@click.option("--fail-under", is_flag=True,
              help="Exit 1 when a catalogue code has fewer than --min-questions questions on its article (for CI).")
@with_appcontext
def questions_coverage(min_questions: int, fail_under: bool):
    """The coverage map: per statute and article the published questions, how often they were drawn
    and their facility; then the catalogue's uncovered penalty articles. The last line is JSON.
    Exits 0, or 1 with --fail-under when something is uncovered."""
    found = coverage_map(min_questions)
    flags = {TOO_HARD: " TOO HARD", TOO_EASY: " TOO EASY"}
    for law in found.laws:
        click.echo(_coverage_line(law.law, law, found.min_attempts))
        for row in law.articles:
            marks = (f"  [{', '.join(row.codes)}]" if row.codes else "") + ("" if row.covered else " UNCOVERED")
            click.echo("  " + _coverage_line(row.article, row, found.min_attempts) + flags.get(row.flag, "") + marks)
    click.echo(f"published questions {found.questions_published} ({found.uncited} without law or article); "
               f"catalogue articles covered {found.articles_covered} of {found.catalogue_articles} "
               f"(at least {found.min_questions} questions each)")
    for item in found.uncovered:
        click.echo(f"uncovered {item.code}: {item.law}{item.article} has {item.questions} questions")
    click.echo(json.dumps(found.summary(), ensure_ascii=False))
    if fail_under and found.uncovered:
        raise SystemExit(1)
