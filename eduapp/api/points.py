"""Study points: my balance and ledger, and an enterprise contact's pool. Points are whole numbers;
times are ISO 8601 in UTC."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext
from flask_login import current_user
from marshmallow import Schema, fields, validate

from eduapp.api.arguments import Blueprint
from eduapp.domain.points import SYSTEM_REASONS
from eduapp.domain.roles import Permission
from eduapp.security import require
from eduapp.services import points

blp = Blueprint("api_points", __name__, url_prefix="/api/v1", description="Study points and the ledger")


class PointsOut(Schema):
    available = fields.Integer(metadata={"description": "points that can be spent now"})
    reserved = fields.Integer(metadata={"description": "points held for offset applications under review"})
    expiring_30d = fields.Integer(metadata={"description": "of the available points, those expiring within 30 days"})


class EnterprisePointsOut(PointsOut):
    enterprise_id = fields.Integer()
    enterprise_name = fields.String()


class LedgerArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class EntryOut(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "award | reserve | post | void | expire | adjust | reverse"})
    amount = fields.Integer(metadata={"description": "the change to the available points (post: 0, the reserved "
                                                     "points are spent)"})
    reason = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(allow_none=True, metadata={"description": "when the points of an award expire"})


class LedgerOut(Schema):
    items = fields.List(fields.Nested(EntryOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


def reason_text(reason: str) -> str:
    """The reasons the system writes are message ids, shown in the reader's language; an
    administrator's reason is shown as written."""
    return gettext(reason) if reason in SYSTEM_REASONS else reason


def _balance(account) -> dict:
    return points.balance(account)._asdict()


@blp.route("/me/points")
@require(Permission.STUDY)
@blp.response(200, PointsOut)
def my_points():
    """My study points: available, reserved and expiring within 30 days."""
    return _balance(points.person_account(current_user, create=False))


@blp.route("/me/ledger")
@require(Permission.STUDY)
@blp.arguments(LedgerArgs, location="query")
@blp.response(200, LedgerOut)
def my_ledger(args):
    """My ledger, newest first (``per_page`` at most 100)."""
    page = points.ledger(points.person_account(current_user, create=False), args["page"], args["per_page"])
    items = [{"id": e.id, "kind": e.kind, "amount": e.amount, "reason": reason_text(e.reason),
              "created_at": e.created_at, "expires_at": e.expires_at} for e in page.items]
    return {"items": items, "total": page.total, "page": page.page, "per_page": page.per_page}


@blp.route("/enterprise/points")
@require(Permission.ROSTER_MANAGE)
@blp.response(200, EnterprisePointsOut)
def enterprise_points():
    """For enterprise contacts: their enterprise's pool (staff points flow into it)."""
    organisation = current_user.organisation
    if not organisation.is_enterprise:
        abort(403)
    return {**_balance(points.pool_account(organisation, create=False)), "enterprise_id": organisation.id,
            "enterprise_name": organisation.name}
