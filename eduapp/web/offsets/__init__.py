from flask import Blueprint

bp = Blueprint("offsets", __name__, url_prefix="/offsets")

from eduapp.web.offsets import non_penalty_lists, routes  # noqa: E402,F401
