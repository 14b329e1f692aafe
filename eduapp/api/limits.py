"""The API's rate limit: every request to /api/v1 counts against one budget per signed-in person
(whether by bearer token or session cookie), or per address for requests that are not signed in.
The budget is ``EDUAPP_API_RATE_LIMIT`` (default 600 per minute); beyond it the API answers 429
``{"error": {"code": "rate_limited", …}}`` with ``Retry-After`` and the ``X-RateLimit-*`` headers (on
every answer with ``EDUAPP_API_RATE_LIMIT_HEADERS``).

The limit is counted here, not by Flask-Limiter's per-request machinery: every API request pays for it,
and Flask-Limiter's own before_request (exemption scopes, blueprint limits, its request context) cost
more than the one Redis round trip that counts (issue 19: an autosave's time); that hook returns at once
for the requests counted here (eduapp.request_limiter). ``check`` runs where
Flask-Limiter's hook runs (before sign-in is refused, so anonymous requests are counted too) and hits the
same storage through Flask-Limiter's strategy, with its in-memory fallback when Redis is unreachable. On
Redis, a request far below the limit is counted in the process and added to Redis with others in one round
trip at least every quarter second (``eduapp.api.rate_tally``, its bound stated there); near the limit, and
with ``EDUAPP_API_RATE_LIMIT_HEADERS`` on, each request is counted in Redis at once.
Every blueprint registered by ``JsonApi.register_blueprint`` is counted, so an API module needs nothing
but ``api.register_blueprint(blp)``. An endpoint with a Flask-Limiter limit of its own keeps that limit
instead, as before: requesting a bearer token keeps the sign-in limit (EDUAPP_LOGIN_RATE_LIMIT, failed
requests per address) and the captcha after failures (eduapp.services.sign_in_guard).
"""

from __future__ import annotations

import logging
import time
import weakref
from functools import lru_cache

from flask import Flask, current_app, g, jsonify, request
from flask_babel import gettext
from flask_limiter.util import get_qualified_name
from limits import RateLimitItem, parse
from limits.storage import RedisClusterStorage, RedisStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from eduapp.api import rate_tally
from eduapp.extensions import limiter

SCOPE = "api-v1"  # one counter for every endpoint of the API
RECHECK_SECONDS = 10  # on the in-memory fallback: how often to look whether Redis is back
_limited: set[str] = set()
_own_limits: dict[str, bool] = {}  # endpoint -> has a Flask-Limiter limit of its own
_recheck = {"at": 0.0}
_installed: list[bool] = []
_tallies: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # strategy -> rate_tally.Tally or None
logger = logging.getLogger("eduapp.api.limits")


def rate_key() -> str:
    """The limit's key. Reading current_user signs the request in once (Flask-Login keeps the user in
    flask.g): the bearer token's check (eduapp.services.api_tokens.user_for, cached per process) is
    shared by this key and the view."""
    from flask_login import current_user

    user = current_user._get_current_object()  # noqa: SLF001 (once)
    if user.is_authenticated:
        return f"user:{user.id}"
    return f"ip:{request.remote_addr}"


@lru_cache(maxsize=16)
def _item(value: str) -> RateLimitItem:
    return parse(value)  # EDUAPP_API_RATE_LIMIT is checked when the configuration is loaded


def _has_own_limit(endpoint: str) -> bool:
    own = _own_limits.get(endpoint)
    if own is None:
        view = current_app.view_functions.get(endpoint)
        own = bool(view and limiter.limit_manager.decorated_limits(get_qualified_name(view)))
        _own_limits[endpoint] = own
    return own


def counted_here() -> bool:
    """Whether this request counts against the API's limit here (and Flask-Limiter leaves it alone)."""
    endpoint = request.endpoint
    return bool(endpoint) and request.blueprint in _limited and not _has_own_limit(endpoint)


def _strategy():
    """Flask-Limiter's strategy on Redis, or on this process's memory while Redis is unreachable (looked at
    again every RECHECK_SECONDS, as Flask-Limiter does for the limits it counts)."""
    if limiter._storage_dead and time.monotonic() >= _recheck["at"]:  # noqa: SLF001 (its fallback switch)
        _recheck["at"] = time.monotonic() + RECHECK_SECONDS
        try:
            if limiter.storage.check():
                logger.info("Rate limit storage recovered")
                limiter._storage_dead = False  # noqa: SLF001
        except Exception:  # noqa: BLE001 (still down: stay on the fallback)
            logger.debug("Rate limit storage still unreachable")
    return limiter.limiter


