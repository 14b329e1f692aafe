"""E-mail over SMTP with the standard library (smtplib, email.message), or to the console outbox.

(The module is called ``mail`` rather than ``email`` so that it is never mistaken for the standard
library's ``email`` package.) One connection per message: reminders are few per recipient and a
failed send must not take others down with it. The console backend is the default and is used for
development, tests and the worker benchmark.
"""

from __future__ import annotations

import email.policy
import re
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from flask import current_app

from eduapp.channels.console import OutboxMessage, logger, record
from eduapp.config import ConfigError
from eduapp.domain.delivery import DeliveryError, PermanentDeliveryError, TransientDeliveryError, short
from eduapp.domain.masking import mask_email

MESSAGE_ID_RE = re.compile(r"^<[^<>@\s]+@[^<>@\s]+>$")
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
ADDRESS_RE = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*$")
# 7-bit on the wire: Chinese text goes base64 (or quoted-printable), so no relay without 8BITMIME can
# mangle it.
POLICY = email.policy.default.clone(cte_type="7bit")


def send_email(to: str, subject: str, text: str, *, message_id: str, html: str | None = None) -> None:
    """Send one e-mail (plain text, with an HTML alternative when ``html`` is given).

    ``message_id``: a deterministic Message-ID ("<id@domain>", the brackets may be left out; see
    eduapp.domain.delivery.message_id_for), the same for every attempt at the same reminder.
    Raises TransientDeliveryError (retry later) or PermanentDeliveryError (do not retry)."""
    config = current_app.config
    # The same checks for every backend (cheap ones: building the MIME message costs about a
    # millisecond, which the console backend does not spend), so the console refuses what SMTP would.
    recipient = checked_address(to)
    message_id = checked_message_id(message_id)
    if "\r" in subject or "\n" in subject:
        raise PermanentDeliveryError(f"cannot build the e-mail to {mask_email(recipient)}: a line break in the subject")
    backend = config.get("MAIL_BACKEND", "console")
    if backend == "console":
        record(OutboxMessage("email", recipient, text, message_id, subject, html))
        logger.info("console e-mail to=%s message_id=%s subject=%s", mask_email(recipient), message_id, subject)
    elif backend == "smtp":
        message = build_message(config["MAIL_FROM"], recipient, subject, text, message_id, html)
        send_over_smtp(config, message, parseaddr(config["MAIL_FROM"])[1], recipient)
    else:
        raise ConfigError(f"unknown e-mail backend {backend!r} (console or smtp)")


def checked_address(address: str) -> str:
    """Syntax only: no DNS, and intranet domains (hbj.local) pass; whether a domain takes mail is
    the SMTP server's answer to give. An internationalised domain travels as punycode; a non-ASCII
    local part is refused (few servers accept SMTPUTF8)."""
    local, at, domain = (address or "").strip().rpartition("@")
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower() if domain else ""
    except UnicodeError:
        ascii_domain = ""
    candidate = f"{local}@{ascii_domain}"
    if not at or len(local) > 64 or len(candidate) > 254 or not ADDRESS_RE.match(candidate):
        raise PermanentDeliveryError(f"not a valid e-mail address: {address!r}")
    return candidate


def checked_message_id(message_id: str) -> str:
    candidate = (message_id or "").strip()
    if not candidate.startswith("<"):
        candidate = f"<{candidate}>"
    if not MESSAGE_ID_RE.match(candidate) or not candidate.isascii():
        raise PermanentDeliveryError(f"not a valid Message-ID: {message_id!r} (expected <id@domain>)")
    return candidate


def build_message(sender: str, recipient: str, subject: str, text: str, message_id: str,
                  html: str | None) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    try:
        message["From"] = sender
        message["To"] = Address(addr_spec=recipient)
        message["Subject"] = subject
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = message_id
        # RFC 3834: tells auto-responders (out-of-office) not to answer a reminder.
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
    except (ValueError, TypeError) as exc:  # a line break in a header, an unusable address…
        raise PermanentDeliveryError(f"cannot build the e-mail to {mask_email(recipient)}: {exc}")
    return message


def send_over_smtp(config, message: EmailMessage, sender: str, recipient: str) -> None:
    host, port, timeout = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"]
    where = f"SMTP {host}:{port}"
    try:
        if config["SMTP_SSL"]:
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
    except Exception as exc:
        raise classify_smtp_error(exc, where)
    try:
        if config["SMTP_STARTTLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["SMTP_USER"]:
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
        smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
    except Exception as exc:
        smtp.close()
        raise classify_smtp_error(exc, where)
    # The message is accepted: a failed QUIT must not turn it into an error (and a duplicate on retry).
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
    logger.info("e-mail sent to=%s message_id=%s via %s", mask_email(recipient), message["Message-ID"], where)


def classify_smtp_error(exc: Exception, where: str) -> DeliveryError:
    """The reply code decides: 4xx is transient, 5xx permanent. Not being able to talk to the server
    (refused, timed out, disconnected, TLS failed) is transient. Authentication and STARTTLS
    failures are transient too although they may be 5xx: they are about our account, not about
    this message, and retrying succeeds once the operator fixes the settings."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()), (-1, b""))
        return _by_code(code, reply, f"{where} refused the recipient")
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return TransientDeliveryError(f"{where}: login failed ({exc.smtp_code} {_text(exc.smtp_error)})")
    if isinstance(exc, smtplib.SMTPResponseException):
        return _by_code(exc.smtp_code, exc.smtp_error, f"{where} answered")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return TransientDeliveryError(f"{where} disconnected: {exc}")
    if isinstance(exc, TimeoutError):
        return TransientDeliveryError(f"{where} timed out")
    if isinstance(exc, ConnectionRefusedError):
        return TransientDeliveryError(f"{where} refused the connection")
    if isinstance(exc, smtplib.SMTPException | OSError):
        return TransientDeliveryError(f"{where}: {type(exc).__name__}: {exc}")
    if isinstance(exc, ValueError | UnicodeError):  # the message itself cannot be sent as it is
        return PermanentDeliveryError(f"{where}: cannot send this message: {exc}")
    return TransientDeliveryError(f"{where}: {type(exc).__name__}: {exc}")


def _by_code(code: int, reply, prefix: str) -> DeliveryError:
    message = f"{prefix} {code} {_text(reply)}"
    if 500 <= code < 600:
        return PermanentDeliveryError(message)
    return TransientDeliveryError(message)


def _text(reply) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return short(str(reply), 200)
