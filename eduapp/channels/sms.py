"""SMS through a gateway interface: the console outbox (default) or an HTTP webhook.

The webhook receives ``POST`` JSON ``{"phone", "text", "idempotency_key"}`` with an
``Idempotency-Key`` header (and ``Authorization: Bearer <token>`` when a token is set); any 2xx
means sent. A gateway in front of a commercial SMS provider is expected to drop a repeated key: a
send that timed out may have gone through, and its retry carries the same key.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from flask import current_app

from eduapp.channels.console import OutboxMessage, logger, record
from eduapp.config import ConfigError
from eduapp.domain.delivery import (
    DeliveryError,
    PermanentDeliveryError,
    TransientDeliveryError,
    normalise_mobile,
    short,
)
from eduapp.domain.digits import is_digits
from eduapp.domain.masking import mask_phone

MAX_TEXT = 1000  # characters; a gateway splits long texts into parts, but a page of text is a bug
BODY_EXCERPT = 200
TRANSIENT_STATUSES = frozenset({408, 425, 429})


def send_sms(phone: str, text: str, *, idempotency_key: str) -> None:
    """Send one SMS to a mainland mobile number (11 digits, spaces, dashes or +86 allowed).

    ``idempotency_key``: the same for every attempt at the same reminder (printable ASCII).
    Raises TransientDeliveryError (retry later) or PermanentDeliveryError (do not retry).
    Quiet hours are the caller's business (eduapp.domain.delivery.quiet_until)."""
    config = current_app.config
    number = normalise_mobile(phone)
    if not text or not text.strip():
        raise PermanentDeliveryError(f"empty SMS text for {mask_phone(number)}")
    if len(text) > MAX_TEXT:
        raise PermanentDeliveryError(
            f"SMS text for {mask_phone(number)} is {len(text)} characters (at most {MAX_TEXT})")
    if not idempotency_key or not idempotency_key.isascii() or not idempotency_key.isprintable():
        raise PermanentDeliveryError(f"the idempotency key must be printable ASCII, got {idempotency_key!r}")
    backend = config.get("SMS_BACKEND", "console")
    if backend == "console":
        record(OutboxMessage("sms", number, text, idempotency_key))
        logger.info("console SMS to=%s key=%s text=%s", mask_phone(number), idempotency_key, text)
    elif backend == "webhook":
        post_to_webhook(config, number, text, idempotency_key)
        logger.info("SMS sent to=%s key=%s via webhook", mask_phone(number), idempotency_key)
    else:
        raise ConfigError(f"unknown SMS backend {backend!r} (console or webhook)")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would turn the POST into a GET (or repeat it elsewhere): report it instead."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post_to_webhook(config, number: str, text: str, key: str) -> None:
    url, timeout = config["SMS_WEBHOOK_URL"], config["SMS_TIMEOUT"]
    if not url:
        raise ConfigError("EDUAPP_SMS_WEBHOOK_URL is required when EDUAPP_SMS_BACKEND=webhook")
    body = json.dumps({"phone": number, "text": text, "idempotency_key": key}, ensure_ascii=False).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Accept": "application/json",
        "Idempotency-Key": key,
        "User-Agent": "eduapp-sms",
    }
    if config.get("SMS_WEBHOOK_TOKEN"):
        headers["Authorization"] = f"Bearer {config['SMS_WEBHOOK_TOKEN']}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (http/https checked in config)
    try:
        with _opener.open(request, timeout=timeout) as response:
            response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        try:
            raise classify_status(exc.code, _excerpt(exc), exc.headers.get("Retry-After"))
        finally:
            exc.close()
    except Exception as exc:
        raise classify_http_error(exc, timeout)


def classify_status(status: int, excerpt: str, retry_after: str | None = None) -> DeliveryError:
    """408, 425, 429 and 5xx: the gateway is busy or down, try again. Any other non-2xx answer
    (400 bad number, 401/403 bad token, 3xx redirect…) will not change by retrying."""
    message = f"SMS webhook answered {status}: {excerpt}" if excerpt else f"SMS webhook answered {status}"
    if status in TRANSIENT_STATUSES or 500 <= status < 600:
        return TransientDeliveryError(message, retry_after=parse_retry_after(retry_after))
    return PermanentDeliveryError(message)


def classify_http_error(exc: Exception, timeout: float) -> DeliveryError:
    """Could not talk to the gateway (refused, DNS, TLS, timed out, cut off): transient. After a
    timeout the SMS may have gone out; the retry carries the same idempotency key."""
    if isinstance(exc, DeliveryError):
        return exc
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, TimeoutError):
        return TransientDeliveryError(f"SMS webhook timed out after {timeout:g} s")
    if isinstance(reason, ConnectionRefusedError):
        return TransientDeliveryError("SMS webhook refused the connection")
    if isinstance(reason, OSError | http.client.HTTPException | urllib.error.URLError | str):
        return TransientDeliveryError(f"SMS webhook unreachable: {type(reason).__name__}: {reason}")
    return TransientDeliveryError(f"SMS webhook failed: {type(exc).__name__}: {exc}")


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date), None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if is_digits(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _excerpt(exc: urllib.error.HTTPError) -> str:
    try:
        raw = exc.read(4 * BODY_EXCERPT)
    except (OSError, http.client.HTTPException):
        return ""
    return short(raw.decode("utf-8", "replace"), BODY_EXCERPT)
