"""Sign-in, access control and HTTP security headers.

Every view declares who may reach it with one of the decorators below; a view that declares nothing
is refused to anonymous users (deny by default), and a test checks that every route declares.
"""

from __future__ import annotations

from functools import wraps

from flask import Flask, abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user

from eduapp.domain.digits import is_digits
from eduapp.domain.roles import Permission
from eduapp.extensions import talisman

ACCESS_ATTR = "_eduapp_access"
PUBLIC = "public"
SIGNED_IN = "signed_in"

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

_STATIC_ENDPOINTS = ("static", "bootstrap.static")

# The checks of the layers above that run before every request once a user is signed in: the web's
# two-factor gate (eduapp.web.auth.two_factor.gate) and the API's password-change gate
# (eduapp.api.password.password_change_required). They install themselves with set_gate, so that this
# module imports neither pages nor API.
GATES = "eduapp.access_gates"
SECOND_FACTOR = "second_factor"
API_PASSWORD_CHANGE = "api_password_change"  # noqa: S105 (a gate's name, not a password)

# Endpoints a user who must change their password can still reach.
_PASSWORD_CHANGE_ALLOWED = {"auth.change_password", "auth.logout", "main.set_language", "static", "bootstrap.static"}


def _mark(view, access):
    setattr(view, ACCESS_ATTR, access)
    return view


def public(view):
    """Anyone, signed in or not (login page, language switch, health check)."""
    return _mark(view, PUBLIC)


def signed_in(view):
    """Any signed-in user (the before-request hook signs anonymous users in first); what they see
    is scoped to them by the view's queries."""
    return _mark(view, SIGNED_IN)


def require(*permissions: Permission):
    """A signed-in user holding any of ``permissions``; others get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not any(current_user.can(p) for p in permissions):
                abort(403)
            return view(*args, **kwargs)

        return _mark(wrapped, tuple(permissions))

    return decorator


def _load_user(token: str):
    """Flask-Login's user loader: the cookie's user, token and session id must name a live server-side
    session (eduapp/services/sessions.py), so a cookie copied before sign-out gets nothing after it."""
    from flask import flash, session
    from flask_babel import gettext

    from eduapp.services import sessions

    user_id, _, session_token = token.partition(":")
    if not is_digits(user_id) or not session_token or len(user_id) > 18:
        return None
    user, ended = sessions.load(int(user_id), session_token, session.get(sessions.COOKIE_KEY))
    if ended == sessions.IDLE:
        flash(gettext("You were signed out after a time without activity. Please sign in again."), "info")
    return user


def _enforce_access():
    endpoint = request.endpoint
    if endpoint is None:
        return None  # 404/405 follow
    if endpoint in _STATIC_ENDPOINTS:
        return None
    from flask import current_app

    view = current_app.view_functions.get(endpoint)
    access = getattr(view, ACCESS_ATTR, None)
    if access == PUBLIC:
        return None
    user = current_user._get_current_object()  # once: every request passes here
    if not user.is_authenticated:
        if request.path.startswith("/api/"):
            abort(401)
        return current_app.login_manager.unauthorized()
    gates = current_app.extensions.get(GATES, {})
    if user.must_change_password:
        if endpoint in _PASSWORD_CHANGE_ALLOWED:
            return None
        if request.path.startswith("/api/"):
            return gates[API_PASSWORD_CHANGE](endpoint)
        return redirect(url_for("auth.change_password"))
    return gates[SECOND_FACTOR]()


def set_gate(app: Flask, name: str, gate) -> None:
    """Install a before-request check of a layer above (SECOND_FACTOR, API_PASSWORD_CHANGE)."""
    app.extensions.setdefault(GATES, {})[name] = gate


def _no_store(response):
    """Signed-in pages and every API answer hold personal data: no browser, proxy or shared computer may
    keep a copy (Cache-Control: no-store). Static assets keep their caching."""
    req = request._get_current_object()  # noqa: SLF001 (once)
    if req.endpoint in _STATIC_ENDPOINTS:
        return response
    if req.path.startswith("/api/") or current_user.is_authenticated:
        headers = response.headers
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"  # HTTP/1.0 caches
    return response


def init_app(app: Flask, login_manager: LoginManager) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(_load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(_enforce_access)
    app.after_request(_no_store)
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        x_content_type_options=True,
        permissions_policy={"camera": "()", "microphone": "()", "geolocation": "()"},
    )


def client_ip() -> str | None:
    return request.remote_addr
