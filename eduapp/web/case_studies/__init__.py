from flask import Blueprint

bp = Blueprint("case_studies", __name__, url_prefix="/case-studies")
