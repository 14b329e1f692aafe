"""Exam managers annul a certificate (with a reason, audited): the holder's certificate page and the
public check then say it is annulled. The attempts page lists each attempt's certificate."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eduapp.domain.problems import InputError, Problem
from eduapp.domain.roles import Permission
from eduapp.i18n import message
from eduapp.security import client_ip, require
from eduapp.services import certificates
from eduapp.web.exam_admin import bp
from eduapp.web.exam_admin.forms import CertificateAnnulForm
from eduapp.web.helpers import flash_ok


@bp.route("/<id:exam_id>/certificates/<id:certificate_id>/annul", methods=["POST"])
@require(Permission.EXAMS_MANAGE)
def annul_certificate(exam_id: int, certificate_id: int):
    form = CertificateAnnulForm()
    back = redirect(url_for("exam_admin.attempts", exam_id=exam_id))
    if not form.validate_on_submit():
        for error in form.reason.errors:
            flash(error, "danger")
        return back
    try:
        done = certificates.annul(exam_id, certificate_id, current_user, form.reason.data, client_ip())
    except InputError as error:
        for problem in error.problems:
            flash(message(problem), "danger")
    except certificates.CertificateError as error:
        if error.status == 404:
            abort(404)
        flash(message(Problem(error.msgid, {})), "danger")
    else:
        flash_ok(_("Certificate %(n)s annulled.", n=done.number))
    return back
