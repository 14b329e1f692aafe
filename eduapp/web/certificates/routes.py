"""The public certificate check: anyone (an employer, an inspector) scans the QR code of a printed
certificate and sees whether it is valid, without signing in. It shows only what
eduapp.domain.certificates.PublicView holds, and is rate-limited per address
(EDUAPP_CERTIFICATE_RATE_LIMIT) so that codes cannot be enumerated."""

from __future__ import annotations

from flask import current_app, render_template

from eduapp.extensions import limiter
from eduapp.security import client_ip, public
from eduapp.services import certificates
from eduapp.web.certificates import bp


def certificate_limit() -> str:
    return current_app.config["CERTIFICATE_RATE_LIMIT"]


# One budget per address for the page and GET /api/v1/certificates/<code> together.
CHECK_LIMIT = limiter.shared_limit(certificate_limit, scope="certificate-check", key_func=lambda: client_ip() or "")


@bp.route("/verify/<code>")
@public
@CHECK_LIMIT
def verify(code: str):
    view = certificates.public_view(code[:64])
    if view is None:
        return render_template("certificates/unknown.html"), 404
    return render_template("certificates/verify.html", view=view)
