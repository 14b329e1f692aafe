"""Reminder channels against real local servers (no mocks): aiosmtpd SMTP servers on 127.0.0.1, an
http.server webhook gateway in a thread, closed ports and silent sockets for the failures. Every app
is built with create_app and EDUAPP_* settings, as production reads them from the environment."""

from __future__ import annotations

import email
import email.policy
import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from eduapp import channels
from eduapp.channels import (
    DeliveryError,
    PermanentDeliveryError,
    TransientDeliveryError,
    clear_console_outbox,
    console_outbox,
    send_email,
    send_sms,
)
from eduapp.config import ConfigError
from eduapp.domain.delivery import message_id_for
from tests.conftest import make_test_app

SUBJECT = "【提醒】《大气污染防治法》专题考试将于 3 天后截止"
TEXT = "王建国您好：\n您尚未通过考试，请于 2026年3月13日 17:00 前完成。\n——生态环境局法制科"
HTML = "<p>王建国您好：您尚未通过<b>考试</b>。</p>"
MESSAGE_ID = message_id_for("exam_closing:42:user:7:3d")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def make_app(tmp_path):
    def build(**settings):
        return make_test_app(f"sqlite:///{tmp_path / 'channels.db'}", **settings)

    return build


@pytest.fixture(autouse=True)
def _empty_outbox():
    clear_console_outbox()
    yield
    clear_console_outbox()


# --- SMTP servers --------------------------------------------------------------------------------


