"""The app both fuzz modules use (tests/fuzz): its own database (EDUAPP_TEST_DATABASE_URL, created when
missing and emptied; SQLite in a temporary folder without it) with the question bank and the demo loaded,
and the demo accounts of every role."""

from __future__ import annotations

import functools
from pathlib import Path

from tests.conftest import PG_URL, _reset_postgres, make_test_app

ROLES = ("demo-staff", "demo-contact", "demo-civil", "demo-editor", "demo-exam-manager", "demo-officer",
         "demo-reviewer", "demo-approver", "demo-admin")
PASSWORD = "fuzz-demo-password-2026"
ROOT = Path(__file__).resolve().parents[2]


def _create_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from eduapp.config import normalise_database_url

    target = make_url(normalise_database_url(url))
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": target.database}).scalar():
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()


def sibling_database(suffix: str) -> str:
    """On PostgreSQL, a database beside EDUAPP_TEST_DATABASE_URL's (named with `suffix`), for a module run in
    the suite's PostgreSQL pass: demo_app empties the database it is given. Without PostgreSQL, ""."""
    if not PG_URL:
        return ""
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL)
    return url.set(database=f"{url.database}_{suffix}").render_as_string(hide_password=False)


@functools.cache
def demo_app(pg_url: str = PG_URL):
    """Its own database with the question bank and the demo, built once and shared by both fuzz modules
    (and tests/test_no_english.py, on a database of its own: `pg_url`)."""
    import tempfile

    from flask_migrate import upgrade

    from eduapp import demo
    from eduapp.services.question_import import import_files

    if pg_url:
        _create_database(pg_url)
        _reset_postgres(pg_url)
        url = pg_url
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='eduapp-fuzz-')}/fuzz.db"
    application = make_test_app(url, EDUAPP_LOGIN_RATE_LIMIT="100000 per minute")
    bank = ROOT / "question_bank"
    with application.app_context():
        upgrade()
        import_files([(str(p.relative_to(bank)), p.read_bytes()) for p in sorted(bank.rglob("*.yaml"))])
        demo.load(PASSWORD)
    return application
