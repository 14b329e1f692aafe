"""/account/sessions: a user's own live sessions and API tokens, each of which they can end (issue 15, item 4)."""

from flask import abort, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from eduapp.security import signed_in
from eduapp.services import api_tokens, sessions
from eduapp.web.auth import bp
from eduapp.web.helpers import flash_ok

_MAX_ID = 2**31 - 1  # ids are 32-bit: a larger one names nothing (404, not a database error)


def _check_id(value: int) -> int:
    if value > _MAX_ID:
        abort(404)
    return value


@bp.route("/account/sessions")
@signed_in
def account_sessions():
    sid = session.get(sessions.COOKIE_KEY)
    rows = [(s, sessions.is_current(s, sid)) for s in sessions.active(current_user)]
    return render_template("auth/sessions.html", sessions=rows, tokens=api_tokens.active(current_user))


@bp.route("/account/sessions/<id:session_id>/end", methods=["POST"])
@signed_in
def end_session(session_id: int):
    sid = session.get(sessions.COOKIE_KEY)
    current = [s for s in sessions.active(current_user) if s.id == session_id and sessions.is_current(s, sid)]
    if not sessions.end(current_user, _check_id(session_id)):
        abort(404)
    if current:
        session.pop(sessions.COOKIE_KEY, None)
        logout_user()
        flash_ok(_("You have signed out."))
        return redirect(url_for("auth.login"))
    flash_ok(_("The session has been ended."))
    return redirect(url_for("auth.account_sessions"))


@bp.route("/account/tokens/<id:token_id>/revoke", methods=["POST"])
@signed_in
def revoke_token(token_id: int):
    if not api_tokens.revoke_by_id(current_user, _check_id(token_id)):
        abort(404)
    flash_ok(_("The API token has been revoked."))
    return redirect(url_for("auth.account_sessions"))