class Recording:
    """Accepts everything and keeps the envelopes."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self):
        return [email.message_from_bytes(e.original_content, policy=email.policy.default) for e in self.envelopes]


class Greylisting(Recording):
    """451 to the first RCPT, as a greylisting server does, then accepts."""

    def __init__(self):
        super().__init__()
        self.refused = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refused == 0:
            self.refused += 1
            return "451 4.7.1 Greylisted, please try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class NoSuchUser(Recording):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"


class Logins:
    def __init__(self):
        self.seen = []

    def __call__(self, server, session, envelope, mechanism, auth_data):
        self.seen.append((mechanism, auth_data.login.decode(), auth_data.password.decode()))
        # handled=False: aiosmtpd answers "535 5.7.8 Authentication credentials invalid" itself
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)


@pytest.fixture
def smtp_server():
    """start(handler, **smtp_options) -> port of a running aiosmtpd server."""
    controllers = []

    def start(handler, **options):
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
        controller.start()
        controllers.append(controller)
        return port

    yield start
    for controller in controllers:
        controller.stop()


def smtp_settings(port, **more):
    return {"EDUAPP_SMTP_HOST": "127.0.0.1", "EDUAPP_SMTP_PORT": str(port), "EDUAPP_SMTP_TIMEOUT": "3",
            "EDUAPP_MAIL_FROM": "生态环境局 <noreply@hbj.example.cn>", **more}


def test_email_over_smtp_arrives_intact_in_chinese(make_app, smtp_server):
    handler = Recording()
    app = make_app(**smtp_settings(smtp_server(handler)))
    with app.app_context():
        send_email("wang@example.com", SUBJECT, TEXT, message_id=MESSAGE_ID, html=HTML)

    (envelope,) = handler.envelopes
    assert envelope.mail_from == "noreply@hbj.example.cn"
    assert envelope.rcpt_tos == ["wang@example.com"]
    (message,) = handler.messages()
    assert message["Subject"] == SUBJECT
    assert message["Message-ID"] == MESSAGE_ID
    assert message["From"].addresses[0].display_name == "生态环境局"
    assert message["To"] == "wang@example.com"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Date"]
    # (text travels with CRLF line ends, as MIME wants)
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n").rstrip("\n") == TEXT
    assert message.get_body(("html",)).get_content().replace("\r\n", "\n").rstrip("\n") == HTML
    # on the wire it is 7-bit: encoded words and base64/quoted-printable, nothing a relay could mangle
    assert envelope.original_content.isascii()
    assert console_outbox() == []


def test_the_same_message_id_on_every_attempt(make_app, smtp_server):
    handler = Recording()
    app = make_app(**smtp_settings(smtp_server(handler)))
    with app.app_context():
        send_email("wang@example.com", SUBJECT, TEXT, message_id=MESSAGE_ID)
        send_email("wang@example.com", SUBJECT, TEXT, message_id=MESSAGE_ID.strip("<>"))  # brackets optional
    assert [m["Message-ID"] for m in handler.messages()] == [MESSAGE_ID, MESSAGE_ID]


def test_smtp_login(make_app, smtp_server):
    handler, logins = Recording(), Logins()
    port = smtp_server(handler, authenticator=logins, auth_require_tls=False)
    app = make_app(**smtp_settings(port, EDUAPP_SMTP_USER="mailer", EDUAPP_SMTP_PASSWORD="s3cret"))
    with app.app_context():
        send_email("li@example.com", SUBJECT, TEXT, message_id=MESSAGE_ID)
    assert [(login, password) for _, login, password in logins.seen] == [("mailer", "s3cret")]
    assert len(handler.envelopes) == 1

    wrong = make_app(**smtp_settings(port, EDUAPP_SMTP_USER="mailer", EDUAPP_SMTP_PASSWORD="wrong"))
    with wrong.app_context(), pytest.raises(TransientDeliveryError, match="login failed.*535"):
        send_email("li@example.com", SUBJECT, TEXT, message_id=MESSAGE_ID)
    assert len(handler.envelopes) == 1


def test_a_4xx_reply_is_transient_and_the_retry_goes_through(make_app, smtp_server):
    handler = Greylisting()
    app = make_app(**smtp_settings(smtp_server(handler)))
    with app.app_context():
        with pytest.raises(TransientDeliveryError, match="451") as info:
            send_email("wang@example.com", SUBJECT, TEXT, message_id=MESSAGE_ID)
        assert info.value.transient is True
        assert handler.envelopes == []
        send_email("wang@example.com", SUBJECT, TEXT, message_id=MESSAGE_ID)
    assert [m["Message-ID"] for m in handler.messages()] == [MESSAGE_ID]


def test_a_5xx_reply_is_permanent(make_app, smtp_server):
    handler = NoSuchUser()
    app = make_app(**smtp_settings(smtp_server(handler)))
    with app.app_context(), pytest.raises(PermanentDeliveryError, match="550 5.1.1") as info:
        send_email("nobody@example.com", SUBJECT, TEXT, message_id=MESSAGE_ID)
    assert info.value.transient is False
    assert "User unknown" in info.value.message
    assert handler.envelopes == []


def test_smtp_down_is_transient(make_app):
    app = make_app(**smtp_settings(free_port()))  # nothing listens there
    with app.app_context(), pytest.raises(TransientDeliveryError, match="refused the connection"):
        send_email("wang@example.com", SUBJECT, TEXT, message_id=MESSAGE_ID)


def test_a_silent_smtp_server_times_out_transiently(make_app):
    with socket.socket() as listener:  # accepts connections (backlog) but never greets
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        app = make_app(**smtp_settings(listener.getsockname()[1], EDUAPP_SMTP_TIMEOUT="0.3"))
        started = time.monotonic()
        with app.app_context(), pytest.raises(TransientDeliveryError, match="timed out"):
            send_email("wang@example.com", SUBJECT, TEXT, message_id=MESSAGE_ID)
        assert time.monotonic() - started < 3


def test_a_server_that_hangs_up_is_transient(make_app):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)

        def hang_up():
            conn, _ = listener.accept()
            conn.close()

        thread = threading.Thread(target=hang_up, daemon=True)
        thread.start()
        app = make_app(**smtp_settings(listener.getsockname()[1]))
        with app.app_context(), pytest.raises(TransientDeliveryError, match="disconnected"):
            send_email("wang@example.com", SUBJECT, TEXT, message_id=MESSAGE_ID)
        thread.join(5)


def test_starttls_not_offered_is_transient(make_app, smtp_server):
    """A settings problem on our side: retrying works once the operator fixes it."""
    handler = Recording()
    app = make_app(**smtp_settings(smtp_server(handler), EDUAPP_SMTP_STARTTLS="true"))
    with app.app_context(), pytest.raises(TransientDeliveryError, match="STARTTLS"):
        send_email("wang@example.com", SUBJECT, TEXT, message_id=MESSAGE_ID)
    assert handler.envelopes == []


@pytest.mark.parametrize(
    ("to", "subject", "message_id", "match"),
    [
        ("not-an-address", SUBJECT, MESSAGE_ID, "not a valid e-mail address: 'not-an-address'"),
        ("wang@", SUBJECT, MESSAGE_ID, "not a valid e-mail address"),
        ("王@example.com", SUBJECT, MESSAGE_ID, "not a valid e-mail address"),
        ("a..b@example.com", SUBJECT, MESSAGE_ID, "not a valid e-mail address"),
        ("", SUBJECT, MESSAGE_ID, "not a valid e-mail address"),
        ("wang@example.com\nBcc: x@evil.example", SUBJECT, MESSAGE_ID, "not a valid e-mail address"),
        ("wang@example.com", "提醒\nBcc: x@evil.example", MESSAGE_ID, "line break in the subject"),
        ("wang@example.com", "提醒\r", MESSAGE_ID, "line break in the subject"),
        ("wang@example.com", SUBJECT, "<no-at-sign>", "not a valid Message-ID"),
        ("wang@example.com", SUBJECT, "<a@b>\r\nX-Evil: 1", "not a valid Message-ID"),
    ],
)
def test_a_message_that_cannot_be_sent_is_permanent_on_both_backends(make_app, smtp_server, to, subject, message_id,
                                                                      match):
    handler = Recording()
    for app in (make_app(), make_app(**smtp_settings(smtp_server(handler)))):
        with app.app_context(), pytest.raises(PermanentDeliveryError, match=match):
            send_email(to, subject, TEXT, message_id=message_id)
    assert handler.envelopes == []
    assert console_outbox() == []


# --- console backends ----------------------------------------------------------------------------


def test_console_backends_are_the_default_and_keep_an_outbox(make_app, caplog, monkeypatch):
    # The session's migrations run alembic's fileConfig, which disables every logger that exists by
    # then (disable_existing_loggers): undo that here so the log line can be seen.
    monkeypatch.setattr(logging.getLogger("eduapp.channels"), "disabled", False)
    app = make_app()
    assert (app.config["MAIL_BACKEND"], app.config["SMS_BACKEND"]) == ("console", "console")
    with app.app_context(), caplog.at_level("INFO", logger="eduapp.channels"):
        send_email("Wang@Example.COM", SUBJECT, TEXT, message_id=MESSAGE_ID, html=HTML)
        send_sms("+86 138-0013-8000", "【生态环境局】您的学法积分 300 分将于 7 天后过期。", idempotency_key="points:1:7d")

    mail, sms = console_outbox()
    assert (mail.channel, mail.to, mail.subject, mail.text, mail.html, mail.key) == (
        "email", "Wang@example.com", SUBJECT, TEXT, HTML, MESSAGE_ID)
    assert (sms.channel, sms.to, sms.text, sms.key) == (
        "sms", "13800138000", "【生态环境局】您的学法积分 300 分将于 7 天后过期。", "points:1:7d")
    assert mail.sent_at <= sms.sent_at
    logged = [r.getMessage() for r in caplog.records if r.name == "eduapp.channels"]
    assert any(MESSAGE_ID in line for line in logged) and any("points:1:7d" in line for line in logged)
    # 个人信息保护法 §6, §51: the log names the recipient masked, never in full
    assert any("to=W***@example.com" in line for line in logged) and any("to=138****8000" in line for line in logged)
    assert not any("13800138000" in line or "Wang@" in line for line in logged)

    clear_console_outbox()
    assert console_outbox() == []


@pytest.mark.parametrize(
    ("address", "sent_to"),
    [
        ("wang@eduapp.local", "wang@eduapp.local"),  # intranet domains are fine
        (" li.si+reminders@HBJ.Gov.CN ", "li.si+reminders@hbj.gov.cn"),
        ("wang@生态环境.中国", "wang@xn--0ns37o3xr9kb.xn--fiqs8s"),  # punycode on the wire
    ],
)
def test_addresses_are_checked_for_syntax_only(make_app, address, sent_to):
    with make_app().app_context():
        send_email(address, SUBJECT, TEXT, message_id=MESSAGE_ID)
    assert [m.to for m in console_outbox()] == [sent_to]


def test_the_outbox_keeps_the_last_thousand(make_app):
    with make_app().app_context():
        for n in range(1100):
            send_sms("13800138000", f"第 {n} 条", idempotency_key=f"k{n}")
    outbox = console_outbox()
    assert len(outbox) == 1000
    assert (outbox[0].key, outbox[-1].key) == ("k100", "k1099")


def test_console_backends_are_fast(make_app):
    """The worker bench pushes >= 500 messages/s through them; the channels themselves must be a
    small part of that budget."""
    with make_app().app_context():
        started = time.perf_counter()
        for n in range(500):
            send_sms("13800138000", "提醒", idempotency_key=f"sms-{n}")
            send_email("wang@example.com", SUBJECT, TEXT, message_id=message_id_for(f"mail-{n}"))
        elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"1000 console sends took {elapsed:.2f} s"


# --- SMS webhook ---------------------------------------------------------------------------------


class Gateway(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), GatewayHandler)
        self.requests = []
        self.flaky_calls = 0

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class GatewayHandler(BaseHTTPRequestHandler):
    """The path says how to answer: /ok, /busy (503 + Retry-After), /throttle (429), /bad (400 with a
    JSON reason), /unauthorized (401), /moved (302), /slow (answers after 2 s), /flaky (503 once)."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        if self.path == "/slow":
            time.sleep(2)
        if self.path == "/flaky":
            self.server.flaky_calls += 1
        status, headers, reply = {
            "/busy": (503, {"Retry-After": "7"}, b"maintenance"),
            "/throttle": (429, {}, b""),
            "/bad": (400, {"Content-Type": "application/json"},
                     json.dumps({"error": "手机号无效 invalid phone"}, ensure_ascii=False).encode()),
            "/unauthorized": (401, {}, b"bad token"),
            "/moved": (302, {"Location": "/ok"}, b""),
            "/flaky": (503, {}, b"") if self.server.flaky_calls == 1 else (200, {}, b'{"id": "m-1"}'),
        }.get(self.path, (200, {"Content-Type": "application/json"}, b'{"id": "m-1"}'))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format, *args):  # keep the test output clean
        pass


