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


def test_0012_clears_an_unfounded_below_minimum_flag_with_a_chained_audit_record(tmp_path):
    """行政处罚法 §32(五): a rule set saved with allow_below_minimum and no provision of a 法律、法规 or 规章
    loses the flag when the migration runs, with an audit record the hash chain accepts."""
    from datetime import date

    from flask_migrate import upgrade
    from sqlalchemy import select

    from eduapp.models import AuditRecord, RuleSet
    from eduapp.services import audit
    from tests.conftest import make_test_app

    app = make_test_app(f"sqlite:///{tmp_path / 'before-0012.db'}")
    with app.app_context():
        upgrade(revision="0008")
        audit.record("before", actor=None)
        db.session.add(RuleSet(code="RS-001", version=1, name="规则", doc_number="示环规〔2025〕1号", authority="局",
                               effective_from=date(2025, 1, 1), status="active", legal_basis=[],
                               eligible_codes=["AIR-99-1"], excluded_codes=[], conditions={}, procedure={},
                               maths={"cap_percent": 100, "allow_below_minimum": True}))
        db.session.commit()
        upgrade()
        db.session.expire_all()
        row = db.session.execute(select(RuleSet)).scalar_one()
        assert row.maths["allow_below_minimum"] is False
        actions = db.session.execute(select(AuditRecord.action).order_by(AuditRecord.id)).scalars().all()
        assert actions == ["before", "rule_set.clear_below_minimum"]
        assert audit.verify() == (2, None)
        db.session.remove()
        db.engine.dispose()
