from flask import Blueprint

bp = Blueprint("case_studies", __name__, url_prefix="/case-studies")

from eduapp.web.case_studies import routes  # noqa: E402,F401