@pytest.fixture
def gateway():
    server = Gateway()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def webhook(url, **more):
    return {"EDUAPP_SMS_BACKEND": "webhook", "EDUAPP_SMS_WEBHOOK_URL": url, "EDUAPP_SMS_TIMEOUT": "3", **more}


SMS_TEXT = "【生态环境局】贵公司排污许可证将于 90 天后到期，请于到期前 60 日提出延续申请。"


def test_webhook_posts_json_with_token_and_idempotency_key(make_app, gateway):
    app = make_app(**webhook(gateway.url + "/ok", EDUAPP_SMS_WEBHOOK_TOKEN="gw-token-123"))
    with app.app_context():
        send_sms("+8613900139000", SMS_TEXT, idempotency_key="permit_expiring:5:contact:9:90d")

    (request,) = gateway.requests
    headers = request["headers"]
    assert headers["Authorization"] == "Bearer gw-token-123"
    assert headers["Idempotency-Key"] == "permit_expiring:5:contact:9:90d"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(request["body"].decode("utf-8")) == {
        "phone": "13900139000", "text": SMS_TEXT, "idempotency_key": "permit_expiring:5:contact:9:90d"}
    assert console_outbox() == []


def test_webhook_without_a_token_sends_no_authorization(make_app, gateway):
    with make_app(**webhook(gateway.url + "/ok")).app_context():
        send_sms("13900139000", SMS_TEXT, idempotency_key="k1")
    assert "Authorization" not in gateway.requests[0]["headers"]


