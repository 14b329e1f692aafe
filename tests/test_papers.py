"""Papers drawn ahead of the opening: one per learner of the audience, used once by the start, never a
paper that the bank or the exam no longer allows."""

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eduapp.config import ConfigError, load_config
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import PreparedPaper, Question, utcnow
from eduapp.services import attempts, exams, papers, question_bank
from tests import factories


@pytest.fixture
def world(ctx):
    factories.bank()
    org = factories.enterprise("甲企业", 1)
    staff = [factories.user(f"staff-{n}", org, Role.ENTERPRISE_STAFF) for n in range(3)]
    contact = factories.user("contact", org, Role.ENTERPRISE_CONTACT)
    bureau = factories.user("officer", factories.unit("执法支队"), Role.CASE_OFFICER)
    now = utcnow()
    exam = factories.exam(open_at=now + timedelta(minutes=10), close_at=now + timedelta(days=1))
    return exam, staff, contact, bureau


def _prepared(exam) -> dict[int, list]:
    return dict(db.session.execute(
        select(PreparedPaper.user_id, PreparedPaper.items).where(PreparedPaper.exam_id == exam.id)).all())


def _items(attempt) -> list[list]:
    return [[i.slot, i.section, i.question_version_id, i.points, i.option_order] for i in attempt.items]


def test_one_paper_per_learner_of_the_audience_and_none_twice(world):
    exam, staff, contact, bureau = world
    assert papers.prepare(exam) == 3
    prepared = _prepared(exam)
    # the audience is enterprise staff: not the contact (another role), not the bureau's officer
    assert set(prepared) == {s.id for s in staff}
    for items in prepared.values():
        assert len(items) == 10 and len({version for _, _, version, _, _ in items}) == 10
        assert sorted(slot for slot, *_ in items) == list(range(10))
    assert papers.prepare(exam) == 0  # again: nothing new
    assert _prepared(exam) == prepared


def test_the_start_uses_the_prepared_paper_once(world):
    exam, staff, _, _ = world
    papers.prepare(exam, rng=random.Random(7))
    drawn = _prepared(exam)[staff[0].id]
    attempt = attempts.start(staff[0], exam, now=exam.open_at + timedelta(seconds=5))
    assert _items(attempt) == drawn
    assert staff[0].id not in _prepared(exam)
    # the others are still waiting for their starts
    assert len(_prepared(exam)) == 2
    # and a learner who has started gets no new paper
    assert papers.prepare(exam) == 0


def test_a_paper_with_a_withdrawn_question_is_drawn_again(world):
    exam, staff, _, _ = world
    papers.prepare(exam)
    drawn = _prepared(exam)[staff[0].id]
    withdrawn_version = drawn[0][2]
    question = db.session.execute(select(Question).where(Question.current_version_id == withdrawn_version)).scalar_one()
    question_bank.set_status(None, [question], "draft")
    attempt = attempts.start(staff[0], exam, now=exam.open_at + timedelta(seconds=5))
    versions = [i.question_version_id for i in attempt.items]
    assert withdrawn_version not in versions and len(versions) == 10
    assert staff[0].id not in _prepared(exam)


def test_saving_the_exam_drops_its_papers(world):
    exam, staff, _, _ = world
    papers.prepare(exam)
    fields = {k: getattr(exam, k) for k in exams.SETTING_FIELDS}
    exams.save(None, exam, {**fields, "shuffle_options": False}, exams.sections_of(exam), exams.audience_entries(exam))
    assert _prepared(exam) == {}
    papers.prepare(exam)
    for items in _prepared(exam).values():  # drawn again under the new settings
        assert all(order == sorted(order) for *_, order in items)


def test_prepare_upcoming_looks_ahead_and_forgets_closed_exams(world):
    exam, staff, _, _ = world
    now = utcnow()
    later = factories.exam(title="下月考试", open_at=now + timedelta(hours=3), close_at=now + timedelta(days=2))
    assert papers.prepare_upcoming(30, now) == {exam.id: 3}
    assert papers.prepare_upcoming(30, now) == {exam.id: 0}
    assert _prepared(later) == {}
    assert papers.prepare_upcoming(0, now) == {}  # switched off: nothing drawn
    # once the exam has closed its unused papers go
    assert papers.prepare_upcoming(30, exam.close_at + timedelta(seconds=1)) == {}
    assert db.session.execute(select(func.count()).select_from(PreparedPaper)).scalar_one() == 0


def test_a_run_draws_at_most_its_limit_and_the_next_run_goes_on(world, monkeypatch):
    exam, staff, _, _ = world
    monkeypatch.setattr(papers, "RUN_LIMIT", 2)
    now = utcnow()
    assert papers.prepare_upcoming(30, now) == {exam.id: 2}
    assert papers.prepare_upcoming(30, now) == {exam.id: 1}
    assert set(_prepared(exam)) == {s.id for s in staff}


def test_a_bank_that_cannot_fill_the_paper_prepares_nothing(world):
    exam, staff, _, _ = world
    singles = db.session.execute(select(Question).where(Question.uid.like("s-%"))).scalars().all()
    question_bank.set_status(None, singles[:3], "draft")  # 3 of 6 left, the paper needs 4
    assert papers.prepare(exam) == 0
    with pytest.raises(attempts.AttemptError) as refused:
        attempts.start(staff[0], exam, now=exam.open_at + timedelta(seconds=5))
    assert refused.value.code == "paper_unavailable"


def test_prepare_minutes_setting(tmp_path):
    assert load_config(tmp_path, {})["EXAM_PREPARE_MINUTES"] == 30
    assert load_config(tmp_path, {"EDUAPP_EXAM_PREPARE_MINUTES": "0"})["EXAM_PREPARE_MINUTES"] == 0
    for bad in ("-1", "1441", "soon"):
        with pytest.raises(ConfigError, match="EDUAPP_EXAM_PREPARE_MINUTES"):
            load_config(tmp_path, {"EDUAPP_EXAM_PREPARE_MINUTES": bad})
