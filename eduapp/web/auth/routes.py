from flask import abort, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from eduapp.domain.problems import InputError
from eduapp.extensions import limiter
from eduapp.i18n import attach_problems
from eduapp.security import client_ip, public, signed_in
from eduapp.services import accounts, captcha, sessions, sign_in_guard
from eduapp.web.auth import bp, two_factor
from eduapp.web.auth.forms import ChangePasswordForm, LoginForm
from eduapp.web.helpers import flash_ok, safe_next


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@public
# Per address, failed attempts only; per account there is no hard limit but a captcha (sign_in_guard).
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    show_captcha = request.method == "GET" and sign_in_guard.needs_captcha("", client_ip())
    if form.validate_on_submit():
        outcome = sign_in_guard.sign_in(form.username.data, form.password.data, client_ip(),
                                        form.captcha_id.data, form.captcha.data)
        user = outcome.user
        show_captcha = outcome.captcha_required
        if outcome.captcha_failed:
            form.captcha.errors = [_("Type the characters of the picture: after several failed sign-ins the "
                                     "password alone is not enough.")]
        elif user is None:
            form.password.errors = [_("Wrong username or password, or the account is deactivated.")]
        else:
            if two_factor.code_needed(user):
                return two_factor.ask_for_code(user)
            two_factor.begin_session(user)  # a fresh session on sign-in (no fixation)
            if user.must_change_password:
                flash(_("Please choose a new password before you go on."), "warning")
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next(url_for("main.index")))
    elif request.method == "POST":
        show_captcha = sign_in_guard.needs_captcha(form.username.data or "", client_ip())
    form.captcha.data = ""
    form.captcha_id.data = captcha.new_id() if show_captcha else ""
    return render_template("auth/login.html", form=form), (200 if request.method == "GET" or not form.errors else 400)


@bp.route("/login/captcha/<captcha_id>.png")
@public
def captcha_image(captcha_id: str):
    """The picture of a sign-in challenge: once, while it lives, never cached."""
    png = captcha.image_once(captcha_id)
    if png is None:
        abort(404)
    response = make_response(png)
    response.headers["Content-Type"] = "image/png"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    accounts.record_logout(current_user, client_ip())
    sessions.end_current(session.pop(sessions.COOKIE_KEY, None))
    logout_user()
    flash_ok(_("You have signed out."))
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data, form.new_password.data, client_ip(),
                                     keep_sid=session.get(sessions.COOKIE_KEY))
        except InputError as err:
            attach_problems(form, err.problems)
        else:
            login_user(
                current_user._get_current_object()
            )  # the session token changed: keep this session, end the others
            flash_ok(_("Your password has been changed. Other devices have been signed out."))
            return redirect(url_for("main.index"))
    status = 400 if form.errors else 200
    return render_template("auth/change_password.html", form=form), status
