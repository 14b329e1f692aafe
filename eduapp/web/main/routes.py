from flask import current_app, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import text

from eduapp.extensions import db
from eduapp.security import public, signed_in
from eduapp.web.helpers import safe_next
from eduapp.web.main import bp


@bp.route("/")
@signed_in
def index():
    return render_template("main/index.html", user=current_user)


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
