"""My results and certificates: every attempt of the learner, the newest first, with links back to its
result and, for a passing attempt of an exam that gives one, to its certificate (number and QR code of
the public check)."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from eduapp.domain.roles import Permission
from eduapp.security import require
from eduapp.services import attempts, certificates
from eduapp.web.exams import bp
from eduapp.web.helpers import Paged, whole_number

PER_PAGE = 20


@bp.route("/results")
@require(Permission.STUDY)
def results():
    page = max(whole_number(request.args.get("page"), 100000) or 1, 1)
    rows, total = certificates.my_attempts(current_user, page, PER_PAGE)
    return render_template("exams/results.html", page=Paged(rows, total, page, PER_PAGE))


@bp.route("/attempts/<id:attempt_id>/certificate")
@require(Permission.STUDY)
def certificate(attempt_id: int):
    attempt = attempts.for_user(current_user, attempt_id)
    if attempt is None:
        abort(404)
    found = certificates.ensure(attempt)
    if found is None:
        abort(404)
    return render_template("exams/certificate.html", attempt=attempt, exam=attempt.exam, user=current_user,
                           certificate=found, verify_url=certificates.verify_url(found),
                           qr=certificates.qr_svg(found))
