from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

from eduapp.web.dashboard import routes  # noqa: E402,F401
