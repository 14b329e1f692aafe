from flask import Blueprint

bp = Blueprint("exam_admin", __name__, url_prefix="/manage/exams")

from eduapp.web.exam_admin import certificates, routes  # noqa: E402,F401
