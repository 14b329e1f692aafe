"""No Docker engine runs here, so the compose file is checked as data: services, commands, health checks."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_services_and_images():
    services = _compose()["services"]
    assert set(services) >= {"postgres", "redis", "web", "worker", "beat"}
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    for name in ("web", "worker", "beat"):
        assert services[name]["build"] == "."


def test_commands():
    services = _compose()["services"]
    web = " ".join(services["web"]["command"])
    assert web.index("eduapp db upgrade") < web.index("gunicorn")
    assert "wsgi:app" in web
    assert services["worker"]["command"][:4] == ["celery", "-A", "make_celery", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "make_celery", "beat"]


def test_health_checks_and_dependencies():
    services = _compose()["services"]
    for name in ("postgres", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"], name
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["redis"]["condition"] == "service_healthy", name
    assert services["web"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])


def test_production_settings_and_volumes():
    compose = _compose()
    env = compose["services"]["web"]["environment"]
    assert env["EDUAPP_ENV"] == "production"
    assert env["EDUAPP_DATABASE_URL"].startswith("postgresql://")
    assert env["EDUAPP_REDIS_URL"].startswith("redis://redis:6379")
    assert "EDUAPP_SECRET_KEY" in env and ":?" in env["EDUAPP_SECRET_KEY"]  # refuses to start without it
    assert "EDUAPP_AUDIT_KEY" in env and ":?" in env["EDUAPP_AUDIT_KEY"]
    assert env["EDUAPP_AUDIT_ANCHOR_FILE"].startswith("/app/audit/")  # the auditanchors volume, not the database's
    assert "auditanchors:/app/audit" in compose["services"]["worker"]["volumes"]
    assert {"pgdata", "redisdata", "auditanchors"} <= set(compose["volumes"])
    assert any(v.startswith("pgdata:") for v in compose["services"]["postgres"]["volumes"])


def test_entry_points_exist():
    for name in ("wsgi.py", "make_celery.py", "Dockerfile"):
        assert (ROOT / name).is_file(), name


def test_scaled_profile_parses_and_keeps_one_scheduling_beat():
    services = _compose()["services"]
    scaled = {name for name, service in services.items() if "scaled" in service.get("profiles", ())}
    assert scaled == {"web2", "lb", "pgbouncer", "worker2", "beat-standby"}
    assert not any(services[name].get("profiles") for name in ("postgres", "redis", "web", "worker", "beat"))
    assert "wsgi:app" in " ".join(services["web2"]["command"])
    assert services["worker2"]["command"][:4] == ["celery", "-A", "make_celery", "worker"]
    # the standby is a second beat: it waits for the lock of eduapp/beat_lock.py (make_celery.py takes it)
    assert services["beat-standby"]["command"][:4] == ["celery", "-A", "make_celery", "beat"]
    assert "beat_lock.guard" in (ROOT / "make_celery.py").read_text(encoding="utf-8")
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    assert "${EDUAPP_DB_HOST:-postgres}" in services["web"]["environment"]["EDUAPP_DATABASE_URL"]
    config = services["lb"]["volumes"][0].split(":")[0]
    text = (ROOT / config).read_text(encoding="utf-8")
    assert "server web:8000" in text and "server web2:8000" in text