@pytest.mark.parametrize(
    ("path", "error", "match", "retry_after"),
    [
        ("/busy", TransientDeliveryError, "answered 503: maintenance", 7),
        ("/throttle", TransientDeliveryError, "answered 429", None),
        ("/bad", PermanentDeliveryError, "answered 400: .*手机号无效 invalid phone", None),
        ("/unauthorized", PermanentDeliveryError, "answered 401: bad token", None),
        ("/moved", PermanentDeliveryError, "answered 302", None),
    ],
)
def test_webhook_statuses_are_classified(make_app, gateway, path, error, match, retry_after):
    with make_app(**webhook(gateway.url + path)).app_context(), pytest.raises(error, match=match) as info:
        send_sms("13900139000", SMS_TEXT, idempotency_key="k1")
    assert info.value.retry_after == retry_after
    assert [r["path"] for r in gateway.requests] == [path]  # the redirect is not followed


def test_webhook_retry_carries_the_same_key(make_app, gateway):
    with make_app(**webhook(gateway.url + "/flaky")).app_context():
        with pytest.raises(TransientDeliveryError):
            send_sms("13900139000", SMS_TEXT, idempotency_key="k-flaky")
        send_sms("13900139000", SMS_TEXT, idempotency_key="k-flaky")
    assert [r["headers"]["Idempotency-Key"] for r in gateway.requests] == ["k-flaky", "k-flaky"]


