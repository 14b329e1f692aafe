"""The public certificate check: anyone (an employer, an inspector) scans the QR code of a printed
certificate and sees whether it is valid, without signing in. It shows only what
eduapp.domain.certificates.PublicView holds, and is rate-limited per address
(EDUAPP_CERTIFICATE_RATE_LIMIT) so that codes cannot be enumerated."""

from __future__ import annotations

from flask import render_template

from eduapp.rate_limits import CHECK_LIMIT  # one budget per address, shared with the API's check
from eduapp.security import public
from eduapp.services import certificates
from eduapp.web.certificates import bp


@bp.route("/verify/<code>")
@public
@CHECK_LIMIT
def verify(code: str):
    view = certificates.public_view(code[:64])
    if view is None:
        return render_template("certificates/unknown.html"), 404
    return render_template("certificates/verify.html", view=view)
