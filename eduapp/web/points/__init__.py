from flask import Blueprint

bp = Blueprint("points", __name__, url_prefix="/points")

from eduapp.web.points import routes  # noqa: E402,F401
