"""The PostgreSQL and the portable paths of the attempts and reminders stores leave the same rows: each
scenario runs once on SQLite and once on PostgreSQL (tests/store_parity.py) and the aggregate's tables are
compared row for row: ids, states, scores, marks, times, JSON answers and option orders."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from eduapp import channels
from eduapp.domain import reminders as rules
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import PenaltyCase, ReminderPreference, ViolationType
from eduapp.services import attempts, papers, reminder_sending, reminders
from tests import factories
from tests.store_parity import PARITY_NOW, assert_same, run_on_both, suite_app_rebound  # noqa: F401 (fixture)

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("suite_app_rebound")]

RIGHT = {"single": 1, "multiple": [3, 0, 2], "true_false": True, "fill_blank": [" 15 "]}
WRONG = {"single": 0, "multiple": [1], "true_false": False, "fill_blank": ["十"]}
INVALID = {"single": 9, "multiple": [7], "true_false": "yes", "fill_blank": 3}


def _answer(user_id: int, attempt, wrong_every: int) -> None:
    """Answer every item through the autosave: right, or wrong every ``wrong_every``th; a refused answer
    and an out-of-order retry on the way (both must leave the rows as they were), one item flagged."""
    items = sorted(attempt.items, key=lambda i: i.position)
    for n, item in enumerate(items):
        qtype = item.version.qtype
        with pytest.raises(InputError):
            attempts.save_own_answer(user_id, attempt.id, item.id, INVALID[qtype], 1)
        answer = WRONG[qtype] if n % wrong_every == 0 else RIGHT[qtype]
        assert attempts.save_own_answer(user_id, attempt.id, item.id, WRONG[qtype], 2) == 2
        assert attempts.save_own_answer(user_id, attempt.id, item.id, answer, 3, flagged=n == 1) == 3
        assert attempts.save_own_answer(user_id, attempt.id, item.id, WRONG[qtype], 2) == 3  # older: kept 3


def attempts_scenario() -> dict[str, tuple[str, ...]]:
    """Papers prepared before the opening; at the opening two candidates start with theirs and a third (no
    paper prepared: joined the audience late) draws one; they autosave; one submits, one runs out of time
    (finalised by the periodic task), one submits without answering."""
    factories.bank()
    org = factories.enterprise("甲企业", 1)
    staff = [factories.user(f"staff-{n}", org, Role.ENTERPRISE_STAFF) for n in range(2)]
    exam = factories.exam(open_at=PARITY_NOW + timedelta(minutes=10), close_at=PARITY_NOW + timedelta(days=1))
    assert papers.prepare(exam, rng=random.Random(7)) == 2
    late = factories.user("staff-late", org, Role.ENTERPRISE_STAFF)
    opening = exam.open_at + timedelta(seconds=5)
    first = attempts.start(staff[0], exam, now=opening)
    second = attempts.start(staff[1], exam, now=opening)
    third = attempts.start(late, exam, now=opening, rng=random.Random(11))
    _answer(staff[0].id, first, wrong_every=4)
    _answer(staff[1].id, second, wrong_every=2)
    attempts.submit(first, now=opening + timedelta(minutes=20))
    attempts.submit(third, now=opening + timedelta(minutes=21))
    assert attempts.finalise_overdue(now=opening + timedelta(hours=2)) == 1  # the second, at its deadline
    db.session.remove()
    return {
        "prepared_papers": (),
        "attempts": (),
        "attempt_items": (),
        "practice_answers": (),
        # The whole chain: hashes over the frozen clock, the actors and the summaries (scores, certificate
        # numbers) are equal only if every row before them is.
        "audit_records": (),
    }


def test_attempts_store_is_the_same_on_both():
    sqlite_rows, pg_rows = run_on_both(attempts_scenario)
    assert len(pg_rows["attempts"]) == 3 and len(pg_rows["attempt_items"]) == 30
    assert {a["finished_by"] for a in pg_rows["attempts"]} == {"candidate", "deadline"}
    assert len({a["score"] for a in pg_rows["attempts"]}) == 3  # three different scores, all compared
    assert_same(sqlite_rows, pg_rows)


TODAY = date(2026, 11, 20)


def _case(firm, number: str, **fields) -> None:
    vt = ViolationType(code=f"AIR-{number}", name="未依法取得排污许可证排放大气污染物", law="中华人民共和国大气污染防治法",
                       article="第九十九条", fine_min=10_000_000, fine_max=100_000_000)
    db.session.add(vt)
    db.session.flush()
    db.session.add(PenaltyCase(case_number=number, enterprise_id=firm.id, violation_type_id=vt.id,
                               opened_on=TODAY - timedelta(days=40), proposed_fine=5_000_000, **fields))
    db.session.commit()


def reminders_scenario() -> dict[str, tuple[str, ...]]:
    """A scan of every kind that writes reminders and their deliveries (e-mail and SMS only where there is an
    address and no opt-out), a second scan that writes none, then every queued delivery claimed and sent
    (and claimed again: already sent)."""
    firm = factories.enterprise("甲企业", 1, permit_expires_on=TODAY + timedelta(days=75))
    bureau = factories.unit("生态环境局")
    contact = factories.user("contact-a", firm, Role.ENTERPRISE_CONTACT, email="contact@example.com",
                             phone="13900000001")
    staff = factories.user("staff-a", firm, Role.ENTERPRISE_STAFF, email="staff@example.com", phone="13900000002")
    factories.user("staff-b", firm, Role.ENTERPRISE_STAFF)  # no address: inbox only
    factories.user("officer", bureau, Role.CASE_OFFICER)
    factories.user("approver", bureau, Role.APPROVER, Role.CIVIL_SERVANT, email="approver@example.com")
    db.session.add(ReminderPreference(user_id=staff.id, email=True, sms=False))
    db.session.commit()
    factories.bank()
    factories.exam(open_at=PARITY_NOW - timedelta(days=10), close_at=PARITY_NOW + timedelta(days=5))
    _case(firm, "罚1", status="decided", decided_on=TODAY - timedelta(days=14), served_on=TODAY - timedelta(days=14),
          final_fine=1_234_500)
    _case(firm, "罚2", status="investigating", correction_due_on=TODAY + timedelta(days=3))
    first = reminders.scan_all(PARITY_NOW)
    assert sum(r.created for r in first) >= 5
    queued = [delivery_id for r in first for delivery_id in r.queued]
    assert queued
    again = reminders.scan_all(PARITY_NOW + timedelta(hours=1))
    assert sum(r.created for r in again) == 0 and not [i for r in again for i in r.queued]
    channels.clear_console_outbox()
    sent_at = PARITY_NOW + timedelta(minutes=5)
    assert {reminder_sending.deliver(i, sent_at).status for i in queued} == {"sent"}
    assert {reminder_sending.deliver(i, sent_at + timedelta(minutes=1)).status for i in queued} == {"sent"}
    assert len(channels.console_outbox()) == len(queued)
    assert contact.id
    return {"reminders": (), "reminder_deliveries": ()}


def test_reminders_store_is_the_same_on_both():
    sqlite_rows, pg_rows = run_on_both(reminders_scenario)
    channels_written = {d["channel"] for d in pg_rows["reminder_deliveries"]}
    assert channels_written == {rules.INBOX, rules.EMAIL, rules.SMS}
    assert_same(sqlite_rows, pg_rows)
