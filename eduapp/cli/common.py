"""What the command groups share: problems as lines naming row and column, failing with them, and reading
a file or a folder of files."""

from __future__ import annotations

from pathlib import Path

import click
from flask_babel import gettext

from eduapp.domain.problems import Problem


def problem_lines(problems: list[Problem], headers: dict | None = None) -> list[str]:
    lines = []
    for p in problems:
        column = headers[p.field][0] if headers and p.field in headers else p.field
        where = " ".join(x for x in (f"row {p.row}" if p.row else "", f"[{column}]" if column else "") if x)
        text = gettext(p.msgid, **p.params)
        lines.append(f"{where}: {text}" if where else text)
    return lines


def fail(problems: list[Problem], headers: dict | None = None, prefix: str = "") -> None:
    for line in problem_lines(problems, headers):
        click.echo(f"error: {prefix}{line}", err=True)
    raise SystemExit(1)


def collect_files(path: Path) -> list[tuple[str, bytes]]:
    """PATH's bytes, or those of every file under the folder PATH (by their relative names, sorted)."""
    if path.is_dir():
        return [(str(p.relative_to(path)), p.read_bytes()) for p in sorted(path.rglob("*")) if p.is_file()]
    return [(path.name, path.read_bytes())]