def _tally(strategy) -> rate_tally.Tally | None:
    """This process's tally for Flask-Limiter's strategy (one per storage): its sliding window on one Redis
    (or Sentinel's master) only; the in-memory fallback and storage have no round trip to save, and a
    Redis Cluster could not run one script over many people's keys."""
    try:
        return _tallies[strategy]
    except KeyError:
        storage, tally = strategy.storage, None
        if (isinstance(strategy, SlidingWindowCounterRateLimiter) and isinstance(storage, RedisStorage)
                and not isinstance(storage, RedisClusterStorage)):  # its script's keys span hash slots
            tally = rate_tally.Tally(storage.get_connection().register_script(rate_tally.SCRIPT))
        _tallies[strategy] = tally
        return tally


def _forget_tallies() -> None:
    for tally in list(_tallies.values()):
        if tally is not None:
            tally.clear()


def _hit(item: RateLimitItem, key: str) -> bool:
    try:
        strategy = _strategy()
        # with the X-RateLimit-* headers on every answer, each request reads Redis anyway: count it there
        tally = None if current_app.config["RATELIMIT_HEADERS_ENABLED"] else _tally(strategy)
        if tally is None:
            return strategy.hit(item, key, SCOPE)
        return tally.hit(rate_tally.counter_for(strategy.storage, item, key, SCOPE))
    except Exception:
        if not current_app.config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] or limiter._storage_dead:  # noqa: SLF001
            raise
        logger.warning("Rate limit storage unreachable - falling back to in-memory storage")
        limiter._storage_dead = True  # noqa: SLF001
        _recheck["at"] = time.monotonic() + RECHECK_SECONDS
        return limiter.limiter.hit(item, key, SCOPE)


def check():
    """The before_request hook: count this API request; beyond the limit, answer 429."""
    if not limiter.enabled or not counted_here():
        return None
    item, key = _item(current_app.config["API_RATE_LIMIT"]), rate_key()
    if _hit(item, key):
        g.api_rate_limit = (item, key)
        return None
    try:
        reset_at = _strategy().get_window_stats(item, key, SCOPE).reset_time
    except Exception:  # noqa: BLE001 (the storage went away since the hit: say the whole window)
        reset_at = time.time() + item.get_expiry()
    return _breached(item, reset_at)


def _headers(response):
    """EDUAPP_API_RATE_LIMIT_HEADERS: the X-RateLimit-* headers on every counted answer (a second round
    trip to Redis per request, hence off by default)."""
    counted = g.pop("api_rate_limit", None)
    if counted is not None and current_app.config["RATELIMIT_HEADERS_ENABLED"] and response.status_code != 429:
        item, key = counted
        try:
            stats = _strategy().get_window_stats(item, key, SCOPE)
        except Exception:  # noqa: BLE001 (headers are a courtesy: never fail an answer for them)
            logger.warning("Rate limit storage unreachable - no X-RateLimit headers")
            return response
        response.headers["X-RateLimit-Limit"] = str(item.amount)
        response.headers["X-RateLimit-Remaining"] = str(stats.remaining)
        response.headers["X-RateLimit-Reset"] = str(int(stats.reset_time))
    return response


def _breached(item: RateLimitItem, reset_at: float):
    """The answer to a request beyond the limit."""
    wait = max(int(reset_at - time.time()), 1)
    response = jsonify({"error": {
        "code": "rate_limited",
        "message": gettext("Too many requests: at most %(limit)s. Try again in %(seconds)s seconds.",
                           limit=str(item), seconds=wait),
    }})
    response.status_code = 429
    response.headers["Retry-After"] = str(wait)
    response.headers["X-RateLimit-Limit"] = str(item.amount)
    response.headers["X-RateLimit-Remaining"] = "0"
    response.headers["X-RateLimit-Reset"] = str(int(reset_at))
    return response


def limit_blueprint(blueprint) -> None:
    """Count ``blueprint``'s requests against the API's limit (however many apps are created)."""
    _limited.add(blueprint.name)


def limited_blueprints() -> frozenset[str]:
    return frozenset(_limited)


def install(app: Flask) -> None:
    """Right after Flask-Limiter's init_app, so that the API's count runs where Flask-Limiter's check runs:
    before the access checks, which refuse a request without a valid token."""
    if not _installed:  # the limiter is one object for every app of the process
        limiter.counted_elsewhere(counted_here)  # Flask-Limiter's hook skips what is counted here
        limiter.on_reset(_forget_tallies)  # counts not yet in Redis go with a reset of its counters
        _installed.append(True)
    app.before_request(check)
    app.after_request(_headers)


def init_app(app: Flask) -> None:
    # The OpenAPI document is served by flask-smorest's own blueprint: under the same limit.
    docs = app.blueprints.get("api-docs")
    if docs is not None:
        limit_blueprint(docs)
