from flask import Blueprint

bp = Blueprint("exam_stats", __name__)
