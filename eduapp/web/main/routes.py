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
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
