"""Flask's signed-cookie sessions, with the signing serializer built once per set of keys.

Flask builds an itsdangerous serializer (its signer settings, the key list with SECRET_KEY_FALLBACKS)
twice on every request, opening and saving the session, even for an API request that carries no cookie:
about one and a half per cent of an answer's autosave (issue 19). The serializer keeps no state between
calls, so one per (secret key, fallbacks) serves every request and thread; a changed key or fallback
list gets a serializer of its own, so a key rotation takes effect on the next request as before.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class CookieSessions(SecureCookieSessionInterface):
    _LIMIT = 16  # distinct key sets kept (a process has one; tests build apps with a few)

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        try:
            return self._serializers[keys]
        except KeyError:
            if len(self._serializers) >= self._LIMIT:
                self._serializers.clear()
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
            return serializer
        except TypeError:  # an unhashable key (a list of fallbacks holding lists): built every time
            return super().get_signing_serializer(app)
