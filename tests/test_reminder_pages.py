"""The reminder pages through the test client: the inbox and its badge, the channel preferences, the
delivery log with its resend button and Excel export, and learners registering for trainings."""

from __future__ import annotations

import io
import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from eduapp.domain.practice import china_day
from eduapp.domain.roles import Role
from eduapp.extensions import db
from eduapp.models import (
    AuditRecord,
    Delivery,
    Reminder,
    ReminderPreference,
    Training,
    TrainingRegistration,
    User,
    utcnow,
)
from eduapp.services import reminder_sending
from eduapp.services import trainings as training_service
from tests import factories

NOW = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)  # 10:00 in China


@pytest.fixture(autouse=True)
def _clock():
    """The pages read the clock (the log's default 30 days, upcoming trainings) as the tests do: from a
    fixed morning, running on, so that no test straddles midnight in China."""
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def people(ctx):
    firm = factories.enterprise("甲企业", 1)
    bureau = factories.unit("生态环境局")
    return {
        "alice": factories.user("alice", firm, Role.ENTERPRISE_STAFF, email="alice@example.com",
                                phone="13800000001").id,
        "bob": factories.user("bob", firm, Role.ENTERPRISE_STAFF).id,
        "admin": factories.user("admin", bureau, Role.SYSADMIN).id,
    }


def _user(user_id: int) -> User:
    return db.session.get(User, user_id)


_objects = itertools.count(1)


def _reminder(recipient_id: int, title: str, *, minutes_ago: int = 0, read: bool = False, kind="exam_closing",
              occasion="7d", link="/exams/") -> int:
    now = utcnow()
    reminder = Reminder(kind=kind, object_type="exam", object_id=next(_objects), recipient_id=recipient_id,
                        occasion=occasion, params={"title": title, "close": "2026-03-09 18:00"}, link=link,
                        created_at=now - timedelta(minutes=minutes_ago), read_at=now if read else None)
    db.session.add(reminder)
    db.session.commit()
    return reminder.id


def _delivery(reminder_id: int, channel: str, status: str, *, attempts: int = 0, error: str | None = None) -> int:
    delivery = Delivery(reminder_id=reminder_id, channel=channel, status=status, attempts=attempts, last_error=error)
    db.session.add(delivery)
    db.session.commit()
    return delivery.id


def _badge(html: str) -> str | None:
    match = re.search(r'badge rounded-pill[^"]*">(\d+)<', html)
    return match.group(1) if match else None


def _count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


# --- the inbox -------------------------------------------------------------------------------------------


def test_inbox_shows_only_my_reminders_newest_first_with_the_unread_badge(client, auth, people):
    _reminder(people["alice"], "甲考试旧", minutes_ago=60, read=True)
    _reminder(people["alice"], "甲考试新", minutes_ago=1)
    _reminder(people["alice"], "甲考试中", minutes_ago=30)
    _reminder(people["bob"], "乙的考试")
    auth.login("alice")
    html = client.get("/inbox/").get_data(as_text=True)
    assert "甲考试新" in html and "甲考试中" in html and "甲考试旧" in html
    assert "乙的考试" not in html
    assert html.index("甲考试新") < html.index("甲考试中") < html.index("甲考试旧")
    assert html.count("list-group-item-warning") == 2  # the two unread ones are highlighted
    assert _badge(client.get("/").get_data(as_text=True)) == "2"
    unread = client.get("/inbox/?show=unread").get_data(as_text=True)
    assert "甲考试新" in unread and "甲考试旧" not in unread


def test_inbox_is_in_the_readers_language(client, auth, people):
    _reminder(people["alice"], "Annual exam")
    auth.login("alice")
    client.get("/lang/en")
    html = client.get("/inbox/").get_data(as_text=True)
    assert "Exam closing: Annual exam" in html
    assert "closes on 2026-03-09 18:00 and you have not passed it yet" in html


def test_no_badge_without_unread_reminders(client, auth, people):
    _reminder(people["alice"], "已读", read=True)
    auth.login("alice")
    html = client.get("/").get_data(as_text=True)
    assert "/inbox/" in html and _badge(html) is None


def test_opening_a_reminder_marks_it_read_and_follows_its_link(client, auth, people):
    mine = _reminder(people["alice"], "甲考试", link="/points/")
    auth.login("alice")
    response = auth.post(f"/inbox/{mine}/read", form_page="/inbox/")
    assert response.status_code == 302 and response.headers["Location"] == "/points/"
    db.session.expire_all()
    assert db.session.get(Reminder, mine).read_at is not None
    assert _badge(client.get("/").get_data(as_text=True)) is None


