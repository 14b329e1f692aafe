from flask import Blueprint

bp = Blueprint("offsets", __name__, url_prefix="/offsets")
