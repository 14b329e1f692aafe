"""When a request reached us: the time the exam's deadline is compared with (docs/exams.md, "Fair under
overload"). An answer or a submission that reached us before the deadline is saved even when a busy
server processes it after; one that reached us after it is refused, as before.

"Reached" is:

- behind trusted proxies (EDUAPP_TRUSTED_PROXIES > 0), the ``X-Request-Start`` header the proxy stamped
  (deploy/nginx-scaled.conf: ``proxy_set_header X-Request-Start "t=${msec}";``, which also replaces any
  header of that name the client sent). Accepted forms: ``t=1700000000.123`` (seconds, as nginx's
  ``$msec``), ``t=1700000000123`` (milliseconds) and ``t=1700000000123456`` (microseconds), with or
  without ``t=``;
- otherwise (and when the header is missing, malformed, in the future or older than
  EDUAPP_REQUEST_START_MAX_AGE_SECONDS, default 120), the time the server accepted it: with gunicorn's
  ``eduapp.gunicorn_worker.ArrivalThreadWorker`` when it queued the request for a thread, with any
  other server when it handed the request to the app; ``ArrivalStamp`` (the outermost WSGI
  middleware) puts it in the environ;
- never a time the client claims: without trusted proxies the header is ignored.

The result is never later than the processing time, and never earlier than the bound allows.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime

from flask import Flask, current_app, has_request_context, request

ENVIRON_KEY = "eduapp.received_at"  # seconds since the epoch (float), set by ArrivalStamp
HEADER = "X-Request-Start"
_STAMP = re.compile(r"^\s*(?:t=)?(\d{1,20}(?:\.\d{1,9})?)\s*$")


# Set by the server for the request its thread handles: eduapp/gunicorn_worker.py notes when gunicorn
# queued the request for a thread (the wait a busy server adds before the app sees it).
server_stamp = threading.local()


class ArrivalStamp:
    """WSGI middleware: the time the request reached us, as early as the app can know it: the server's
    stamp (server_stamp, or an environ key a server hook set) if there is one, else now."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if ENVIRON_KEY not in environ:
            queued = getattr(server_stamp, "queued_at", None)
            environ[ENVIRON_KEY] = queued if queued is not None else time.time()
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    """Wrap the app's WSGI callable last, so that the stamp is the outermost layer."""
    app.wsgi_app = ArrivalStamp(app.wsgi_app)


def parse_stamp(value: str | None) -> float | None:
    """Seconds since the epoch from an X-Request-Start value, or None if it is not one of our forms."""
    if not value:
        return None
    found = _STAMP.match(value)
    if found is None:
        return None
    number = float(found.group(1))
    if "." in found.group(1) or number < 1e11:
        return number  # seconds (nginx's $msec: seconds.milliseconds)
    if number < 1e14:
        return number / 1e3  # milliseconds
    return number / 1e6  # microseconds


def received_timestamp(environ: dict, headers, trusted: bool, max_age: float, now: float) -> float:
    """The arrival time in seconds since the epoch (see the module's docstring); ``now`` is the
    processing time."""
    arrived = environ.get(ENVIRON_KEY)
    arrived = arrived if isinstance(arrived, float) and now - max_age <= arrived <= now else now
    if trusted:
        stamped = parse_stamp(headers.get(HEADER))
        if stamped is not None and now - max_age <= stamped <= now:
            return stamped
    return arrived


def received_at(now: datetime | None = None) -> datetime:
    """When the current request reached us, in UTC (as eduapp.models.utcnow); the
    processing time ``now`` outside a request."""
    from eduapp.models import utcnow

    now = now or utcnow()
    if not has_request_context():
        return now
    now_ts = (now if now.tzinfo else now.replace(tzinfo=UTC)).timestamp()
    stamp = received_timestamp(request.environ, request.headers, current_app.config.get("TRUSTED_PROXIES", 0) > 0,
                               current_app.config.get("REQUEST_START_MAX_AGE_SECONDS", 120), now_ts)
    if stamp >= now_ts:
        return now
    return datetime.fromtimestamp(stamp, UTC)
