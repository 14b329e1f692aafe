"""Migrations: one head, and upgrading an empty database gives exactly the models (no drift).
The session's database was built by `upgrade()` in conftest, so these compare against it."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import Migrate

from eduapp.extensions import db


def _script(app):
    config = app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config)


def test_single_head(app, ctx):
    assert len(_script(app).get_heads()) == 1


def test_database_is_at_head(app, ctx):
    with db.engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_heads()
    assert set(current) == set(_script(app).get_heads())


def test_upgrade_gives_exactly_the_models(app, ctx):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_migrate_extension_points_at_the_committed_folder(app):
    assert isinstance(app.extensions["migrate"].migrate, Migrate)
    assert app.extensions["migrate"].directory.endswith("migrations")
