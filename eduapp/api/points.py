"""Points and ledger endpoints (being written)."""

from flask_smorest import Blueprint

blp = Blueprint("api_points", __name__, url_prefix="/api/v1", description="Study points and the ledger")
