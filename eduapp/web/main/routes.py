from flask import abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text

from eduapp.domain.offsets import yuan
from eduapp.domain.roles import Permission
from eduapp.extensions import db
from eduapp.models import utcnow
from eduapp.security import client_ip, public, require, signed_in
from eduapp.web.forms import ConfirmForm
from eduapp.web.helpers import flash_ok, safe_next
from eduapp.web.main import bp


@bp.route("/")
@signed_in
def index():
    """The 工作台: a panel for each kind of role the person holds (docs/workbench.md)."""
    from eduapp.domain.trainings import KIND_LABELS
    from eduapp.services import workbench
    from eduapp.web.exam_stats.labels import FLAG_LABELS
    from eduapp.web.workbench_labels import workbench_labels

    user = current_user._get_current_object()
    return render_template("main/index.html", user=user, panels=workbench.build(user, utcnow()), yuan=yuan,
                           flag_labels=FLAG_LABELS, labels=workbench_labels(), confirm=ConfirmForm(),
                           kind_labels=KIND_LABELS)


@bp.route("/workbench/verify-audit", methods=["POST"])
@require(Permission.AUDIT_VIEW)
def verify_audit():
    """Check the audit chain now (the administrator's button); the result is kept in the trail."""
    from eduapp.services import last_runs

    if not ConfirmForm().validate_on_submit():
        abort(400)
    result = last_runs.verify_and_record(current_user._get_current_object(), client_ip())
    if result["broken_record"] is None and result["reason"] is None:
        flash_ok(_("The audit chain is intact: %(n)s records checked.", n=result["checked"]))
    elif result["broken_record"] is not None:
        flash(_("The audit chain is broken at record #%(id)s.", id=result["broken_record"]), "danger")
    else:
        flash(_("The audit chain could not be checked: %(reason)s", reason=result["reason"]), "danger")
    return redirect(url_for("main.index"))


@bp.route("/lang/<code>")
@public
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(url_for("main.index")))


@bp.route("/healthz")
@public
def healthz():
    """Liveness: the process answers (and reaches its database). Redis is not asked: see /readyz."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/readyz")
@public
def readyz():
    """Readiness for a load balancer: 200 ``{"status": "ready", …}`` or 503 ``{"status": "unavailable",
    "down": ["redis"], "checks": {"database": "ok", "redis": "down"}}``."""
    from eduapp import readiness

    checks = readiness.check()
    down = sorted(part for part, state in checks.items() if state == "down")
    return {"status": "unavailable" if down else "ready", "down": down, "checks": checks}, (503 if down else 200)
