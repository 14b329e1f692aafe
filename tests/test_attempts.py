"""Attempts: frozen papers, the server's clock, saves that lose nothing, one result per attempt."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eduapp.domain.blueprint import Section
from eduapp.domain.exam_rules import AudienceEntry
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import AuditRecord, PracticeAnswer
from eduapp.services import attempts, exams
from eduapp.services.attempts import AttemptError
from tests import factories


@pytest.fixture
def setup(ctx):
    factories.bank()
    org = factories.enterprise("甲企业", 1)
    staff = factories.user("staff-a", org, Role.ENTERPRISE_STAFF)
    other = factories.user("staff-b", org, Role.ENTERPRISE_STAFF)
    exam = factories.exam()
    return exam, staff, other


def _right_answer(item):
    v = item.version
    return {"single": 1, "multiple": [0, 2, 3], "true_false": True, "fill_blank": ["15"]}[v.qtype]


def _paper(attempt):
    return [(i.question_version_id, tuple(i.option_order)) for i in attempt.items]


def test_the_paper_is_frozen_and_survives_reloads(setup):
    exam, staff, _ = setup
    first = attempts.start(staff, exam)
    paper = _paper(first)
    assert len(paper) == 10 and len({v for v, _ in paper}) == 10
    db.session.expire_all()
    again = attempts.start(staff, exam)
    assert again.id == first.id and _paper(again) == paper
    # option order is a permutation of the version's options, kept per candidate
    for item in again.items:
        assert sorted(item.option_order) == list(range(len(item.version.options)))
    assert [i.position for i in again.items] == list(range(1, 11))


def test_deadline_is_the_server_s_and_never_after_closing(setup):
    exam, staff, other = setup
    start = exam.close_at - timedelta(minutes=200)
    attempt = attempts.start(staff, exam, now=start)
    assert attempt.deadline == start + timedelta(minutes=60)
    late = attempts.start(other, exam, now=exam.close_at - timedelta(minutes=10))
    assert late.deadline == exam.close_at


def test_extra_time_override(setup):
    exam, staff, other = setup
    exams.save(None, exam, {k: getattr(exam, k) for k in exams.SETTING_FIELDS}, exams.sections_of(exam),
               exams.audience_entries(exam), [exams.Override(staff.id, extra_minutes=30, extra_attempts=1)])
    start = exam.open_at + timedelta(minutes=5)
    assert attempts.start(staff, exam, now=start).deadline == start + timedelta(minutes=90)
    assert attempts.start(other, exam, now=start).deadline == start + timedelta(minutes=60)


def test_out_of_order_and_duplicate_saves_keep_the_newest(setup):
    exam, staff, _ = setup
    attempt = attempts.start(staff, exam)
    item = next(i for i in attempt.items if i.version.qtype == "single")
    assert attempts.save_answer(attempt, item.id, 2, seq=3) == 3
    assert attempts.save_answer(attempt, item.id, 0, seq=2) == 3  # older: ignored
    assert attempts.save_answer(attempt, item.id, 0, seq=3) == 3  # a retry of 3 changes nothing
    db.session.refresh(item)
    assert (item.response, item.seq) == (2, 3)
    assert attempts.save_answer(attempt, item.id, None, seq=4) == 4  # cleared
    db.session.refresh(item)
    assert item.response is None


def test_bad_responses_name_the_field_and_change_nothing(setup):
    exam, staff, _ = setup
    attempt = attempts.start(staff, exam)
    item = next(i for i in attempt.items if i.version.qtype == "multiple")
    with pytest.raises(InputError) as error:
        attempts.save_answer(attempt, item.id, [9], seq=1)
    assert error.value.problems[0].field == "response"
    with pytest.raises(InputError) as error:
        attempts.save_answer(attempt, item.id, [0], seq="1")
    assert error.value.problems[0].field == "seq"
    db.session.refresh(item)
    assert (item.response, item.seq) == (None, 0)


def test_double_submit_gives_one_result_and_one_award(setup):
    exam, staff, _ = setup
    attempt = attempts.start(staff, exam)
    for item in attempt.items:
        attempts.save_answer(attempt, item.id, _right_answer(item), seq=1)
    first = attempts.submit(attempt)
    second = attempts.submit(attempt)
    assert first == second
    assert (first.score, first.max_score, first.passed, first.points_awarded) == (2000, 2000, True, 2)
    submits = db.session.execute(
        select(func.count()).select_from(AuditRecord).where(AuditRecord.action == "attempt.submit")
    ).scalar_one()
    assert submits == 1
    # a second, passing attempt awards nothing more
    again = attempts.start(staff, exam)
    for item in again.items:
        attempts.save_answer(again, item.id, _right_answer(item), seq=1)
    assert attempts.submit(again).points_awarded == 0
    assert attempts.points_of_passed_exams(staff) == 2
    with pytest.raises(AttemptError) as error:
        attempts.start(staff, exam)
    assert error.value.code == "no_attempts_left"


def test_partial_marks_and_wrong_answers_go_to_the_book(setup):
    exam, staff, _ = setup
    attempt = attempts.start(staff, exam)
    multi = [i for i in attempt.items if i.version.qtype == "multiple"]
    attempts.save_answer(attempt, multi[0].id, [0, 2], seq=1)  # a right subset: half of 3 points
    attempts.save_answer(attempt, multi[1].id, [1], seq=1)  # wrong
    result = attempts.submit(attempt)
    assert result.score == 150 and result.passed is False and result.points_awarded == 0
    answers = db.session.execute(select(PracticeAnswer.correct)).scalars().all()
    assert sorted(answers) == [False, False]


def test_overdue_attempts_are_finalised_with_what_was_saved_in_time(setup):
    exam, staff, other = setup
    start = exam.open_at + timedelta(minutes=1)
    attempt = attempts.start(staff, exam, now=start)
    single = [i for i in attempt.items if i.version.qtype == "single"]
    attempts.save_answer(attempt, single[0].id, 1, seq=1, now=start + timedelta(minutes=59))
    late = start + timedelta(minutes=61)
    with pytest.raises(AttemptError) as error:
        attempts.save_answer(attempt, single[1].id, 1, seq=1, now=late)
    assert error.value.code == "time_up"
    db.session.refresh(attempt)
    assert attempt.state == "finished" and attempt.finished_by == "deadline" and attempt.score == 200
    assert attempt.submitted_at == attempt.deadline

    # the periodic task finishes attempts nobody comes back to
    forgotten = attempts.start(other, exam, now=start)
    assert attempts.finalise_overdue(now=start + timedelta(minutes=30)) == 0
    assert attempts.finalise_overdue(now=start + timedelta(hours=2)) == 1
    db.session.refresh(forgotten)
    assert forgotten.state == "finished" and forgotten.score == 0


def test_closed_exam_and_audience(setup):
    exam, staff, _ = setup
    with pytest.raises(AttemptError) as error:
        attempts.start(staff, exam, now=exam.close_at + timedelta(seconds=1))
    assert error.value.code == "closed"
    unit = factories.unit("执法大队")
    civil = factories.user("civil-1", unit, Role.CIVIL_SERVANT)
    with pytest.raises(AttemptError) as error:
        attempts.start(civil, exam)
    assert error.value.status == 404
    assert exams.visible_exams(civil) == [] and exams.visible_exams(staff) == [exam]


def test_a_candidate_cannot_reach_another_s_attempt(setup):
    exam, staff, other = setup
    attempt = attempts.start(staff, exam)
    assert attempts.for_user(other, attempt.id) is None
    assert attempts.for_user(staff, attempt.id).id == attempt.id


def test_a_blueprint_the_bank_cannot_fill_is_refused(setup):
    exam, _, _ = setup
    fields = {k: getattr(exam, k) for k in exams.SETTING_FIELDS}
    sections = [Section("单选题", "single", 4, 2), Section("难题", "true_false", 5, 2, difficulty_min=4)]
    with pytest.raises(InputError) as error:
        exams.save(None, None, fields, sections, [AudienceEntry("role", "civil_servant")])
    [problem] = error.value.problems
    assert problem.row == 2 and problem.params["short"] == 3 and problem.params["available"] == 2


@pytest.mark.postgres
def test_concurrent_submits_and_saves_on_postgresql(app, setup):
    """Four submits racing each other give one result, one audit record and one award; saves racing
    with different sequence numbers keep the highest."""
    import threading

    from eduapp.models import Attempt, AttemptItem

    exam, staff, _ = setup
    attempt = attempts.start(staff, exam)
    item_ids = [(i.id, _right_answer(i)) for i in attempt.items]
    single = next(i.id for i in attempt.items if i.version.qtype == "single")
    attempt_id = attempt.id  # the threads must not touch this session's objects
    db.session.commit()
    results, errors = [], []
    barrier = threading.Barrier(4)

    def saver(seq):
        try:
            with app.app_context():
                barrier.wait()
                a = db.session.get(Attempt, attempt_id)
                attempts.save_answer(a, single, seq % 4, seq)
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=saver, args=(seq,)) for seq in (5, 9, 7, 6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    db.session.expire_all()
    kept = db.session.get(AttemptItem, single)
    assert (kept.seq, kept.response) == (9, 1)

    for item_id, answer in item_ids:
        attempts.save_answer(db.session.get(Attempt, attempt_id), item_id, answer, seq=10)
    barrier = threading.Barrier(4)

    def submitter():
        try:
            with app.app_context():
                barrier.wait()
                results.append(attempts.submit(db.session.get(Attempt, attempt_id)))
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=submitter) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(results)) == 1 and results[0].points_awarded == 2 and results[0].score == 2000
    submits = db.session.execute(
        select(func.count()).select_from(AuditRecord).where(AuditRecord.action == "attempt.submit")
    ).scalar_one()
    assert submits == 1
