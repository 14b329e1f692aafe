"""Sign-in protection that cannot be turned against the account's owner (GB/T 22239-2019 8.1.4.1 b,
登录失败处理): failed sign-ins are counted per account and per address in a window; past a threshold a
sign-in needs a graphic captcha (图形验证码) as well as the password, instead of a hard lock that a
guesser could use to keep the owner out. Pure rules; the counting is eduapp.services.sign_in_guard.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

# Characters that read unambiguously in a distorted picture (no 0/O, 1/I/L, 9/g …).
CAPTCHA_ALPHABET = "ABCDEFHJKMNPRSTUVWXY2345678"
CAPTCHA_LENGTH = 5
CAPTCHA_SECONDS = 300  # a challenge is answered within five minutes, once
MAX_USERNAME = 64


@dataclass(frozen=True)
class Thresholds:
    account: int = 5  # failures on one account within the window before a captcha is asked
    address: int = 20  # failures from one address (any accounts) within the window
    window_seconds: int = 15 * 60


def account_key(username: str) -> str:
    """The counter key of an account as typed (existing or not: the answer never tells which); a hash,
    so the counter store holds no usernames and any text (even a lone surrogate) makes a key."""
    name = (username or "").strip().lower()[:MAX_USERNAME]
    return "signin-fail-user:" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def address_key(address: str | None) -> str:
    return "signin-fail-addr:" + (address or "unknown")


def captcha_needed(account_failures: int, address_failures: int, thresholds: Thresholds) -> bool:
    return account_failures >= thresholds.account or address_failures >= thresholds.address


def captcha_text(digest: bytes, length: int = CAPTCHA_LENGTH) -> str:
    """The characters a challenge shows, drawn from a keyed digest (so the server need not store them)."""
    return "".join(CAPTCHA_ALPHABET[b % len(CAPTCHA_ALPHABET)] for b in digest[:length])


def normalise_answer(answer: str | None) -> str:
    return "".join((answer or "").split()).upper()


def answer_matches(expected: str, answer: str | None) -> bool:
    """Case and spaces do not matter; compared in constant time."""
    given = normalise_answer(answer)
    return bool(given) and hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogatepass"))
