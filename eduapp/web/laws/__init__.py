from flask import Blueprint

bp = Blueprint("laws", __name__, url_prefix="/laws")

from eduapp.web.laws import amendments, routes  # noqa: E402,F401
