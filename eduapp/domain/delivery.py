"""Delivery rules for reminders: SMS quiet hours, retry backoff, and how a failed send is classified.

Pure: the channel adapters (eduapp.channels) raise these errors, the tasks that call them decide from
``transient`` whether to retry (after ``backoff_seconds``) or to record the delivery as failed.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, time, timedelta, tzinfo

from eduapp.domain.practice import CHINA
from eduapp.domain.typed_input import is_mobile, mobile_digits

__all__ = [
    "CHINA",
    "DeliveryError",
    "PermanentDeliveryError",
    "TransientDeliveryError",
    "backoff_seconds",
    "message_id_for",
    "normalise_mobile",
    "quiet_until",
    "short",
]

QUIET_START = time(22)
QUIET_END = time(8)
MESSAGE_LIMIT = 300  # characters of an error message kept (it is stored as a delivery's last error)


class DeliveryError(Exception):
    """A send that did not happen. ``transient``: trying again later may work (the server was down,
    busy or slow); otherwise retrying cannot help (the address is refused or malformed).
    ``retry_after``: seconds the other side asked us to wait (HTTP Retry-After), if it said."""

    transient: bool = False

    def __init__(self, message: str, *, transient: bool | None = None, retry_after: float | None = None):
        super().__init__(message)
        self.message = short(message)
        if transient is not None:
            self.transient = transient
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        # Picklable with its attributes (Celery serialises exceptions between processes).
        return (self.__class__, (self.message,), self.__dict__.copy())


class TransientDeliveryError(DeliveryError):
    transient = True


class PermanentDeliveryError(DeliveryError):
    transient = False


def short(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """One line, at most ``limit`` characters: error texts end up in a log column."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def quiet_until(now: datetime, start: time = QUIET_START, end: time = QUIET_END, tz: tzinfo = CHINA) -> datetime | None:
    """None when ``now`` is outside the quiet hours [start, end) in ``tz``; otherwise the (aware, UTC)
    moment they end. A window with start > end crosses midnight (22:00-08:00: quiet from 22:00 to
    08:00 next morning); start == end means no quiet hours at all."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("quiet_until needs an aware datetime")
    if start == end:
        return None
    local = now.astimezone(tz)
    clock = local.time().replace(tzinfo=None)
    if start < end:
        if not start <= clock < end:
            return None
        day = local.date()
    elif clock >= start:
        day = local.date() + timedelta(days=1)
    elif clock < end:
        day = local.date()
    else:
        return None
    return datetime.combine(day, end, tzinfo=tz).astimezone(UTC)


def backoff_seconds(attempt: int, base: float = 30, cap: float = 3600, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number ``attempt`` (0 for the first retry): "full jitter",
    uniform(0, min(cap, base * 2**attempt)), so that many failed sends do not all come back at the
    same moment; never less than one second."""
    if attempt < 0:
        raise ValueError("attempt must be 0 or more")
    if base <= 0 or cap <= 0:
        raise ValueError("base and cap must be positive")
    try:
        ceiling = min(cap, base * 2**attempt)
    except OverflowError:  # 2**attempt too large for a float: long past the cap
        ceiling = cap
    return max(1.0, (rng or random).uniform(0, ceiling))


def normalise_mobile(phone: str) -> str:
    """The 11 digits of a mainland mobile number (typed_input.mobile_digits: +86, 0086, spaces and
    dashes allowed), or a PermanentDeliveryError naming the number."""
    if not is_mobile(phone):
        raise PermanentDeliveryError(f"not a mainland mobile number: {phone!r}")
    return mobile_digits(phone)


def message_id_for(key: str, domain: str = "eduapp.local") -> str:
    """A Message-ID derived from a reminder's dedupe key: the same reminder sent twice carries the
    same id, so a receiving system can drop the duplicate."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
    return f"<reminder.{digest}@{domain}>"
