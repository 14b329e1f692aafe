"""The reminder scans and sends in-process (the embedded default): one reminder per due item and
recipient, none on a rerun, deliveries per channel and preference, quiet hours, opt-out, the SMS
webhook and `eduapp reminders run` on the demo."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from eduapp import channels
from eduapp.domain import reminders as rules
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import (
    Attempt,
    Delivery,
    PenaltyCase,
    Reminder,
    ReminderPreference,
    Training,
    TrainingRegistration,
    ViolationType,
)
from eduapp.services import awards, points, reminder_sending, reminders
from tests import factories

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 10:00 in China
TODAY = date(2026, 11, 20)


def _count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


@pytest.fixture
def world(ctx):
    firm = factories.enterprise("甲企业", 1, permit_expires_on=TODAY + timedelta(days=75))
    bureau = factories.unit("生态环境局")
    people = {
        "contact": factories.user("contact-a", firm, Role.ENTERPRISE_CONTACT, email="contact@example.com",
                                  phone="13900000001"),
        "staff": factories.user("staff-a", firm, Role.ENTERPRISE_STAFF, email="staff@example.com",
                                phone="13900000002"),
        "passed": factories.user("staff-b", firm, Role.ENTERPRISE_STAFF),
        "officer": factories.user("officer", bureau, Role.CASE_OFFICER),
        "approver": factories.user("approver", bureau, Role.APPROVER, Role.CIVIL_SERVANT),
    }
    return {"firm": firm, "bureau": bureau, **people}


def _kinds_created(now=NOW) -> dict[str, int]:
    return {r.kind: r.created for r in reminders.scan_all(now)}


def test_exam_closing_reaches_the_audience_who_have_not_passed_once_per_lead(world):
    factories.bank()
    exam = factories.exam(open_at=NOW - timedelta(days=10), close_at=NOW + timedelta(days=5))
    db.session.add(Attempt(exam_id=exam.id, user_id=world["passed"].id, number=1, state="finished",
                           started_at=NOW - timedelta(days=1), deadline=NOW, submitted_at=NOW - timedelta(hours=20),
                           score=2000, max_score=2000, passed=True))
    db.session.commit()
    result = reminders.scan(rules.EXAM_CLOSING, NOW)
    got = db.session.execute(select(Reminder.recipient_id, Reminder.occasion)).all()
    assert sorted(got) == [(world["staff"].id, "7d")]  # role audience: enterprise staff; the one who passed is left out
    assert result.created == 1 and len(result.queued) == 2  # e-mail and SMS
    assert reminders.scan(rules.EXAM_CLOSING, NOW + timedelta(hours=6)).created == 0  # rerun: nothing new
    later = reminders.scan(rules.EXAM_CLOSING, NOW + timedelta(days=3))  # 2 days left: the 3-day reminder
    assert later.created == 1
    assert _count(Reminder) == 2


def test_points_expiring_go_to_the_person_and_to_the_contacts_of_a_pool(world):
    from eduapp.domain.points import end_of_day

    soon = end_of_day(TODAY + timedelta(days=6))
    awards.award(points.person_account(world["staff"]), 4, "t:1", "test", expires_at=soon, now=NOW)
    awards.award(points.person_account(world["staff"]), 2, "t:2", "test", expires_at=soon, now=NOW)
    awards.award(points.pool_account(world["firm"]), 50, "t:3", "test", expires_at=soon, now=NOW)
    awards.award(points.person_account(world["officer"]), 5, "t:4", "test",
                 expires_at=end_of_day(TODAY + timedelta(days=60)), now=NOW)  # too far off
    reminders.scan(rules.POINTS_EXPIRING, NOW)
    rows = {(r.recipient_id, r.params["points"], r.occasion) for r in db.session.execute(select(Reminder)).scalars()}
    day = (TODAY + timedelta(days=6)).isoformat()
    assert rows == {(world["staff"].id, 6, f"7d:{day}"), (world["contact"].id, 50, f"7d:{day}")}


def _case(world, number, **fields):
    vt = db.session.execute(select(ViolationType)).scalars().first()
    if vt is None:
        vt = ViolationType(code="AIR-99-1", name="未依法取得排污许可证排放大气污染物", law="中华人民共和国大气污染防治法",
                           article="第九十九条", fine_min=10_000_000, fine_max=100_000_000)
        db.session.add(vt)
        db.session.flush()
    case = PenaltyCase(case_number=number, enterprise_id=world["firm"].id, violation_type_id=vt.id,
                       opened_on=TODAY - timedelta(days=40), proposed_fine=5_000_000, **fields)
    db.session.add(case)
    db.session.commit()
    return case


def test_fines_correction_deadlines_and_permits_go_to_the_enterprise_contact(world):
    _case(world, "罚1", status="decided", decided_on=TODAY - timedelta(days=14), served_on=TODAY - timedelta(days=14), final_fine=1_234_500)
    _case(world, "罚2", status="decided", decided_on=TODAY - timedelta(days=20), served_on=TODAY - timedelta(days=20), final_fine=800_000)
    _case(world, "罚3", status="decided", decided_on=TODAY - timedelta(days=20), served_on=TODAY - timedelta(days=20), paid_on=TODAY, final_fine=800_000)
    _case(world, "罚4", status="investigating", correction_due_on=TODAY + timedelta(days=3))
    _case(world, "罚5", status="investigating", correction_due_on=TODAY + timedelta(days=3), corrected=True)
    created = _kinds_created()
    assert created[rules.FINE_DUE] == 2 and created[rules.CORRECTION_DEADLINE] == 1
    assert created[rules.PERMIT_EXPIRING] == 1
    fine = {r.occasion: r for r in db.session.execute(
        select(Reminder).where(Reminder.kind == rules.FINE_DUE)).scalars()}
    assert set(fine) == {"d14", "overdue"} and fine["d14"].params["fine"] == "12,345"
    mine = (rules.FINE_DUE, rules.CORRECTION_DEADLINE, rules.PERMIT_EXPIRING)
    assert {r.recipient_id for r in db.session.execute(
        select(Reminder).where(Reminder.kind.in_(mine))).scalars()} == {world["contact"].id}
    subject, text = reminder_sending.render(fine["overdue"], "zh_Hans_CN")
    assert "罚2" in subject and "罚2" in text
    assert _kinds_created() == dict.fromkeys(rules.KINDS, 0)


def test_study_requirement_near_the_end_of_the_year(world, app):
    created = _kinds_created()
    # 甲企业: 0 of 3 passed; the unit: its civil servant has not passed, its head (approver) is told.
    assert created[rules.STUDY_REQUIREMENT] == 2
    recipients = {r.recipient_id for r in db.session.execute(
        select(Reminder).where(Reminder.kind == rules.STUDY_REQUIREMENT)).scalars()}
    assert recipients == {world["contact"].id, world["approver"].id}
    assert reminders.scan(rules.STUDY_REQUIREMENT, datetime(2026, 6, 1, tzinfo=UTC)).due == 0  # not near the end


def test_training_upcoming_reaches_registered_attendees_the_day_before(world):
    training = Training(title="培训", held_at=NOW + timedelta(days=1), points=2)
    far = Training(title="以后的培训", held_at=NOW + timedelta(days=5), points=2)
    db.session.add_all([training, far])
    db.session.flush()
    db.session.add_all([TrainingRegistration(training_id=training.id, user_id=world["staff"].id),
                        TrainingRegistration(training_id=far.id, user_id=world["staff"].id)])
    db.session.commit()
    result = reminders.scan(rules.TRAINING_UPCOMING, NOW)
    assert result.created == 1


def test_sending_is_once_per_delivery_and_the_inbox_always_gets_it(world):
    channels.clear_console_outbox()
    _case(world, "罚1", status="decided", decided_on=TODAY - timedelta(days=10), served_on=TODAY - timedelta(days=10), final_fine=100_000)
    result = reminders.scan(rules.FINE_DUE, NOW)
    assert result.created == 1 and len(result.queued) == 2
    for delivery_id in result.queued * 2:  # twice: the second finds them sent
        reminder_sending.deliver(delivery_id, NOW)
    statuses = dict(db.session.execute(select(Delivery.channel, Delivery.status)).all())
    assert statuses == {"inbox": "sent", "email": "sent", "sms": "sent"}
    outbox = channels.console_outbox()
    assert len(outbox) == 2
    assert any("罚1" in str(message) for message in outbox)
    assert reminder_sending.unread_count(world["contact"].id) == 1


def test_sms_in_quiet_hours_waits_for_the_morning(world):
    _case(world, "罚1", status="decided", decided_on=TODAY - timedelta(days=10), served_on=TODAY - timedelta(days=10), final_fine=100_000)
    night = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)  # 23:30 in China
    result = reminders.scan(rules.FINE_DUE, night)
    outcomes = {reminder_sending.channel_of([i])[i]: reminder_sending.deliver(i, night) for i in result.queued}
    assert outcomes["email"].status == "sent" and outcomes["sms"].status == "deferred"
    morning = datetime(2026, 11, 21, 0, 0, tzinfo=UTC)  # 08:00 in China
    assert outcomes["sms"].retry_in == (morning - night).total_seconds()
    sms = db.session.execute(select(Delivery).where(Delivery.channel == "sms")).scalar_one()
    assert reminder_sending.deliver(sms.id, morning - timedelta(minutes=1)).status == "not_yet"
    assert sms.id in reminder_sending.due_pending(morning, stale_only=False)
    assert reminder_sending.deliver(sms.id, morning).status == "sent"


def test_a_person_who_opted_out_of_sms_gets_none(world):
    db.session.add(ReminderPreference(user_id=world["contact"].id, email=True, sms=False))
    db.session.commit()
    _case(world, "罚1", status="decided", decided_on=TODAY - timedelta(days=10), served_on=TODAY - timedelta(days=10), final_fine=100_000)
    result = reminders.scan(rules.FINE_DUE, NOW)
    assert set(reminder_sending.channel_of(result.queued).values()) == {"email"}
    # Opting out after a message was queued: it is skipped, not sent.
    staff_pref = ReminderPreference(user_id=world["staff"].id, email=True, sms=True)
    db.session.add(staff_pref)
    factories.bank()
    factories.exam(open_at=NOW - timedelta(days=10), close_at=NOW + timedelta(days=2))
    queued = reminders.scan(rules.EXAM_CLOSING, NOW).queued
    staff_pref.sms = False
    db.session.commit()
    outcomes = {reminder_sending.channel_of([i])[i]: reminder_sending.deliver(i, NOW).status for i in queued}
    assert outcomes == {"email": "sent", "sms": "skipped"}


class _Gateway(BaseHTTPRequestHandler):
    statuses: list[int] = []
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append({"body": body, "key": self.headers.get("Idempotency-Key")})
        status = type(self).statuses.pop(0) if type(self).statuses else 200
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(app):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Gateway)
    _Gateway.statuses, _Gateway.received = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    saved = {k: app.config[k] for k in ("SMS_BACKEND", "SMS_WEBHOOK_URL")}
    app.config.update(SMS_BACKEND="webhook", SMS_WEBHOOK_URL=f"http://127.0.0.1:{server.server_port}/sms")
    yield _Gateway
    app.config.update(saved)
    server.shutdown()


def test_sms_through_the_webhook_retries_a_busy_gateway_then_sends_once(world, gateway):
    gateway.statuses = [503]
    _case(world, "罚1", status="decided", decided_on=TODAY - timedelta(days=10), served_on=TODAY - timedelta(days=10), final_fine=100_000)
    result = reminders.scan(rules.FINE_DUE, NOW)
    sms = next(i for i, ch in reminder_sending.channel_of(result.queued).items() if ch == "sms")
    first = reminder_sending.deliver(sms, NOW)
    assert first.status == "retrying" and first.retry_in >= 1
    row = db.session.get(Delivery, sms)
    assert row.attempts == 1 and "503" in row.last_error
    later = NOW + timedelta(seconds=first.retry_in)
    assert reminder_sending.deliver(sms, later).status == "sent"
    assert reminder_sending.deliver(sms, later).status == "sent"  # already sent: nothing more
    assert len(gateway.received) == 2  # the 503 and the one that went through
    assert gateway.received[1]["body"]["phone"] == "13900000001"
    assert gateway.received[0]["key"] == gateway.received[1]["key"] == f"reminder-delivery-{sms}"


def test_a_refused_number_fails_at_once_with_its_error(world, gateway):
    gateway.statuses = [400]
    _case(world, "罚1", status="decided", decided_on=TODAY - timedelta(days=10), served_on=TODAY - timedelta(days=10), final_fine=100_000)
    result = reminders.scan(rules.FINE_DUE, NOW)
    sms = next(i for i, ch in reminder_sending.channel_of(result.queued).items() if ch == "sms")
    assert reminder_sending.deliver(sms, NOW).status == "failed"
    assert reminder_sending.problems(NOW - timedelta(days=1), NOW + timedelta(days=1))[0][0].id == sms


def test_messages_in_the_recipients_language(world):
    _case(world, "罚1", status="decided", decided_on=TODAY - timedelta(days=10), served_on=TODAY - timedelta(days=10), final_fine=100_000)
    reminders.scan(rules.FINE_DUE, NOW)
    reminder = db.session.execute(select(Reminder)).scalar_one()
    english = reminder_sending.render(reminder, "en")
    assert english[0] == "Fine payment due: case 罚1" and "1,000" in english[1]
    chinese = reminder_sending.render(reminder, None)
    assert chinese != english


def test_cli_run_on_the_demo_sends_every_kind(app, runner, ctx):
    import time_machine

    from eduapp import demo

    factories.bank(per_type=12)
    # 10:00 in China on 20 November: outside the SMS quiet hours, and near enough to the year's end
    # for the study requirement's reminders (its leads reach 60 days back from 31 December).
    with time_machine.travel(NOW, tick=True):
        demo.load("demo-password-2026", NOW.date())
        result = runner.invoke(args=["reminders", "run"])
        assert result.exit_code == 0, result.output
        lines = result.output.strip().splitlines()
        totals = json.loads(lines[-1])
        assert set(totals) == {"created", "sent", "deferred", "failed"}
        assert totals["created"] > 0 and totals["sent"] > 0 and totals["failed"] == 0
        assert [line.split(":")[0] for line in lines[:-1]] == list(rules.KINDS)
        kinds = set(db.session.execute(select(Reminder.kind)).scalars())
        assert set(rules.KINDS) <= kinds
        sent_kinds = set(db.session.execute(
            select(Reminder.kind).join(Delivery, Delivery.reminder_id == Reminder.id)
            .where(Delivery.channel == "email", Delivery.status == "sent")).scalars())
        assert set(rules.KINDS) <= sent_kinds
        again = runner.invoke(args=["reminders", "run"])
        assert json.loads(again.output.strip().splitlines()[-1])["created"] == 0


@pytest.mark.postgres
def test_two_scans_at_once_write_each_reminder_once(app, world):
    """Two beats scanning at the same moment: the dedupe constraint lets one of them write each row."""
    factories.bank()
    factories.exam(open_at=NOW - timedelta(days=10), close_at=NOW + timedelta(days=2))
    for n in range(30):
        factories.user(f"staff-x{n}", world["firm"], Role.ENTERPRISE_STAFF, email=f"x{n}@example.com")
    barrier = threading.Barrier(2)
    created = []

    def beat():
        with app.app_context():
            barrier.wait()
            created.append(sum(r.created for r in reminders.scan_all(NOW)))
            db.session.remove()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    total = _count(Reminder)
    assert sum(created) == total and total >= 31  # the staff and the exam, the contact's study reminder…
    assert _count(Delivery) == db.session.execute(
        select(func.count()).select_from(select(Delivery.reminder_id, Delivery.channel).distinct().subquery())
    ).scalar_one()
    assert sum(r.created for r in reminders.scan_all(NOW)) == 0


def test_lead_times_quiet_hours_and_rate_limits_come_from_the_settings(tmp_path):
    from eduapp.config import ConfigError, load_config

    config = load_config(tmp_path, {"EDUAPP_REMINDER_LEADS": '{"exam_closing": [14, 7]}',
                                    "EDUAPP_SMS_QUIET_HOURS": "21:30-07:00", "EDUAPP_SMS_RATE_LIMIT": "5/s"})
    assert rules.leads(config["REMINDER_LEADS"])["exam_closing"] == (14, 7)
    assert [t.isoformat() for t in config["SMS_QUIET_HOURS"]] == ["21:30:00", "07:00:00"]
    assert config["SMS_RATE_LIMIT"] == "5/s" and config["EMAIL_RATE_LIMIT"] == "100/s"
    for env, named in (({"EDUAPP_REMINDER_LEADS": '{"exam": [1]}'}, "EDUAPP_REMINDER_LEADS"),
                       ({"EDUAPP_REMINDER_LEADS": "[1, 2]"}, "EDUAPP_REMINDER_LEADS"),
                       ({"EDUAPP_SMS_QUIET_HOURS": "late"}, "EDUAPP_SMS_QUIET_HOURS"),
                       ({"EDUAPP_STUDY_TARGET_PERCENT": "120"}, "EDUAPP_STUDY_TARGET_PERCENT")):
        with pytest.raises(ConfigError, match=named):
            load_config(tmp_path, env)


def test_a_configured_lead_time_moves_the_reminder(app, world):
    factories.bank()
    factories.exam(open_at=NOW - timedelta(days=10), close_at=NOW + timedelta(days=12))
    assert reminders.scan(rules.EXAM_CLOSING, NOW).created == 0  # 12 days off: beyond the default 7
    app.config["REMINDER_LEADS"] = {"exam_closing": [14, 7, 1]}
    try:
        assert reminders.scan(rules.EXAM_CLOSING, NOW).created == 2  # the two staff members
    finally:
        app.config["REMINDER_LEADS"] = {}
    assert set(db.session.execute(select(Reminder.occasion)).scalars()) == {"14d"}


def test_each_channel_has_its_rate_limit_in_the_worker(app):
    # The defaults, 100 e-mails and 50 SMS a second, for tasks of 20 deliveries each.
    assert (app.config["EMAIL_RATE_LIMIT"], app.config["SMS_RATE_LIMIT"]) == ("100/s", "50/s")
    assert app.config["REMINDER_SEND_BATCH"] == 20
    annotations = app.extensions["celery"].conf.task_annotations
    assert annotations["eduapp.reminders.send_email"]["rate_limit"] == "5/s"
    assert annotations["eduapp.reminders.send_sms"]["rate_limit"] == "2.5/s"
    conf = app.extensions["celery"].conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.broker_transport_options["visibility_timeout"] > 10 * 3600  # above the longest countdown
