from flask import Blueprint

bp = Blueprint("auth", __name__)

from eduapp.web.auth import account_sessions, routes, two_factor  # noqa: E402,F401
