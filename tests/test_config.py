import pytest

from eduapp import create_app
from eduapp.config import ConfigError, load_config


def test_embedded_default_is_sqlite_in_instance_with_eager_tasks(tmp_path):
    config = load_config(tmp_path, {})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'eduapp.db'}"
    assert config["CELERY"]["task_always_eager"] is True
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["SESSION_COOKIE_SECURE"] is False
    # the development key is generated once and kept
    assert load_config(tmp_path, {})["SECRET_KEY"] == config["SECRET_KEY"]


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {
        "EDUAPP_ENV": "production",
        "EDUAPP_DATABASE_URL": "postgresql://db/eduapp",
        "EDUAPP_REDIS_URL": "redis://r:6379/0",
    }
    with pytest.raises(ConfigError, match="EDUAPP_SECRET_KEY"):
        load_config(tmp_path, env)
    with pytest.raises(ConfigError, match="EDUAPP_SECRET_KEY"):
        create_app(env)


def test_production_settings(tmp_path):
    env = {
        "EDUAPP_ENV": "production",
        "EDUAPP_SECRET_KEY": "s" * 40,
        "EDUAPP_DATABASE_URL": "postgresql://u@db:5432/eduapp",
        "EDUAPP_REDIS_URL": "redis://r:6379/0",
        "EDUAPP_AUDIT_KEY": "a" * 40,
    }
    config = load_config(tmp_path, env)
    assert config["AUDIT_KEY"] == "a" * 40 and config["AUDIT_KEY_IS_DEVELOPMENT"] is False
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db:5432/eduapp"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://r:6379/0"
    assert config["CELERY"]["broker_url"] == "redis://r:6379/0"
    assert config["CELERY"]["task_always_eager"] is False
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EDUAPP_ENV": "staging"}, "EDUAPP_ENV"),
        ({"EDUAPP_MAX_UPLOAD_MB": "ten"}, "EDUAPP_MAX_UPLOAD_MB"),
        ({"EDUAPP_FORCE_HTTPS": "maybe"}, "EDUAPP_FORCE_HTTPS"),
        ({"EDUAPP_ENV": "production", "EDUAPP_SECRET_KEY": "short"}, "at least 32"),
        ({"EDUAPP_ENV": "production", "EDUAPP_SECRET_KEY": "s" * 40}, "EDUAPP_DATABASE_URL"),
        ({"EDUAPP_EMAIL_RATE_LIMIT": "100 per second"}, "EDUAPP_EMAIL_RATE_LIMIT"),
        ({"EDUAPP_SMS_RATE_LIMIT": "0/s"}, "EDUAPP_SMS_RATE_LIMIT"),
        ({"EDUAPP_REMINDER_SEND_BATCH": "0"}, "EDUAPP_REMINDER_SEND_BATCH"),
        ({"EDUAPP_AUDIT_KEY": "short"}, "EDUAPP_AUDIT_KEY must be at least 32"),
        ({"EDUAPP_AUDIT_ALGORITHM": "sha1"}, "EDUAPP_AUDIT_ALGORITHM"),
        ({"EDUAPP_AUDIT_ANCHOR_FILE": "/no/such/dir/anchors.jsonl"}, "EDUAPP_AUDIT_ANCHOR_FILE"),
    ],
)
def test_bad_settings_name_the_variable(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path, env)


def test_production_refuses_to_start_without_an_audit_key(tmp_path):
    env = {"EDUAPP_ENV": "production", "EDUAPP_SECRET_KEY": "s" * 40, "EDUAPP_DATABASE_URL": "postgresql://db/e",
           "EDUAPP_REDIS_URL": "redis://r:6379/0"}
    with pytest.raises(ConfigError, match="EDUAPP_AUDIT_KEY is required in production"):
        load_config(tmp_path, env)


def test_embedded_default_chains_with_the_published_development_key_and_says_so(tmp_path):
    config = load_config(tmp_path, {})
    assert config["AUDIT_KEY_IS_DEVELOPMENT"] is True and config["AUDIT_ALGORITHM"] == "hmac-sha256"
    assert config["AUDIT_ANCHOR_FILE"] == str(tmp_path / "audit-anchors.jsonl")


def test_prepared_statements_can_be_turned_off_for_an_old_transaction_pooler(tmp_path):
    env = {"EDUAPP_DATABASE_URL": "postgresql://u@db:5432/eduapp"}
    assert "connect_args" not in load_config(tmp_path, env)["SQLALCHEMY_ENGINE_OPTIONS"]  # psycopg prepares
    off = load_config(tmp_path, {**env, "EDUAPP_DATABASE_PREPARED_STATEMENTS": "false"})
    assert off["SQLALCHEMY_ENGINE_OPTIONS"] == {"connect_args": {"prepare_threshold": None}}


@pytest.mark.postgres
def test_without_prepared_statements_psycopg_never_prepares(tmp_path):
    """pgbouncer < 1.21 in transaction mode loses psycopg's prepared statements between transactions
    ("prepared statement "_pg3_…" does not exist", found by bench/scaled_rig.py): with the setting off,
    a statement run many times on one connection is never prepared on the server."""
    from sqlalchemy import text

    from eduapp.extensions import db
    from tests.conftest import PG_URL

    app = create_app({"EDUAPP_DATABASE_URL": PG_URL, "EDUAPP_DATABASE_PREPARED_STATEMENTS": "false",
                      "EDUAPP_SECRET_KEY": "s" * 40, "EDUAPP_ENV": "testing"})
    with app.app_context(), db.engine.connect() as conn:
        for _ in range(10):
            conn.execute(text("SELECT 1")).scalar_one()
        assert conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one() == 0
    # the default prepares a statement after psycopg's threshold (5 runs)
    app = create_app({"EDUAPP_DATABASE_URL": PG_URL, "EDUAPP_SECRET_KEY": "s" * 40, "EDUAPP_ENV": "testing"})
    with app.app_context(), db.engine.connect() as conn:
        for _ in range(10):
            conn.execute(text("SELECT 1")).scalar_one()
        assert conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one() >= 1
