"""Bearer tokens for the API, and CSRF for the app's own pages that call it with the session cookie."""

from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from eduapp.api.common import responds
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
    username = fields.String(required=True, validate=lambda s: 0 < len(s) <= 64)
    password = fields.String(required=True, validate=lambda s: 0 < len(s) <= 256)
    otp = fields.String(validate=lambda s: len(s) <= 32, metadata={
        "description": "the six-digit code of the authenticator app, or a recovery code: required once the "
                       "account has two-factor sign-in (docs/security.md §3)"})


class TokenOut(Schema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)


@blp.route("/token", methods=["POST"])
@public
@limiter.limit(_token_limit)
@blp.arguments(TokenRequest)
@blp.response(201, TokenOut)
@responds(blp, 401, 403)
def token(args):
    """Exchange a username and password (and ``otp``, the two-factor code, once the account has enrolled)
    for a bearer token (revoke it with DELETE)."""
    from flask import abort

    from eduapp.api.two_factor import check_code
    from eduapp.services import accounts, api_tokens

    user = accounts.authenticate(args["username"], args["password"], client_ip())
    if user is None or user.must_change_password:
        abort(401)
    check_code(user, args.get("otp"), client_ip())
    value, expires_at = api_tokens.issue(user, current_app.config["API_TOKEN_HOURS"])
    return {"token": value, "expires_at": expires_at}


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
