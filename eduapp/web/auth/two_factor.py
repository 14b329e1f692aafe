"""Two-factor sign-in pages (issue 15, item 3): the code step after the password, enrolment with a QR code,
and the administrator's reset. The service is eduapp/services/two_factor.py."""

from __future__ import annotations

import time

from flask import Response, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from eduapp.domain.problems import InputError
from eduapp.domain.roles import Permission
from eduapp.extensions import db, limiter
from eduapp.i18n import attach_problems
from eduapp.models import User
from eduapp.security import client_ip, public, require, signed_in
from eduapp.services import sessions
from eduapp.services import two_factor as service
from eduapp.services.qr_codes import qr_svg
from eduapp.web.auth import bp
from eduapp.web.forms import ConfirmForm
from eduapp.web.helpers import flash_ok, one_or_404, safe_next

# A signed cookie key: the code step after a right password (user id, session token, when, next page).
PENDING = "2fa_pending"
# A signed cookie key: this session passed the second factor (set at sign-in with a code or at enrolment).
PASSED = "2fa"
PENDING_SECONDS = 300
# What an account that must enrol can reach until it has.
ENROLMENT_ENDPOINTS = frozenset({"auth.two_factor", "auth.two_factor_qr", "auth.logout", "main.set_language",
                                 "static", "bootstrap.static"})


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autocapitalize": "none"})


def _fresh_session() -> None:
    """Drop everything the cookie held but the language (no session fixation)."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def begin_session(user: User) -> None:
    """Sign ``user`` in on a fresh session (no fixation) with its server-side record."""
    _fresh_session()
    session.permanent = True
    login_user(user)
    session[sessions.COOKIE_KEY] = sessions.start(user, request.user_agent.string, client_ip())


def code_needed(user: User) -> bool:
    """After a right password: whether the sign-in needs the second step (the account has enrolled)."""
    return service.enrolled(user)


def ask_for_code(user: User):
    """Keep the half-done sign-in in the signed cookie and ask for the code."""
    _fresh_session()
    session[PENDING] = [user.id, user.session_token, int(time.time()), safe_next("")]
    return redirect(url_for("auth.two_factor_login"))


def gate():
    """The before-request check (eduapp.security): an account that must use two-factor reaches nothing
    but enrolment until this session has passed it. No database read: the flag is in the signed cookie."""
    from flask import g

    if g.get("api_token") and request.path.startswith("/api/"):
        return None  # a bearer token is issued only after the code (every API request of the exam day)
    if (session.get(PASSED) or not current_app.config["TWO_FACTOR_ROLES"] or request.endpoint in ENROLMENT_ENDPOINTS
            or not service.required(current_user)):
        return None
    if request.path.startswith("/api/"):
        abort(403)
    return redirect(url_for("auth.two_factor"))


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, list) or len(pending) != 4 or time.time() - pending[2] > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending[0])
    if user is None or not user.active or user.session_token != pending[1]:
        return None
    return user


def _wrong_code() -> str:
    return _("The code is not correct. Type the six digits your app shows now, or a recovery code.")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login/code", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def two_factor_login():
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if service.verify(user, form.code.data, client_ip()):
            target = session[PENDING][3]
            begin_session(user)
            session[PASSED] = True
            if user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(target or url_for("main.index"))
        form.code.errors = [_wrong_code()]
    return render_template("auth/two_factor_login.html", form=form), 400 if form.errors else 200


@bp.route("/account/two-factor", methods=["GET", "POST"])
@signed_in
def two_factor():
    form = CodeForm()
    user = current_user._get_current_object()
    if service.enrolled(user):
        if session.get(PASSED):
            return render_template("auth/two_factor.html", enrolled=True, left=service.recovery_codes_left(user))
        # Enrolled, but this session predates it (e.g. the role became one that must use it): the code.
        if form.validate_on_submit():
            if service.verify(user, form.code.data, client_ip()):
                session[PASSED] = True
                return redirect(url_for("main.index"))
            form.code.errors = [_wrong_code()]
        return render_template("auth/two_factor_login.html", form=form), 400 if form.errors else 200
    found = service.begin(user)
    if form.validate_on_submit():
        try:
            codes = service.confirm(user, form.code.data, client_ip())
        except InputError as err:
            attach_problems(form, err.problems)
        else:
            session[PASSED] = True
            return render_template("auth/two_factor.html", enrolled=True, codes=codes,
                                   left=len(codes))
    return render_template("auth/two_factor.html", enrolled=False, form=form, secret=found.secret,
                           required=service.required(user)), 400 if form.errors else 200


@bp.route("/account/two-factor/qr.svg")
@signed_in
def two_factor_qr():
    user = current_user._get_current_object()
    found = service.record(user)
    if found is None or found.confirmed_at is not None:
        abort(404)  # the secret is shown only while enrolling
    response = Response(qr_svg(service.provisioning_uri(user, found)), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/admin/users/<id:user_id>/two-factor/reset", methods=["POST"])
@require(Permission.USERS_MANAGE)
def reset_two_factor(user_id: int):
    from eduapp.services import tenancy

    user = one_or_404(tenancy.visible_users(current_user), User, user_id)
    if ConfirmForm().validate_on_submit():
        service.reset(current_user, user, client_ip())
        flash_ok(_("Two-factor sign-in of %(username)s has been reset: they enrol again at their next sign-in.",
                   username=user.username))
    return redirect(url_for("admin.users"))
