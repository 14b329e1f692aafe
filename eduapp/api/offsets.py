"""Penalty cases and offset applications (being written)."""

from flask_smorest import Blueprint

blp = Blueprint("api_offsets", __name__, url_prefix="/api/v1", description="Penalty cases and fine offsets")
