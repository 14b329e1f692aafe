"""Certificates: my certificates (GET /me/certificates), the certificate of each attempt in
GET /me/attempts (eduapp.api.learning uses ``certificate_out``), and the public check of a
verification code (GET /certificates/{code}: no sign-in, the same few fields as the public page,
rate-limited per address by EDUAPP_CERTIFICATE_RATE_LIMIT on top of the API's limit)."""

from __future__ import annotations

from flask_babel import gettext
from flask_login import current_user
from marshmallow import Schema, fields

from eduapp.api.arguments import Blueprint
from eduapp.api.common import PageArgs, page_out, page_schema
from eduapp.api.errors import ApiError, responds
from eduapp.domain import certificates as rules
from eduapp.domain.roles import Permission
from eduapp.rate_limits import CHECK_LIMIT
from eduapp.security import public, require
from eduapp.services import certificates

blp = Blueprint("api_certificates", __name__, url_prefix="/api/v1",
                description="My certificates and the public check of a certificate")


class CertificateOut(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True, metadata={"description": "ZS-<year>-<serial>, e.g. ZS-2026-000123"})
    attempt_id = fields.Integer(required=True)
    exam_id = fields.Integer(required=True)
    exam_title = fields.String(required=True)
    issued_at = fields.DateTime(required=True)
    status = fields.String(required=True, metadata={"description": "valid | annulled"})
    annulled_at = fields.DateTime(allow_none=True, required=True)
    verify_url = fields.String(required=True, metadata={"description": "the public check the QR code points to"})


class PublicCertificateOut(Schema):
    number = fields.String(required=True)
    holder = fields.String(required=True, metadata={"description": "the holder's name, masked (张*丰)"})
    exam = fields.String(required=True)
    issued_on = fields.Date(required=True, metadata={"description": "China time"})
    status = fields.String(required=True, metadata={"description": "valid | annulled"})
    annulled_on = fields.Date(allow_none=True, required=True)


CertificatePage = page_schema("CertificatePage", CertificateOut)


def certificate_out(certificate, exam_title: str) -> dict:
    return {
        "id": certificate.id, "number": certificate.number, "attempt_id": certificate.attempt_id,
        "exam_id": certificate.exam_id, "exam_title": exam_title, "issued_at": certificate.issued_at,
        "status": rules.status(certificate.annulled_at), "annulled_at": certificate.annulled_at,
        "verify_url": certificates.verify_url(certificate),
    }


@blp.route("/me/certificates")
@require(Permission.STUDY)
@blp.arguments(PageArgs, location="query")
@blp.response(200, CertificatePage)
@responds(blp, 401, 403)
def my_certificates(args):
    """My certificates, the newest first, valid and annulled."""
    rows, total = certificates.of_user(current_user, args["page"], args["per_page"])
    return page_out([certificate_out(c, exam.title) for c, exam in rows], total, args)


@blp.route("/certificates/<string:code>")
@public
@CHECK_LIMIT
@blp.response(200, PublicCertificateOut, description="the certificate the code names, as the public page shows it")
@blp.doc(security=[])
@responds(blp, 404)
def check(code: str):
    """The public check of a certificate by the verification code of its QR code (no sign-in): the
    number, the holder's name masked, the exam, the date of issue and whether it is valid or annulled."""
    view = certificates.public_view(code[:64])
    if view is None:
        raise ApiError(404, "not_found", gettext("No certificate has this verification code."))
    return view.__dict__
