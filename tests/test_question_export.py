"""Exporting the question bank (eduapp/services/question_export.py, `eduapp questions export`): what an
editor exports reads back through the importer as the same questions, the YAML export is one file per
statute named as the law library names it, and what a format cannot hold is reported, never dropped
silently."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import delete, func, select, text, update

from eduapp.domain.formats import registry
from eduapp.extensions import db
from eduapp.models import Law, Question, QuestionVersion
from eduapp.services import question_export
from eduapp.services.question_bank import all_for_export
from eduapp.services.question_import import import_files
from tests import factories

AIR = "中华人民共和国大气污染防治法"
PENALTY = "中华人民共和国行政处罚法"


def _air_questions() -> None:
    text = f"""law: {AIR}
questions:
  - id: air-0001
    type: single
    stem: 排放大气污染物的企业应当取得什么？
    options: [排污许可证, 营业执照]
    answer: A
    article: 第十九条
  - id: air-0002
    type: true_false
    stem: 企业可以不经处理直接排放工业废气。
    answer: false
    status: draft
"""
    report = import_files([("air.yaml", text.encode())])
    assert report.written and not report.rejected, report.rejected


@pytest.fixture
def bank(ctx):
    factories.bank(per_type=2, law=PENALTY)  # 8 published questions of the four types
    _air_questions()  # one published, one draft
    return 10


def _content(questions) -> list[tuple]:
    """What a reader of the bank sees of each question: id, type, stem, options, answer, law, article."""
    return sorted((q.external_id, q.qtype, q.stem, tuple(q.options), q.answer, q.law, q.article) for q in questions)


def _count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _empty_the_bank() -> None:
    """Every question and what hangs on them (tags, versions) gone, as in a new installation."""
    if db.engine.dialect.name == "postgresql":
        tables = f"{Question.__tablename__}, {QuestionVersion.__tablename__}"
        db.session.execute(text(f"TRUNCATE {tables} CASCADE"))  # noqa: S608 (our own table names)
    else:
        db.session.execute(update(Question).values(current_version_id=None))
        db.session.execute(delete(QuestionVersion))
        db.session.execute(delete(Question))
    db.session.commit()


def test_the_yaml_export_is_one_file_per_statute_named_by_the_law_library(bank, tmp_path):
    db.session.add(Law(slug="air-pollution-law", title=AIR))
    db.session.commit()
    written, left_out = question_export.export("yaml", tmp_path / "bank")
    assert left_out == []
    files = {path.name: count for path, count in written}
    # the statute in the library by its slug; one that is not (yet) in the library by its title
    assert files == {"air-pollution-law.yaml": 2, f"{PENALTY}.yaml": 8}
    assert all(path.exists() for path, _ in written)


def test_exported_yaml_reads_back_as_the_same_bank(bank, tmp_path):
    before = _content(all_for_export())
    written, _ = question_export.export("yaml", tmp_path / "bank")
    files = [(path.name, path.read_bytes()) for path, _ in written]

    # Imported again over the bank it came from: nothing changes.
    again = import_files(files)
    assert again.counts() == {"added": 0, "updated": 0, "unchanged": bank, "skipped": 0, "rejected": 0}

    # Imported into an empty bank: the same questions, with their status (the draft stays a draft).
    _empty_the_bank()
    restored = import_files(files)
    assert restored.counts()["added"] == bank and not restored.rejected
    assert _content(all_for_export()) == before
    assert [q.external_id for q in all_for_export("draft")] == ["air-0002"]


def test_the_status_filter_exports_only_those_questions(bank, tmp_path):
    written, _ = question_export.export("csv", tmp_path / "published.csv", status="published")
    assert written == [(tmp_path / "published.csv", bank - 1)]
    text = (tmp_path / "published.csv").read_text(encoding="utf-8-sig")
    assert "排放大气污染物" in text and "直接排放工业废气" not in text


@pytest.mark.parametrize("fmt", ["yaml", "gift", "moodle-xml", "csv", "xlsx", "docx"])
def test_each_format_round_trips_through_its_reader(bank, fmt):
    questions = all_for_export()
    data, left_out = question_export.render(fmt, questions)
    assert left_out == []  # these formats hold every type we have
    parsed = registry.module(fmt).parse(data, filename=f"bank{registry.FILE_SUFFIX[fmt]}")
    assert parsed.problems == [] and parsed.skipped == []
    # (a Word paper groups its questions by type: compare them by stem, not by position)
    assert {q.stem: (q.qtype, q.answer) for q in parsed.questions} == {q.stem: (q.qtype, q.answer) for q in questions}
    assert len(parsed.questions) == len(questions)


def test_aiken_leaves_out_what_it_cannot_hold_and_says_so(bank, tmp_path):
    out = tmp_path / "bank.aiken.txt"
    written, left_out = question_export.export("aiken", out)
    everything = all_for_export()
    singles = [q for q in everything if q.qtype == "single"]
    assert written == [(out, len(singles))]
    assert sorted(q.external_id for q in left_out) == sorted(q.external_id for q in everything if q.qtype != "single")
    parsed = registry.module("aiken").parse(out.read_bytes(), filename=out.name)
    assert sorted(q.stem for q in parsed.questions) == sorted(q.stem for q in singles)


def test_a_question_without_a_statute_goes_to_uncategorised(bank, tmp_path):
    data, _ = question_export.render("yaml", [replace(all_for_export()[0], law=None, article=None, external_id="x-0001")])
    assert import_files([("loose.yaml", data)]).written
    written, _ = question_export.export("yaml", tmp_path / "bank")
    assert {path.name: count for path, count in written}["uncategorised.yaml"] == 1
    assert _count(Question) == bank + 1
