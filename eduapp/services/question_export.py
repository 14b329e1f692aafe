"""Exporting the bank to any format."""

from __future__ import annotations

import re
from itertools import groupby
from pathlib import Path

from sqlalchemy import select

from eduapp.domain.formats import registry
from eduapp.domain.questions import QuestionData
from eduapp.extensions import db
from eduapp.models import Law
from eduapp.services.question_bank import all_for_export


def render(fmt: str, questions: list[QuestionData]) -> tuple[bytes, list[QuestionData]]:
    """The file's bytes, and the questions the format cannot express (left out)."""
    module = registry.module(fmt)
    left_out = module.unsupported(questions)
    keep = [q for q in questions if q not in left_out] if left_out else questions
    return module.write(keep), left_out


def _file_stem(law: str | None, slugs: dict[str, str]) -> str:
    if not law:
        return "uncategorised"
    return slugs.get(law) or re.sub(r"[\\/:*?\"<>|\s]+", "-", law)


def export(fmt: str, out: Path, status: str | None = None) -> tuple[list[tuple[Path, int]], list[QuestionData]]:
    questions = all_for_export(status)
    if fmt == "yaml" and not out.suffix:
        out.mkdir(parents=True, exist_ok=True)
        slugs = dict(db.session.execute(select(Law.title, Law.slug)).all())
        written = []
        ordered = sorted(questions, key=lambda q: (q.law or "", q.external_id or ""))
        for law, group in groupby(ordered, key=lambda q: q.law):
            group = list(group)
            path = out / f"{_file_stem(law, slugs)}.yaml"
            data, _ = render(fmt, group)
            path.write_bytes(data)
            written.append((path, len(group)))
        return written, []
    data, left_out = render(fmt, questions)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return [(out, len(questions) - len(left_out))], left_out
