"""The bureau API's lists (eduapp/services/bureau_queries.py): the question bank's filter and search
box, the exam manager's list by state at a given moment, offset applications and rule set versions,
the delivery log of a period, and the pages an integrator walks through. Every moment is fixed."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from eduapp.extensions import db
from eduapp.models import Delivery, Exam, Question, Reminder, RuleSet
from eduapp.services import bureau_queries, rule_sets
from eduapp.services.question_import import import_files
from tests import factories
from tests.test_offsets import _rule
from tests.test_reports import world  # noqa: F401 (two approved offsets at fixed moments)

NOW = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def _uids(query) -> list[str]:
    items, _ = bureau_queries.paginate(query, 1, 100)
    return [q.uid for q in items]


@pytest.fixture
def bank(ctx):
    factories.bank(per_type=1)  # s-000 m-000 t-000 f-000, 中华人民共和国行政处罚法
    text = """law: 中华人民共和国大气污染防治法
questions:
  - id: air-0012
    type: single
    stem: 企业应当按照排污许可证的要求排放100%达标的废气吗？
    options: [应当, 不必]
    answer: A
  - id: q-1203
    type: true_false
    stem: 排放大气污染物应当符合标准。
    answer: true
    status: draft
"""
    assert import_files([("air.yaml", text.encode())]).written


def test_questions_filter_by_status_type_and_statute(bank):
    assert _uids(bureau_queries.questions()) == sorted(["air-0012", "f-000", "m-000", "q-1203", "s-000", "t-000"])
    assert _uids(bureau_queries.questions(status="draft")) == ["q-1203"]
    assert _uids(bureau_queries.questions(qtype="true_false")) == ["q-1203", "t-000"]
    assert _uids(bureau_queries.questions(law="中华人民共和国大气污染防治法", status="published")) == ["air-0012"]


@pytest.mark.parametrize(("typed", "found"), [
    ("12", ["air-0012", "q-1203"]),  # a number finds every id holding it
    ("ＡＩＲ-0012 ", ["air-0012"]),  # full-width, capitals, a space around
    ("排污许可证", ["air-0012"]),  # the question's text
    ("100%", ["air-0012"]),  # % is a character here, not a wildcard
    ("%", ["air-0012"]),
    ("_", ["f-000"]),  # _ is a character too: only the fill-in question's blank ___, not every question
])
def test_the_search_box_finds_ids_and_text(bank, typed, found):
    assert _uids(bureau_queries.questions(q=typed)) == found


@pytest.fixture
def exams(ctx):
    factories.bank()
    made = {
        "past": factories.exam(title="去年的考试", open_at=NOW - timedelta(days=40), close_at=NOW - timedelta(days=10)),
        "open": factories.exam(title="年度学法考试", open_at=NOW - timedelta(days=1), close_at=NOW + timedelta(days=5)),
        "later": factories.exam(title="下月竞赛", is_competition=True, open_at=NOW + timedelta(days=20),
                                close_at=NOW + timedelta(days=21)),
        "draft": factories.exam(title="草稿考试", status="draft", open_at=NOW - timedelta(days=1),
                                close_at=NOW + timedelta(days=2)),
    }
    return {key: exam.id for key, exam in made.items()}


def _titles(query) -> list[str]:
    rows, _ = bureau_queries.paginate(query, 1, 100)
    return [exam.title for exam, _ in rows]


def test_exams_by_state_at_the_given_moment_the_latest_closing_first(exams):
    assert _titles(bureau_queries.exams(now=NOW)) == ["下月竞赛", "年度学法考试", "草稿考试", "去年的考试"]
    assert _titles(bureau_queries.exams(now=NOW, state="open")) == ["年度学法考试", "草稿考试"]
    assert _titles(bureau_queries.exams(now=NOW, state="upcoming")) == ["下月竞赛"]
    assert _titles(bureau_queries.exams(now=NOW, state="closed")) == ["去年的考试"]
    # the same exams a month on: the competition is open, the annual exam closed
    month_on = NOW + timedelta(days=20, hours=1)
    assert _titles(bureau_queries.exams(now=month_on, state="open")) == ["下月竞赛"]
    assert _titles(bureau_queries.exams(now=month_on, state="closed")) == ["年度学法考试", "草稿考试", "去年的考试"]


def test_exams_by_status_title_and_kind(exams):
    assert _titles(bureau_queries.exams(now=NOW, status="draft")) == ["草稿考试"]
    assert _titles(bureau_queries.exams(now=NOW, q="考试")) == ["年度学法考试", "草稿考试", "去年的考试"]
    assert _titles(bureau_queries.exams(now=NOW, q="%")) == []
    assert _titles(bureau_queries.exams(now=NOW, is_competition=True)) == ["下月竞赛"]


def test_each_exam_counts_its_attempts(exams):
    from eduapp.domain.roles import Role
    from eduapp.services import attempts

    staff = factories.user("staff-a", factories.enterprise("甲企业", 1), Role.ENTERPRISE_STAFF)
    with time_machine.travel(NOW, tick=False):  # the exam is open at NOW
        attempts.start(staff, db.session.get(Exam, exams["open"]))
    rows, total = bureau_queries.paginate(bureau_queries.exams(now=NOW), 1, 100)
    assert total == 4
    assert {exam.title: count for exam, count in rows} == {"下月竞赛": 0, "年度学法考试": 1, "草稿考试": 0, "去年的考试": 0}


def test_applications_by_status_enterprise_and_case_newest_first(world):  # noqa: F811
    a, b = world["granted_a"], world["granted_b"]
    items, total = bureau_queries.paginate(bureau_queries.applications(), 1, 10)
    assert total == 2 and [x.id for x in items] == [b.id, a.id]  # 乙's was made a day later
    assert _ids(bureau_queries.applications(enterprise_id=world["a"].id)) == [a.id]
    assert _ids(bureau_queries.applications(case_id=b.case_id)) == [b.id]
    assert _ids(bureau_queries.applications(statuses=("approved",))) == [b.id, a.id]
    assert _ids(bureau_queries.applications(statuses=("pending_officer", "pending_reviewer"))) == []


def _ids(query) -> list[int]:
    return [row.id for row in bureau_queries.paginate(query, 1, 100)[0]]


def test_rule_sets_by_code_the_newest_version_first(ctx):
    first = rule_sets.save(None, None, _rule())
    second = rule_sets.save(None, first, _rule(name="学法积分抵扣罚款规则（修订）", effective_from=date(2026, 7, 1)))
    other = rule_sets.save(None, None, _rule(name="另一规则", eligible_codes=["WAT-83-1"], status="draft"))
    versions = bureau_queries.paginate(bureau_queries.rule_sets(code=first.code), 1, 10)[0]
    assert [v.version for v in versions] == [2, 1] and versions[0].id == second.id
    assert other.id in _ids(bureau_queries.rule_sets(status="draft"))
    assert first.code != other.code and bureau_queries.rule_sets() is not None
    assert len(_ids(bureau_queries.rule_sets())) == db.session.query(RuleSet).count()


_objects = itertools.count(1)


def _delivery(user_id: int, channel: str, status: str, at: datetime, *, kind: str = "exam_closing") -> int:
    reminder = Reminder(kind=kind, object_type="exam", object_id=next(_objects), recipient_id=user_id,
                        occasion="7d", params={"title": "年度学法考试"}, link="/exams/", created_at=at)
    db.session.add(reminder)
    db.session.flush()
    delivery = Delivery(reminder_id=reminder.id, channel=channel, status=status, created_at=at, updated_at=at)
    db.session.add(delivery)
    db.session.commit()
    return delivery.id


def test_deliveries_of_a_period_with_their_recipients(ctx):
    from eduapp.domain.roles import Role

    staff = factories.user("staff-a", factories.enterprise("甲企业", 1), Role.ENTERPRISE_STAFF, full_name="张三")
    since, until = NOW - timedelta(days=7), NOW
    before = _delivery(staff.id, "email", "sent", since - timedelta(seconds=1))
    first = _delivery(staff.id, "email", "failed", since)  # the first moment is in
    sms = _delivery(staff.id, "sms", "sent", NOW - timedelta(days=1), kind="offset_decided")
    last = _delivery(staff.id, "email", "sent", until - timedelta(seconds=1))
    at_until = _delivery(staff.id, "email", "sent", until)  # the end is out

    def found(**filters) -> list[int]:
        rows, _ = bureau_queries.paginate(bureau_queries.deliveries(since=since, until=until, **filters), 1, 100)
        assert all(user.full_name == "张三" for _, user in rows)
        return [delivery.id for delivery, _ in rows]

    assert found() == [last, sms, first]  # the latest change first
    assert before not in found() and at_until not in found()
    assert found(statuses=("failed",)) == [first]
    assert found(channel="sms") == [sms]
    assert found(kind="offset_decided") == [sms]


def test_pages_cover_every_row_once(bank):
    query = bureau_queries.questions()
    pages = [bureau_queries.paginate(query, n, 4) for n in (1, 2, 3)]
    assert [len(items) for items, _ in pages] == [4, 2, 0] and {total for _, total in pages} == {6}
    assert [q.uid for items, _ in pages for q in items] == _uids(query)
    assert all(isinstance(q, Question) for q in pages[0][0])  # one entity selected: entities, not rows
