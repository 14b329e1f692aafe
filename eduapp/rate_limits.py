"""Rate limits that pages and the API share (so neither imports the other for them)."""

from __future__ import annotations

from flask import current_app

from eduapp.extensions import limiter
from eduapp.security import client_ip


def certificate_limit() -> str:
    return current_app.config["CERTIFICATE_RATE_LIMIT"]


# The public certificate check: one budget per address for the page (/verify/<code>) and
# GET /api/v1/certificates/<code> together (EDUAPP_CERTIFICATE_RATE_LIMIT).
CHECK_LIMIT = limiter.shared_limit(certificate_limit, scope="certificate-check", key_func=lambda: client_ip() or "")