def test_another_persons_reminder_is_not_found_and_stays_unread(client, auth, people):
    theirs = _reminder(people["bob"], "乙的考试")
    auth.login("alice")
    assert auth.post(f"/inbox/{theirs}/read", form_page="/inbox/").status_code == 404
    assert auth.post("/inbox/999999/read", form_page="/inbox/").status_code == 404
    db.session.expire_all()
    assert db.session.get(Reminder, theirs).read_at is None


def test_a_link_off_the_site_is_not_followed(client, auth, people):
    odd = _reminder(people["alice"], "甲考试", link="//evil.example/")
    auth.login("alice")
    response = auth.post(f"/inbox/{odd}/read", form_page="/inbox/")
    assert response.headers["Location"] == "/inbox/"


def test_opening_needs_the_csrf_token(client, auth, people):
    mine = _reminder(people["alice"], "甲考试")
    auth.login("alice")
    assert client.post(f"/inbox/{mine}/read").status_code == 400
    db.session.expire_all()
    assert db.session.get(Reminder, mine).read_at is None


def test_mark_all_read_touches_only_mine(client, auth, people):
    for n in range(3):
        _reminder(people["alice"], f"甲考试{n}")
    theirs = _reminder(people["bob"], "乙的考试")
    auth.login("alice")
    client.get("/lang/en")
    response = auth.post("/inbox/read-all", form_page="/inbox/", follow_redirects=True)
    assert "3 reminders marked read." in response.get_data(as_text=True)
    assert reminder_sending.unread_count(people["alice"]) == 0
    assert reminder_sending.unread_count(people["bob"]) == 1
    db.session.expire_all()
    assert db.session.get(Reminder, theirs).read_at is None


def test_inbox_pages(client, auth, people):
    for n in range(25):
        _reminder(people["alice"], f"第{n:02d}条", minutes_ago=n)
    auth.login("alice")
    first = client.get("/inbox/").get_data(as_text=True)
    assert "第00条" in first and "第19条" in first and "第20条" not in first
    second = client.get("/inbox/?page=2").get_data(as_text=True)
    assert "第20条" in second and "第24条" in second and "第00条" not in second
    assert client.get("/inbox/?page=99").status_code == 200  # past the end: the last page
    assert client.get("/inbox/?page=x").status_code == 200


def test_a_reminder_whose_params_do_not_fit_still_shows(client, auth, people):
    reminder = Reminder(kind="exam_closing", object_type="exam", object_id=1, recipient_id=people["alice"],
                        occasion="7d", params={}, link="/exams/")
    db.session.add(reminder)
    db.session.commit()
    auth.login("alice")
    assert client.get("/inbox/").status_code == 200


def test_inbox_needs_sign_in(client):
    assert client.get("/inbox/").status_code == 302


# --- preferences -------------------------------------------------------------------------------------------


def test_preferences_show_the_addresses_on_file(client, auth, people):
    auth.login("alice")
    html = client.get("/inbox/preferences").get_data(as_text=True)
    assert "alice@example.com" in html and "13800000001" in html
    auth.logout()
    auth.login("bob")
    client.get("/lang/en")
    html = client.get("/inbox/preferences").get_data(as_text=True)
    assert "no e-mail address on file" in html and "no mobile number on file" in html
    assert "Your inbox always gets every reminder" in html


def _send_one(user_id: int, channel: str) -> str:
    """Queue one reminder on ``channel`` for the person and deliver it at 10:00 China time: its outcome."""
    delivery_id = _delivery(_reminder(user_id, "环境法考试"), channel, "queued")
    return reminder_sending.deliver(delivery_id, now=datetime(2026, 3, 2, 2, 0, tzinfo=UTC)).status


def test_saving_preferences_stops_that_channel(client, auth, people):
    assert _send_one(people["alice"], "email") == "sent"
    auth.login("alice")
    response = auth.post("/inbox/preferences", {"sms": "y"}, form_page="/inbox/preferences")
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(ReminderPreference, people["alice"])
    assert saved.email is False and saved.sms is True
    assert _send_one(people["alice"], "email") == "skipped"
    assert _send_one(people["alice"], "sms") == "sent"
    assert _count(AuditRecord, AuditRecord.action == "reminder.preferences", AuditRecord.actor == "alice") == 1
    html = client.get("/inbox/preferences").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="email"(?![^>]*checked)[^>]*>', html)
    assert re.search(r'<input[^>]*checked[^>]*id="sms"|<input[^>]*id="sms"[^>]*checked', html)


def test_preferences_need_the_csrf_token(client, auth, people):
    auth.login("alice")
    assert client.post("/inbox/preferences", data={}).status_code == 400
    assert db.session.get(ReminderPreference, people["alice"]) is None


# --- the delivery log --------------------------------------------------------------------------------------


