"""eduapp: legal education, study credit points and fine offsets for an ecology and environment bureau."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from eduapp.config import load_config

# python-docx (Word question banks) brings lxml, and openpyxl switches to lxml whenever it is installed.
# Keep openpyxl on its standard-library XML path, the one the workbook limits (domain/workbooks.py) and
# safe cells (domain/safe_cells.py) are written and tested against: lxml writes a "\r" in a cell
# unescaped, so it would read back as "\n". Set before anything imports openpyxl (all imports are lazy).
os.environ.setdefault("OPENPYXL_LXML", "False")


class EduApp(Flask):
    """Flask, deciding once per function whether it needs running as a coroutine.

    Flask asks ``inspect.iscoroutinefunction`` about every before- and after-request hook, teardown and
    view on every request (``ensure_sync``): about 90 calls per API request with eduapp's 17 hooks, a
    fortieth of an autosave's Python work (issue 19). A function does not change between requests, so
    the answer is kept per function (``ensure_sync`` is the documented place to change it)."""

    _SYNC_CACHE_LIMIT = 4096  # hooks and views: a few hundred; a cap in case a caller passes new callables

    def ensure_sync(self, func):
        cache = self.__dict__.setdefault("_sync_functions", {})
        try:
            return cache[func]
        except KeyError:
            if len(cache) >= self._SYNC_CACHE_LIMIT:
                cache.clear()
            synced = cache[func] = super().ensure_sync(func)
            return synced
        except TypeError:  # an unhashable callable: asked every time, as Flask does
            return super().ensure_sync(func)


def create_app(config: dict | None = None) -> Flask:
    """Build the app. ``config`` (tests) overrides what the environment says."""
    app = EduApp(__name__, instance_relative_config=True)
    # JSON as UTF-8, not \u escapes: Chinese text is half the bytes (a 50-question paper sent to a phone
    # at the start of an exam is 41 KB instead of 71 KB). No page inlines JSON in a script (the CSP
    # forbids inline scripts), so nothing relies on the escapes.
    from eduapp import input_guard

    input_guard.init_app(app)  # the strict JSON provider, the <id:…> converter, the NUL/surrogate check
    app.json.ensure_ascii = False
    app.config.update(load_config(Path(app.instance_path), overrides_env(config)))
    if config:
        app.config.update({k: v for k, v in config.items() if not k.startswith("EDUAPP_")})

    from eduapp.cookie_sessions import CookieSessions

    app.session_interface = CookieSessions()  # the signing serializer built once, not twice a request
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    apply_proxy_fix(app)
    from eduapp import request_time

    request_time.init_app(app)  # outermost: the time the request reached the app (eduapp/request_time.py)
    return app


def apply_proxy_fix(app: Flask) -> None:
    """Behind EDUAPP_TRUSTED_PROXIES reverse proxies, the client's address (request.remote_addr, the
    rate limits' key, the audit trail's address) and scheme come from the X-Forwarded-For/-Proto the
    nearest proxies wrote; with 0 those headers are ignored, so a client cannot choose its address.
    The Host header is the proxy's to pass on (deploy/nginx-scaled.conf sets it): X-Forwarded-Host is
    never believed."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)


def overrides_env(config: dict | None):
    """EDUAPP_* keys in ``config`` act as environment variables layered over os.environ."""
    import os

    env = dict(os.environ)
    for key, value in (config or {}).items():
        if key.startswith("EDUAPP_"):
            env[key] = value
    return env


def register_extensions(app: Flask) -> None:
    from eduapp import security
    from eduapp.celery_app import celery_init_app
    from eduapp.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate
    from eduapp.i18n import select_locale
    from eduapp.stores import is_postgresql
    from eduapp.web import form_messages

    db.init_app(app)
    with app.app_context():
        if is_postgresql(db.engine):
            from eduapp.db_pool import ping_idle_connections

            ping_idle_connections(db.engine, app.config["DB_PING_AFTER_IDLE_SECONDS"])
    migrate.init_app(app, db, directory=str(migrations_directory(app.root_path)))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    form_messages.install(app)
    limiter.init_app(app)
    from eduapp.api import limits as api_limits

    api_limits.install(app)  # the API's own count, where Flask-Limiter's check runs
    bootstrap.init_app(app)
    security.init_app(app, login_manager)
    celery_init_app(app)


def migrations_directory(root_path: str) -> Path:
    """The Alembic scripts: inside the package when installed from a wheel (setup.py copies them there),
    the repository's migrations/ folder in a checkout or an editable install."""
    packaged = Path(root_path) / "migrations"
    return packaged if packaged.is_dir() else Path(root_path).parent / "migrations"


def register_blueprints(app: Flask) -> None:
    from eduapp.web import (
        admin,
        auth,
        case_studies,
        cases,
        certificates,
        exam_admin,
        exam_stats,
        exams,
        laws,
        main,
        offsets,
        orgs,
        points,
        practice,
        questions,
        register_template_context,
        reminders,
        roster,
        views,  # noqa: F401 (the pages' routes, on their blueprints before these are registered)
    )

    for module in (main, auth, roster, orgs, admin, questions, laws, exams, exam_admin, exam_stats, practice, cases,
                   points, offsets, reminders, certificates, case_studies):
        app.register_blueprint(module.bp)
    from eduapp.web import dashboard

    app.register_blueprint(dashboard.bp)
    register_template_context(app)
    from eduapp import security
    from eduapp.web.auth.two_factor import gate

    security.set_gate(app, security.SECOND_FACTOR, gate)  # two-factor before any page or API call

    from eduapp import api

    api.init_app(app)


def register_errorhandlers(app: Flask) -> None:
    from eduapp.web.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from eduapp.cli.commands import register

    register(app)
