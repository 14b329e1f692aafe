from flask import Blueprint

bp = Blueprint("points", __name__, url_prefix="/points")

from eduapp.web.points import routes, trainings  # noqa: E402,F401
