from flask import Blueprint

bp = Blueprint("exam_admin", __name__, url_prefix="/manage/exams")
