from flask import Blueprint

bp = Blueprint("orgs", __name__, url_prefix="/orgs")

from eduapp.web.orgs import routes  # noqa: E402,F401
