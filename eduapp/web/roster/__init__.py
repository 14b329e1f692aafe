from flask import Blueprint

bp = Blueprint("roster", __name__, url_prefix="/roster")
