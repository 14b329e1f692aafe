from flask import Blueprint

bp = Blueprint("roster", __name__, url_prefix="/roster")

from eduapp.web.roster import routes  # noqa: E402,F401
