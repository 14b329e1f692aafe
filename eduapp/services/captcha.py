"""Graphic captchas (图形验证码) for sign-in after repeated failures, drawn on the server with the
``captcha`` package (Pillow); no third-party service.

A challenge's id is a signed, timestamped nonce (itsdangerous, the app's SECRET_KEY): its characters
are derived from an HMAC of the nonce under the same key, so the server keeps nothing per challenge
and any worker can draw or check it, while a client cannot read the answer from the id. A challenge
expires after CAPTCHA_SECONDS; its picture can be fetched once and it can be answered once (right or
wrong): both are marked in the rate limiter's storage (Redis when configured), which every worker
shares.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from eduapp.domain.sign_in import CAPTCHA_SECONDS, answer_matches, captcha_text
from eduapp.services.counters import counted

MAX_ID_LENGTH = 200


@dataclass(frozen=True)
class Challenge:
    captcha_id: str
    image: str  # a data: URL of the PNG

    def as_dict(self) -> dict:
        return {"captcha_id": self.captcha_id, "image": self.image}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="eduapp.captcha")


def _text(nonce: str) -> str:
    key = current_app.secret_key.encode() if isinstance(current_app.secret_key, str) else current_app.secret_key
    return captcha_text(hmac.new(key, b"captcha:" + nonce.encode(), hashlib.sha256).digest())


def _nonce(captcha_id: str | None) -> str | None:
    if not captcha_id or len(captcha_id) > MAX_ID_LENGTH or not captcha_id.isascii():
        return None
    try:
        nonce = _serializer().loads(captcha_id, max_age=CAPTCHA_SECONDS)
    except BadData:
        return None
    return nonce if isinstance(nonce, str) else None


def _first_use(kind: str, nonce: str) -> bool:
    return counted(lambda storage: storage.incr(f"captcha-{kind}:{nonce}", CAPTCHA_SECONDS + 60)) == 1


def new_id() -> str:
    return _serializer().dumps(secrets.token_urlsafe(12))


def draw(text: str) -> bytes:
    from captcha.image import ImageCaptcha

    return ImageCaptcha(width=160, height=60).generate(text, format="png").getvalue()


def image_once(captcha_id: str) -> bytes | None:
    """The PNG of a live challenge, the first time it is asked for; None otherwise."""
    nonce = _nonce(captcha_id)
    if nonce is None or not _first_use("shown", nonce):
        return None
    return draw(_text(nonce))


def new_challenge() -> Challenge:
    """A challenge with its picture inline (for the API); the picture counts as shown."""
    captcha_id = new_id()
    png = image_once(captcha_id)
    return Challenge(captcha_id, "data:image/png;base64," + base64.b64encode(png or b"").decode())


def check(captcha_id: str | None, answer: str | None) -> bool:
    """Whether ``answer`` solves the live challenge ``captcha_id``; the challenge is used up either way."""
    nonce = _nonce(captcha_id)
    if nonce is None or not _first_use("used", nonce):
        return False
    return answer_matches(_text(nonce), answer)


def answer_for(captcha_id: str) -> str | None:
    """The characters of a challenge (for the tests and the e2e suite, which play the person reading it)."""
    nonce = _nonce(captcha_id)
    return None if nonce is None else _text(nonce)
