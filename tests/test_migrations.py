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


def _legacy_trail(count):
    """Records as the release before 0015 wrote them: chained with plain SHA-256, no key."""
    from datetime import UTC, datetime

    from eduapp.domain.audit_chain import GENESIS, legacy_record_hash

    prev, rows = GENESIS, []
    for i in range(count):
        at = datetime(2026, 1, 1, 8, i, tzinfo=UTC)
        summary = f'{{"i":{i}}}'
        new = legacy_record_hash(prev, at, None, "system", "legacy.event", None, None, summary, None)
        rows.append({"at": at, "actor_id": None, "actor": "system", "action": "legacy.event", "object_type": None,
                     "object_id": None, "summary": summary, "ip": None, "prev_hash": prev, "hash": new})
        prev = new
    return rows


def test_0015_rekeys_a_legacy_audit_trail_and_audits_the_rekeying(tmp_path):
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from eduapp.models import AuditRecord
    from eduapp.services import audit
    from tests.conftest import make_test_app

    app = make_test_app(f"sqlite:///{tmp_path / 'before-0015.db'}")
    with app.app_context():
        upgrade(revision="0012")
        legacy = _legacy_trail(3)
        db.session.execute(insert(AuditRecord.__table__), legacy)
        db.session.commit()
        assert audit.verify()[1] is not None  # unkeyed records do not pass the keyed check
        upgrade()
        db.session.expire_all()
        rows = db.session.execute(select(AuditRecord).order_by(AuditRecord.id)).scalars().all()
        assert [r.action for r in rows] == ["legacy.event"] * 3 + ["audit.rechain"]
        assert f'"old_head_hash":"{legacy[-1]["hash"]}"' in rows[-1].summary and '"records":3' in rows[-1].summary
        assert audit.verify() == (4, None)
        db.session.remove()
        db.engine.dispose()


def test_0015_refuses_to_rekey_a_broken_legacy_trail(tmp_path):
    import pytest
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from eduapp.domain.audit_chain import LegacyChainBroken
    from eduapp.models import AuditRecord
    from tests.conftest import make_test_app

    app = make_test_app(f"sqlite:///{tmp_path / 'broken-0015.db'}")
    with app.app_context():
        upgrade(revision="0012")
        legacy = _legacy_trail(3)
        legacy[1]["summary"] = '{"i":99}'  # edited without recomputing: re-keying would hide it
        db.session.execute(insert(AuditRecord.__table__), legacy)
        db.session.commit()
        with pytest.raises(LegacyChainBroken, match="#2"):
            upgrade()
        db.session.remove()
        db.engine.dispose()