def test_a_slow_webhook_times_out_transiently(make_app, gateway):
    app = make_app(**webhook(gateway.url + "/slow", EDUAPP_SMS_TIMEOUT="0.3"))
    started = time.monotonic()
    with app.app_context(), pytest.raises(TransientDeliveryError, match="timed out after 0.3 s"):
        send_sms("13900139000", SMS_TEXT, idempotency_key="k1")
    assert time.monotonic() - started < 1.5


def test_webhook_down_is_transient(make_app):
    app = make_app(**webhook(f"http://127.0.0.1:{free_port()}/sms"))
    with app.app_context(), pytest.raises(TransientDeliveryError, match="refused the connection"):
        send_sms("13900139000", SMS_TEXT, idempotency_key="k1")


@pytest.mark.parametrize(
    ("phone", "text", "key", "match"),
    [
        ("12345", SMS_TEXT, "k1", "not a mainland mobile number: '12345'"),
        ("+852 9123 4567", SMS_TEXT, "k1", "not a mainland mobile number"),
        ("13900139000", "  ", "k1", "empty SMS text"),
        ("13900139000", "长" * 1001, "k1", "at most 1000"),
        ("13900139000", SMS_TEXT, "", "idempotency key"),
        ("13900139000", SMS_TEXT, "钥匙", "idempotency key"),
        ("13900139000", SMS_TEXT, "k1\r\nX-Evil: 1", "idempotency key"),
    ],
)
def test_an_sms_that_cannot_be_sent_is_permanent_and_posts_nothing(make_app, gateway, phone, text, key, match):
    for app in (make_app(), make_app(**webhook(gateway.url + "/ok"))):
        with app.app_context(), pytest.raises(PermanentDeliveryError, match=match):
            send_sms(phone, text, idempotency_key=key)
    assert gateway.requests == []
    assert console_outbox() == []


# --- settings ------------------------------------------------------------------------------------


def test_channel_settings_and_defaults(make_app):
    app = make_app()
    assert {k: app.config[k] for k in ("MAIL_BACKEND", "SMTP_HOST", "SMTP_PORT", "SMTP_STARTTLS", "SMTP_SSL",
                                       "SMTP_TIMEOUT", "MAIL_FROM", "SMS_BACKEND", "SMS_WEBHOOK_URL",
                                       "SMS_TIMEOUT")} == {
        "MAIL_BACKEND": "console", "SMTP_HOST": None, "SMTP_PORT": 25, "SMTP_STARTTLS": False, "SMTP_SSL": False,
        "SMTP_TIMEOUT": 10.0, "MAIL_FROM": "eduapp <noreply@eduapp.local>", "SMS_BACKEND": "console",
        "SMS_WEBHOOK_URL": None, "SMS_TIMEOUT": 10.0}
    ssl_app = make_app(EDUAPP_SMTP_HOST="smtp.example.cn", EDUAPP_SMTP_SSL="true")
    assert (ssl_app.config["MAIL_BACKEND"], ssl_app.config["SMTP_PORT"]) == ("smtp", 465)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"EDUAPP_SMS_BACKEND": "carrier-pigeon"}, "EDUAPP_SMS_BACKEND must be console or webhook"),
        ({"EDUAPP_SMS_BACKEND": "webhook"}, "EDUAPP_SMS_WEBHOOK_URL is required"),
        ({"EDUAPP_SMS_BACKEND": "webhook", "EDUAPP_SMS_WEBHOOK_URL": "ftp://gw/sms"}, "EDUAPP_SMS_WEBHOOK_URL must be"),
        ({"EDUAPP_SMTP_SSL": "true", "EDUAPP_SMTP_STARTTLS": "true"}, "exclude each other"),
        ({"EDUAPP_SMTP_USER": "mailer"}, "EDUAPP_SMTP_PASSWORD is required"),
        ({"EDUAPP_SMTP_PORT": "twenty-five"}, "EDUAPP_SMTP_PORT"),
        ({"EDUAPP_SMTP_TIMEOUT": "soon"}, "EDUAPP_SMTP_TIMEOUT"),
        ({"EDUAPP_SMS_TIMEOUT": "0"}, "EDUAPP_SMS_TIMEOUT must be between"),
        ({"EDUAPP_MAIL_FROM": "eduapp"}, "EDUAPP_MAIL_FROM"),
    ],
)
def test_bad_channel_settings_stop_the_app_naming_the_variable(make_app, settings, message):
    with pytest.raises(ConfigError, match=message):
        make_app(**settings)


def test_the_package_exports_the_api():
    assert issubclass(channels.TransientDeliveryError, DeliveryError)
    assert channels.send_email is send_email and channels.send_sms is send_sms