@pytest.fixture
def log_rows(people):
    one = _reminder(people["alice"], "甲考试")
    two = _reminder(people["bob"], "乙考试", kind="points_expiring", occasion="30d:2026-12-31")
    return {
        "inbox": _delivery(one, "inbox", "sent"),
        "sent": _delivery(one, "email", "sent", attempts=1),
        "failed": _delivery(one, "sms", "failed", attempts=6, error="gateway said 500"),
        "skipped": _delivery(two, "email", "skipped", error="opted out, no address, or account inactive"),
        "inbox2": _delivery(two, "inbox", "sent"),
    }


def test_only_system_administrators_see_the_log(client, auth, people, log_rows):
    auth.login("alice")
    assert client.get("/admin/reminders/").status_code == 403
    assert client.get("/admin/reminders/log.xlsx").status_code == 403
    assert auth.post(f"/admin/reminders/deliveries/{log_rows['failed']}/resend").status_code == 403
    assert db.session.get(Delivery, log_rows["failed"]).status == "failed"


def test_log_counts_problems_and_leads(client, auth, people, log_rows):
    auth.login("admin")
    client.get("/lang/en")
    response = client.get("/admin/reminders/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Exam closing" in html and "Points expiring" in html
    assert "gateway said 500" in html and "alice" in html and "bob" in html
    assert f"/admin/reminders/deliveries/{log_rows['failed']}/resend" in html
    assert f"/admin/reminders/deliveries/{log_rows['inbox']}/resend" not in html
    assert "7, 3, 1" in html  # the default leads of exam closing
    grand_total = re.search(r"table-secondary.*?</tr>", html, re.S).group(0)
    assert re.findall(r">(\d+)<", grand_total)[-1] == "5"


def test_log_period_excludes_older_deliveries_and_names_a_bad_date(client, auth, people, log_rows):
    old = db.session.get(Delivery, log_rows["failed"])
    old.created_at = utcnow() - timedelta(days=40)
    db.session.commit()
    auth.login("admin")
    client.get("/lang/en")
    html = client.get("/admin/reminders/").get_data(as_text=True)
    assert "gateway said 500" not in html  # older than the default 30 days
    today = china_day(utcnow())
    html = client.get(f"/admin/reminders/?from={today - timedelta(days=60)}&to={today}").get_data(as_text=True)
    assert "gateway said 500" in html
    response = client.get("/admin/reminders/?from=2026-02-31&to=soon")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "“From” is not a date" in html and "“To” is not a date" in html
    assert f'value="{today - timedelta(days=29)}"' in html and f'value="{today}"' in html
    html = client.get(f"/admin/reminders/?from={today}&to={today - timedelta(days=3)}").get_data(as_text=True)
    assert "“To” is before “From”" in html


def test_log_exports_the_counts_as_excel(client, auth, people, log_rows):
    from openpyxl import load_workbook

    auth.login("admin")
    client.get("/lang/en")
    response = client.get("/admin/reminders/log.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="reminder-deliveries-')
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows[0]
    assert header[:2] == ["Kind", "Channel"] and header[-1] == "Total"
    sms_failed = next(r for r in rows if r[0] == "Exam closing" and r[1] == "SMS")
    assert sms_failed[header.index("Failed")] == 1
    total = next(r for r in rows if r[0] == "Total")
    assert total[-1] == 5 and total[header.index("Sent")] == 3


def test_resend_queues_a_failed_delivery_again(client, auth, people, log_rows, monkeypatch):
    from eduapp.tasks import reminders as reminder_tasks

    queued = []
    monkeypatch.setattr(reminder_tasks, "queue", lambda ids, countdown=None: queued.extend(ids) or len(ids))
    auth.login("admin")
    response = auth.post(f"/admin/reminders/deliveries/{log_rows['failed']}/resend",
                         {"next": "/admin/reminders/?from=2026-01-01"}, form_page="/admin/reminders/")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/reminders/?from=2026-01-01"
    db.session.expire_all()
    delivery = db.session.get(Delivery, log_rows["failed"])
    assert (delivery.status, delivery.attempts, delivery.not_before) == ("queued", 0, None)
    assert queued == [log_rows["failed"]]
    assert _count(AuditRecord, AuditRecord.action == "reminder.resend", AuditRecord.actor == "admin") == 1


def test_a_resent_delivery_goes_out_on_its_next_send(client, auth, people, log_rows, monkeypatch):
    from eduapp.channels import clear_console_outbox, console_outbox
    from eduapp.tasks import reminders as reminder_tasks

    monkeypatch.setattr(reminder_tasks, "queue", lambda ids, countdown=None: len(ids))  # the worker's part, below
    clear_console_outbox()
    auth.login("admin")
    auth.post(f"/admin/reminders/deliveries/{log_rows['failed']}/resend", form_page="/admin/reminders/")
    db.session.expire_all()
    morning = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)  # 10:00 in China, outside the SMS quiet hours
    assert reminder_sending.deliver(log_rows["failed"], now=morning).status == "sent"
    assert any(m.channel == "sms" and m.to == "13800000001" for m in console_outbox())


def test_resend_of_an_unknown_or_inbox_delivery_is_not_found(client, auth, people, log_rows):
    auth.login("admin")
    assert auth.post("/admin/reminders/deliveries/999999/resend", form_page="/admin/reminders/").status_code == 404
    assert auth.post(f"/admin/reminders/deliveries/{log_rows['inbox']}/resend",
                     form_page="/admin/reminders/").status_code == 404


# --- training registration ---------------------------------------------------------------------------------


@pytest.fixture
def trainings(people):
    admin = _user(people["admin"])
    today = china_day(utcnow())
    return {
        "soon": training_service.create_training(admin, "危废管理培训", today + timedelta(days=2), 2).id,
        "later": training_service.create_training(admin, "排污许可培训", today + timedelta(days=9), 3).id,
        "past": training_service.create_training(admin, "去年的培训", today - timedelta(days=5), 2).id,
    }


def _registered(training_id: int, user_id: int) -> bool:
    return db.session.get(TrainingRegistration, (training_id, user_id)) is not None


def test_upcoming_lists_future_trainings_soonest_first(client, auth, people, trainings):
    auth.login("alice")
    html = client.get("/points/trainings/upcoming").get_data(as_text=True)
    assert html.index("危废管理培训") < html.index("排污许可培训")
    assert "去年的培训" not in html
    assert f"/points/trainings/{trainings['soon']}/register" in html


def test_register_and_unregister_are_idempotent_and_audited(client, auth, people, trainings):
    auth.login("alice")
    page = "/points/trainings/upcoming"
    url = f"/points/trainings/{trainings['soon']}"
    assert auth.post(f"{url}/register", form_page=page).status_code == 302
    assert _registered(trainings["soon"], people["alice"])
    html = client.get(page).get_data(as_text=True)
    assert f"{url}/unregister" in html and f"{url}/register\"" not in html
    assert auth.post(f"{url}/register", form_page=page).status_code == 302  # a second click changes nothing
    assert _count(TrainingRegistration, TrainingRegistration.user_id == people["alice"]) == 1
    assert _count(AuditRecord, AuditRecord.action == "training.register") == 1
    assert auth.post(f"{url}/unregister", form_page=page).status_code == 302
    db.session.expire_all()
    assert not _registered(trainings["soon"], people["alice"])
    assert auth.post(f"{url}/unregister", form_page=page).status_code == 302
    assert _count(AuditRecord, AuditRecord.action == "training.unregister") == 1


def test_registered_learners_get_the_reminder_the_day_before(client, auth, people, trainings):
    from eduapp.services import reminders

    auth.login("alice")
    auth.post(f"/points/trainings/{trainings['soon']}/register", form_page="/points/trainings/upcoming")
    training = db.session.get(Training, trainings["soon"])
    day_before = training.held_at - timedelta(hours=12)
    reminders.scan("training_upcoming", now=day_before)
    assert _count(Reminder, Reminder.kind == "training_upcoming", Reminder.recipient_id == people["alice"]) == 1
    assert _count(Reminder, Reminder.kind == "training_upcoming", Reminder.recipient_id == people["bob"]) == 0


def test_a_past_training_cannot_be_registered_for(client, auth, people, trainings):
    auth.login("alice")
    client.get("/lang/en")
    response = auth.post(f"/points/trainings/{trainings['past']}/register", form_page="/points/trainings/upcoming")
    assert response.status_code == 409  # it exists, but has started
    assert "has already begun or is over" in response.get_data(as_text=True)
    assert not _registered(trainings["past"], people["alice"])
    assert auth.post("/points/trainings/999999/register", form_page="/points/trainings/upcoming").status_code == 404


def test_training_registration_is_for_learners(client, auth, people, trainings):
    auth.login("admin")
    assert client.get("/points/trainings/upcoming").status_code == 403
    assert auth.post(f"/points/trainings/{trainings['soon']}/register").status_code == 403
    assert not _registered(trainings["soon"], people["admin"])


def test_a_resend_while_the_task_queue_is_down_says_the_sweep_will_send_it(own_app, people, log_rows):
    from tests.conftest import AuthActions, dead_redis_url

    client = own_app(EDUAPP_REDIS_URL=dead_redis_url()).test_client()
    client.get("/lang/en")
    admin = AuthActions(client)
    admin.login("admin")
    response = admin.post(f"/admin/reminders/deliveries/{log_rows['failed']}/resend", form_page="/admin/reminders/",
                          follow_redirects=True)
    assert response.status_code == 200
    assert "The task queue cannot be reached" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Delivery, log_rows["failed"]).status == "queued"  # the sweep's to send
