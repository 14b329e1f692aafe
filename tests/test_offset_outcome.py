"""The enterprise hears the outcome: the applicant gets a notice (inbox, and e-mail/SMS per their
preferences) when each step of the application decides, and at the final decision the fine after
从轻; each notice once (dedupe key), each e-mail and SMS sent once, through the real channels."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from eduapp import channels
from eduapp.domain import reminders as rules
from eduapp.extensions import db
from eduapp.models import Delivery, Reminder, ReminderPreference, utcnow
from eduapp.services import offset_outcome, offsets, reminder_sending
from tests.test_offsets import world  # noqa: F401 (the fixture)


def _reachable(world, sms=True, email=True):  # noqa: F811
    contact = world["contact"]
    contact.email, contact.phone = "contact@example.com", "13900000001"
    db.session.add(ReminderPreference(user_id=contact.id, email=email, sms=sms))
    db.session.commit()
    return contact


def _notices(user_id):
    return db.session.execute(select(Reminder).where(Reminder.kind == rules.OFFSET_OUTCOME,
                                                     Reminder.recipient_id == user_id).order_by(Reminder.id)).scalars().all()


def _pending():
    return reminder_sending.due_pending(utcnow() + timedelta(days=1), stale_only=False)


def test_each_step_and_the_final_decision_reach_the_applicant_once_by_every_channel(world):  # noqa: F811
    contact = _reachable(world)
    channels.clear_console_outbox()
    application = offsets.apply(contact, world["cases"][0])
    steps = (("officer", "officer", "材料齐全"), ("reviewer", "reviewer", ""), ("approver", "approver", "同意从轻"))
    for step, who, comment in steps:
        application = offsets.decide(world[who], application, "approve", comment)
        assert offset_outcome.notify(application, step, "approve", comment, utcnow()) == 0  # once per step
    notices = _notices(contact.id)
    assert [n.occasion for n in notices] == ["decided:officer", "decided:reviewer", "approved:approver"]
    assert all(n.link == f"/offsets/applications/{application.id}" for n in notices)

    subject, body = reminder_sending.render(notices[0], None)  # Chinese by default
    assert subject == "案件 示环罚〔2026〕1号 学法从轻申请：承办人已审核"
    assert "承办人意见：同意" in body and "材料齐全" in body and "转入下一审批环节" in body
    body = reminder_sending.render(notices[1], None)[1]
    assert "法制审核意见：同意" in body and "说明：无" in body
    subject, body = reminder_sending.render(notices[2], None)
    assert subject == "学法从轻申请已批准：案件 示环罚〔2026〕1号"
    assert "从轻后拟罚款为 ¥170,000.00" in body and "同意从轻" in body and "行政处罚决定书" in body
    assert "¥170,000.00" in reminder_sending.render(notices[2], "en")[1]

    pending = _pending()
    assert set(reminder_sending.channel_of(pending).values()) == {"email", "sms"} and len(pending) == 6
    for delivery_id in pending * 2:  # a re-run of delivery: the second finds them sent
        reminder_sending.deliver(delivery_id, utcnow().replace(hour=3))  # 11:00 in China: no quiet hours
    outbox = channels.console_outbox()
    assert len(outbox) == 6 and any("从轻后拟罚款为 ¥170,000.00" in str(m) for m in outbox)
    statuses = {(d.channel, d.status) for d in db.session.execute(select(Delivery)).scalars()}
    assert statuses == {("inbox", "sent"), ("email", "sent"), ("sms", "sent")}
    assert reminder_sending.unread_count(contact.id) == 3


def test_a_rejection_is_final_says_why_and_that_the_fine_stays(world):  # noqa: F811
    contact = _reachable(world, sms=False)
    application = offsets.apply(contact, world["cases"][0])
    offsets.decide(world["officer"], application, "approve", "")
    offsets.decide(world["reviewer"], application, "reject", "首次违法认定有误")
    notices = _notices(contact.id)
    assert [n.occasion for n in notices] == ["decided:officer", "rejected:reviewer"]
    subject, body = reminder_sending.render(notices[-1], None)
    assert subject == "学法从轻申请未获批准：案件 示环罚〔2026〕1号"
    assert "法制审核意见：不同意" in body and "首次违法认定有误" in body and "拟罚款仍为 ¥200,000.00" in body
    assert set(reminder_sending.channel_of(_pending()).values()) == {"email"}  # SMS opted out


def test_without_an_address_or_with_both_opted_out_only_the_inbox_has_it(world):  # noqa: F811
    contact = _reachable(world, sms=False, email=False)
    application = offsets.apply(contact, world["cases"][0])
    offsets.decide(world["officer"], application, "reject", "未整改")
    assert len(_notices(contact.id)) == 1 and _pending() == []
    items, total = reminder_sending.inbox(contact.id)
    assert total == 1 and items[0].kind == rules.OFFSET_OUTCOME


def test_a_decision_that_fails_writes_no_notice(world):  # noqa: F811
    contact = _reachable(world)
    application = offsets.apply(contact, world["cases"][0])
    with pytest.raises(offsets.OffsetError):
        offsets.decide(world["reviewer"], application, "approve", "")  # not the reviewer's step yet
    assert _notices(contact.id) == []
