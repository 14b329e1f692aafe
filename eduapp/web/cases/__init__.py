from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases")

from eduapp.web.cases import non_penalty, routes  # noqa: E402,F401
