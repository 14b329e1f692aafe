"""Failed sign-ins counted per account and per address, and the captcha they call for (the form at
/login and POST /api/v1/auth/token both sign in through :func:`sign_in`).

Counts live in the rate limiter's storage: Redis when EDUAPP_REDIS_URL is set (shared by every web
worker and instance, expiring there), else the process's memory (the embedded default runs one
process). With Redis unreachable the counts go on in this process's memory (a logged warning), as
the rate limits do: sign-in neither breaks nor opens. Each count starts at the first failure and
lapses EDUAPP_SIGNIN_FAILURE_WINDOW_MINUTES later; a successful sign-in clears the account's count.
Nothing here locks an account: past the thresholds the password alone no longer suffices, the
password and a correct captcha do.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from eduapp.domain.sign_in import Thresholds, account_key, address_key, captcha_needed
from eduapp.extensions import db
from eduapp.models import User
from eduapp.services import accounts, audit, captcha
from eduapp.services.counters import counted


@dataclass(frozen=True)
class Outcome:
    user: User | None
    captcha_required: bool = False  # the next attempt for this account or address needs a captcha
    captcha_failed: bool = False  # this attempt was refused for the captcha (the password was not tried)


def thresholds() -> Thresholds:
    cfg = current_app.config
    return Thresholds(cfg["SIGNIN_CAPTCHA_AFTER"], cfg["SIGNIN_ADDRESS_CAPTCHA_AFTER"],
                      cfg["SIGNIN_FAILURE_WINDOW_MINUTES"] * 60)


def failures(username: str, address: str | None) -> tuple[int, int]:
    return counted(lambda storage: (storage.get(account_key(username)), storage.get(address_key(address))))


def needs_captcha(username: str, address: str | None) -> bool:
    return captcha_needed(*failures(username, address), thresholds())


def record_failure(username: str, address: str | None) -> None:
    window = thresholds().window_seconds
    counted(lambda storage: (storage.incr(account_key(username), window),
                              storage.incr(address_key(address), window)))


def record_success(username: str) -> None:
    counted(lambda storage: storage.clear(account_key(username)))


def sign_in(username: str, password: str, address: str | None, captcha_id: str | None = None,
            captcha_answer: str | None = None) -> Outcome:
    """The user if the password matches an active account and, where failures call for one, the
    captcha is answered; every failure counts against the account and the address."""
    if needs_captcha(username, address) and not captcha.check(captcha_id, captcha_answer):
        record_failure(username, address)
        audit.record("auth.login_failed", actor=None, obj_type="user",
                     summary={"username": (username or "")[:64], "reason": "captcha"}, ip=address)
        db.session.commit()
        return Outcome(None, captcha_required=True, captcha_failed=True)
    user = accounts.authenticate(username, password, address)
    if user is None:
        record_failure(username, address)
        return Outcome(None, captcha_required=needs_captcha(username, address))
    record_success(username)
    return Outcome(user)
