"""Changing my own password through the API (the web's /account/password), and what an account that must
change it first may reach.

An account created or reset with a first password (``User.must_change_password``) gets its token with
``"password_change_required": true`` (eduapp/api/auth.py); until it has set its own password, every
other endpoint answers 403 ``password_change_required`` (eduapp.security, as the pages redirect such an
account to the password form). The change follows the web form's rules (services.accounts.change_password:
the password policy and its list of common passwords), names the wrong field in a 422, and ends every
token and session of the account: the app then asks for a token with the new password.
"""

from __future__ import annotations

from flask import current_app, session
from flask_babel import gettext
from flask_login import current_user, login_user
from marshmallow import Schema, fields, validate

from eduapp.api.arguments import Blueprint
from eduapp.api.errors import ApiError, problems_error, responds
from eduapp.domain.problems import InputError
from eduapp.extensions import limiter
from eduapp.security import client_ip, signed_in
from eduapp.services import accounts, sessions

blp = Blueprint("api_password", __name__, url_prefix="/api/v1/me", description="My password")

# What an account that must change its password may still reach through the API (eduapp.security).
PASSWORD_CHANGE_ENDPOINTS = frozenset({"api_password.change_password", "api_auth.revoke"})


def password_change_required(endpoint: str):
    """Under /api/ (the gate eduapp.security runs before every request): an account with its first password
    reaches only the password change (and revoking its token) until it has set its own; anything else is
    403 password_change_required (docs/api.md)."""
    if endpoint in PASSWORD_CHANGE_ENDPOINTS:
        return None
    raise ApiError(403, "password_change_required", gettext(
        "Choose a new password first: send the current and the new one to POST /api/v1/me/password."))


class PasswordChangeIn(Schema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=256),
                                     metadata={"description": "the password the token was issued with"})
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=128),
                                 metadata={"description": "as the web form: the length of EDUAPP_PASSWORD_MIN_LENGTH, "
                                                          "not a common password, not the username, not the current "
                                                          "one"})


def _limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed(response) -> bool:
    return response.status_code != 204


@blp.route("/password", methods=["POST"])
@signed_in
# A wrong current password counts as a failed sign-in of the address (guessing with a stolen token).
@limiter.limit(_limit, deduct_when=_failed)
@blp.arguments(PasswordChangeIn)
@blp.response(204)
@responds(blp, 400, 401, 403, 422)
def change_password(args):
    """Set my own password. Every token and session of the account ends, this one too: ask for a new
    token with the new password. Errors name the field: ``current_password`` (not correct) or
    ``new_password`` (too short, too common, the username, unchanged)."""
    from eduapp.api.auth import bearer_token

    user = current_user._get_current_object()
    by_cookie = bearer_token() is None
    try:
        # The app's own page calling with its cookie keeps its session; a bearer token keeps nothing.
        accounts.change_password(user, args["current_password"], args["new_password"], client_ip(),
                                 keep_sid=session.get(sessions.COOKIE_KEY) if by_cookie else None)
    except InputError as error:
        raise problems_error(error)
    if by_cookie:
        login_user(user)  # the session token changed: keep this session signed in (as the web form)
