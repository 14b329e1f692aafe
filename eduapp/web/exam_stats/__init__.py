from flask import Blueprint

bp = Blueprint("exam_stats", __name__)

from eduapp.web.exam_stats import routes  # noqa: E402,F401
