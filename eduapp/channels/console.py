"""The console backends' outbox: what they "sent", kept in memory for tests and the dev UI.

Per process: with a Celery worker in prefork mode each child has its own outbox, so read it in the
process that sent (eager tasks in development and tests do).
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

logger = logging.getLogger("eduapp.channels")

OUTBOX_SIZE = 1000


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One message a console backend accepted. ``key``: the Message-ID of an e-mail, the
    idempotency key of an SMS. ``to``: the normalised address or 11-digit mobile number."""

    channel: str  # "email" or "sms"
    to: str
    text: str
    key: str
    subject: str | None = None
    html: str | None = None
    sent_at: datetime = field(default_factory=lambda: datetime.now(UTC))


_outbox: deque[OutboxMessage] = deque(maxlen=OUTBOX_SIZE)
_lock = threading.Lock()


def record(message: OutboxMessage) -> None:
    with _lock:
        _outbox.append(message)


def console_outbox() -> list[OutboxMessage]:
    """The last OUTBOX_SIZE messages the console backends accepted, oldest first."""
    with _lock:
        return list(_outbox)


def clear_console_outbox() -> None:
    with _lock:
        _outbox.clear()
