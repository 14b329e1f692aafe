from flask import Blueprint

bp = Blueprint("exams", __name__, url_prefix="/exams")

from eduapp.web.exams import history, routes  # noqa: E402,F401
