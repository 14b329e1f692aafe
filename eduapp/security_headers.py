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

_OWN_OPTIONS = "eduapp.talisman_own_options"  # app.extensions: the endpoints with Talisman options of their own


class StaticTalisman(Talisman):
    def init_app(self, app, **kwargs):
        super().init_app(app, **kwargs)
        self._headers: dict[bool, list[tuple[str, str, str]]] = {}  # (name, lower-case name, value)

    def _own_options(self, endpoint: str | None = None) -> bool:
        """Whether this request's view has Talisman options of its own. The endpoints that do are listed
        once per app: Flask adds no view once the app has served its first request."""
        app = flask.current_app._get_current_object()  # noqa: SLF001 (once per call)
        own = app.extensions.get(_OWN_OPTIONS)
        if own is None:
            own = app.extensions[_OWN_OPTIONS] = frozenset(
                name for name, view in app.view_functions.items() if getattr(view, "talisman_view_options", None))
        return (flask.request.endpoint if endpoint is None else endpoint) in own

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
        req = flask.request._get_current_object()  # noqa: SLF001 (read once)
        if self.content_security_policy_nonce_in or self._own_options(req.endpoint):
            return super()._set_response_headers(response)
        # Talisman's test: HTTPS, or a proxy saying so (the X-Forwarded-Proto header, read from the environ)
        secure = req.is_secure or req.environ.get("HTTP_X_FORWARDED_PROTO", "http") == "https"
        headers = self._headers.get(secure)
        if headers is None:
            probe = Response()
            before = set(probe.headers.keys())
            super()._set_response_headers(probe)
            headers = [(name, name.lower(), value) for name, value in probe.headers.items() if name not in before]
            self._headers[secure] = headers
        # As Talisman, a header the response already has is replaced and the others are added; setting each
        # one would look through every header of the response for it.
        present = {name.lower() for name, _ in response.headers}
        for name, lowered, value in headers:
            if lowered in present:
                response.headers[name] = value
            else:
                response.headers.add(name, value)
        return response
