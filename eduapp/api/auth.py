"""Bearer tokens for the API, and CSRF for the app's own pages that call it with the session cookie."""

from __future__ import annotations

from flask import Flask, current_app, g, jsonify, request
from flask_babel import gettext
from marshmallow import Schema, fields, validate

from eduapp.api.arguments import Blueprint
from eduapp.api.errors import ErrorDetailSchema, responds
from eduapp.extensions import csrf, limiter
from eduapp.security import client_ip, public, signed_in

blp = Blueprint("api_auth", __name__, url_prefix="/api/v1/auth", description="Bearer tokens")

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _load_from_bearer(req):
    """Flask-Login's request loader: a valid bearer token signs the request in."""
    token = bearer_token()
    if token is None:
        return None
    from eduapp.services import api_tokens

    user = api_tokens.user_for(token)
    if user is not None:
        g.api_token = token
    return user


def init_auth(app: Flask) -> None:
    app.login_manager.request_loader(_load_from_bearer)

    @app.before_request
    def _csrf_for_cookie_writes():
        # Bearer requests cannot be forged by another site; cookie requests need the CSRF header.
        if (request.path.startswith("/api/") and request.method in WRITE_METHODS and bearer_token() is None
                and request.endpoint != "api_auth.token"):
            csrf.protect()


def _token_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


class TokenRequest(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))
    captcha_id = fields.String(validate=validate.Length(max=200), metadata={
        "description": "after captcha_required: the captcha_id of the challenge answered"})
    captcha = fields.String(validate=validate.Length(max=16), metadata={
        "description": "after captcha_required: the characters of the challenge's picture (case does not matter)"})
    otp = fields.String(validate=validate.Length(max=32), metadata={
        "description": "the six-digit code of the authenticator app, or a recovery code: required once the "
                       "account has two-factor sign-in (docs/security.md §3)"})


class TokenOut(Schema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)
    password_change_required = fields.Boolean(required=True, metadata={
        "description": "true: the account still has the first password it was given. The token then serves only "
                       "POST /api/v1/me/password (and DELETE /api/v1/auth/token); every other endpoint answers 403 "
                       "password_change_required. After the change, ask for a new token with the new password"})


class CaptchaChallengeOut(Schema):
    captcha_id = fields.String(required=True, metadata={"description": "send it back with the answer; "
                                                                       "valid for 5 minutes, once"})
    image = fields.String(required=True, metadata={"description": "the picture: a data: URL of a PNG"})


class TokenErrorDetail(ErrorDetailSchema):
    captcha = fields.Nested(CaptchaChallengeOut, metadata={
        "description": "with code captcha_required: a challenge to show; answer it in the next request"})


class TokenErrorOut(Schema):
    error = fields.Nested(TokenErrorDetail, required=True)


def _failed(response) -> bool:
    return response.status_code != 201


def _unauthorized(code: str, message: str, challenge: dict | None = None):
    error = {"code": code, "message": message}
    if challenge is not None:
        error["captcha"] = challenge
    response = jsonify({"error": error})
    response.status_code = 401
    return response


@blp.route("/token", methods=["POST"])
@public
# Per address, failed attempts only; per account a captcha after failures (eduapp.services.sign_in_guard).
@limiter.limit(_token_limit, deduct_when=_failed)
@blp.arguments(TokenRequest)
@blp.response(201, TokenOut)
@blp.alt_response(401, schema=TokenErrorOut, description="Wrong username or password (code unauthorized), "
                  "failures call for a captcha (code captcha_required, with a challenge under error.captcha): "
                  "send captcha_id and captcha with the next request; or the account signs in with two factors "
                  "and the code is missing or wrong (otp_required, otp_invalid)")
@responds(blp, 403)
def token(args):
    """Exchange a username and password (and ``otp``, the two-factor code, once the account has enrolled)
    for a bearer token (revoke it with DELETE). After 5 failed sign-ins on the account (or many from the
    address) within 15 minutes, a captcha is needed as well. An account with a first password gets a token
    with ``password_change_required``: it can only change the password (POST /api/v1/me/password)."""
    from eduapp.api.two_factor import check_code
    from eduapp.services import api_tokens, captcha, sign_in_guard

    outcome = sign_in_guard.sign_in(args["username"], args["password"], client_ip(), args.get("captcha_id"),
                                    args.get("captcha"))
    if outcome.captcha_required:
        return _unauthorized("captcha_required", gettext(
            "After several failed sign-ins a captcha is needed: send captcha_id and captcha (the characters of "
            "the picture) with the username and password."), captcha.new_challenge().as_dict())
    user = outcome.user
    if user is None:
        return _unauthorized("unauthorized", gettext("Wrong username or password, or the account is deactivated."))
    # A first password: the code is still asked for, enrolment comes after the change (as in the browser).
    check_code(user, args.get("otp"), client_ip(), enrolment=not user.must_change_password)
    value, expires_at = api_tokens.issue(user, current_app.config["API_TOKEN_HOURS"])
    return {"token": value, "expires_at": expires_at, "password_change_required": user.must_change_password}


@blp.route("/captcha", methods=["GET"])
@public
@blp.response(200, CaptchaChallengeOut)
@responds(blp)
def new_captcha():
    """A new captcha challenge for the token request (when the one given cannot be read)."""
    from flask import make_response

    from eduapp.services import captcha

    response = make_response(CaptchaChallengeOut().dump(captcha.new_challenge().as_dict()))
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/token", methods=["DELETE"])
@signed_in
@blp.response(204)
def revoke():
    """Revoke the bearer token this request carries."""
    from flask import abort

    from eduapp.services import api_tokens

    token = bearer_token()
    if token is None:
        abort(400)
    api_tokens.revoke(token)
