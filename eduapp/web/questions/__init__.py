from flask import Blueprint

bp = Blueprint("questions", __name__, url_prefix="/questions")

from eduapp.web.questions import coverage, routes  # noqa: E402,F401
