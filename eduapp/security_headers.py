"""Flask-Talisman with its headers computed once.

Talisman works out every header for every response: it looks up the view's own options four times,
parses the Content-Security-Policy and the permissions policy from their dicts, and draws a nonce, all
per request; on the exam day's autosave that was about a twentieth of the request's Python work
(issue 19). eduapp gives no view options of its own (no ``talisman(...)`` decorator) and no nonce (the
CSP allows 'self' only), so the headers depend only on whether the request came over HTTPS (HSTS is
sent only then): they are computed by Talisman itself the first time for each case and kept. A view
with options of its own, if one is ever added, takes Talisman's own path.
"""

from __future__ import annotations

import flask
from flask_talisman import Talisman
from werkzeug.wrappers import Response


class StaticTalisman(Talisman):
    def init_app(self, app, **kwargs):
        super().init_app(app, **kwargs)
        self._headers: dict[bool, list[tuple[str, str]]] = {}

    def _own_options(self) -> bool:
        view = flask.current_app.view_functions.get(flask.request.endpoint)
        return bool(getattr(view, "talisman_view_options", None))

    def _make_nonce(self):
        if self.content_security_policy_nonce_in or self._own_options():
            return super()._make_nonce()
        return None

    def _force_https(self):
        if self.force_https or self._own_options():
            return super()._force_https()
        if self.session_cookie_secure and not self.app.debug:  # what Talisman does before its redirect check
            self.app.config["SESSION_COOKIE_SECURE"] = True
        return None

    def _set_response_headers(self, response):
        if self.content_security_policy_nonce_in or self._own_options():
            return super()._set_response_headers(response)
        secure = flask.request.is_secure or flask.request.headers.get("X-Forwarded-Proto", "http") == "https"
        headers = self._headers.get(secure)
        if headers is None:
            probe = Response()
            before = set(probe.headers.keys())
            super()._set_response_headers(probe)
            headers = [(name, value) for name, value in probe.headers.items() if name not in before]
            self._headers[secure] = headers
        for name, value in headers:
            response.headers[name] = value
        return response
