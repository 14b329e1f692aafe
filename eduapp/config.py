"""Settings from the environment (EDUAPP_*), read when the app is created, never at import time.

With nothing set, eduapp runs on an embedded default: a SQLite file under ``instance/``, Celery
tasks run in-process, rate limits kept in memory. Production sets EDUAPP_ENV=production,
EDUAPP_SECRET_KEY, EDUAPP_DATABASE_URL (PostgreSQL) and EDUAPP_REDIS_URL.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path

ENVIRONMENTS = ("development", "testing", "production")


class ConfigError(RuntimeError):
    """A setting is missing or malformed: the app refuses to start."""


def env_str(env: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    value = env.get(f"EDUAPP_{name}")
    if value is None or value.strip() == "":
        return default
    return value.strip()


def env_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env_str(env, name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"EDUAPP_{name} must be a whole number, got {raw!r}")


def import_max_unpacked_mb(env: Mapping[str, str]) -> int:
    """How many MB an uploaded XLSX may unpack to (checked before it is unpacked: upload bombs)."""
    value = env_int(env, "IMPORT_MAX_UNPACKED_MB", 100)
    if not 1 <= value <= 4096:
        raise ConfigError(f"EDUAPP_IMPORT_MAX_UNPACKED_MB must be from 1 to 4096 (MB), got {value}")
    return value


def env_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env_str(env, name)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"EDUAPP_{name} must be true or false, got {raw!r}")


MAX_PROXY_HOPS = 5


def trusted_proxies(env: Mapping[str, str]) -> int:
    """How many reverse proxies in front of the app to believe X-Forwarded-For/-Proto from (0: none)."""
    raw = env_str(env, "TRUSTED_PROXIES")
    hops = env_int(env, "TRUSTED_PROXIES", 0)
    if not 0 <= hops <= MAX_PROXY_HOPS:
        raise ConfigError(f"EDUAPP_TRUSTED_PROXIES must be a number of proxy hops from 0 to {MAX_PROXY_HOPS}, "
                          f"got {raw!r}")
    return hops


def rate_limit_setting(env: Mapping[str, str], name: str, default: str) -> str:
    """A Flask-Limiter limit such as "600 per minute" (several separated by ";"), checked at start."""
    from limits import parse_many

    value = env_str(env, name, default)
    try:
        parse_many(value)
    except ValueError:
        raise ConfigError(f"EDUAPP_{name} must be a rate limit like '600 per minute', got {value!r}")
    return value


def env_int_between(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = env_int(env, name, default)
    if not low <= value <= high:
        raise ConfigError(f"EDUAPP_{name} must be between {low} and {high}, got {value}")
    return value


def _password_min_length(env: Mapping[str, str]) -> int:
    """At least 10: the shipped common-password list (eduapp.domain.passwords) holds passwords from 10 on."""
    return env_int_between(env, "PASSWORD_MIN_LENGTH", 10, 10, 128)


def sign_in_settings(env: Mapping[str, str]) -> dict:
    """Failed sign-ins (eduapp.services.sign_in_guard): a captcha after so many per account or per
    address within the window; the hard per-address limit counts failed attempts only."""
    return {
        "LOGIN_RATE_LIMIT": rate_limit_setting(env, "LOGIN_RATE_LIMIT", "30 per minute"),
        "SIGNIN_CAPTCHA_AFTER": env_int_between(env, "SIGNIN_CAPTCHA_AFTER", 5, 1, 1000),
        "SIGNIN_ADDRESS_CAPTCHA_AFTER": env_int_between(env, "SIGNIN_ADDRESS_CAPTCHA_AFTER", 20, 1, 100000),
        "SIGNIN_FAILURE_WINDOW_MINUTES": env_int_between(env, "SIGNIN_FAILURE_WINDOW_MINUTES", 15, 1, 24 * 60),
    }


CELERY_RATE_RE = re.compile(r"^(\d+(?:\.\d+)?)/([smh])$")


def message_rate_setting(env: Mapping[str, str], name: str, default: str) -> str | None:
    """Messages per second, minute or hour ("100/s", "3000/m"); empty for none. Checked at start."""
    raw = env.get(f"EDUAPP_{name}", default).strip()
    if not raw:
        return None
    if not CELERY_RATE_RE.match(raw) or float(raw.split("/")[0]) <= 0:
        raise ConfigError(f"EDUAPP_{name} must be a rate like '100/s', '3000/m' or '50000/h' (empty for none), "
                          f"got {raw!r}")
    return raw


def task_rate(message_rate: str | None, batch: int) -> str | None:
    """The Celery rate limit of a task that sends up to ``batch`` messages, for ``message_rate`` messages."""
    if message_rate is None:
        return None
    count, unit = CELERY_RATE_RE.match(message_rate).groups()
    return f"{float(count) / batch:g}/{unit}"


def normalise_database_url(url: str) -> str:
    """Accept the usual postgres:// spellings and route them through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _development_secret(instance_path: Path) -> str:
    """A random key kept in instance/ so development sessions survive restarts."""
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


def reminder_channel_settings(env: Mapping[str, str]) -> dict:
    """E-mail and SMS settings for reminders (eduapp.channels). Without EDUAPP_SMTP_HOST e-mail goes
    to the console backend; SMS goes to the console unless EDUAPP_SMS_BACKEND=webhook."""
    from email.utils import parseaddr

    def seconds(name: str, default: float) -> float:
        raw = env_str(env, name)
        try:
            value = default if raw is None else float(raw)
        except ValueError:
            raise ConfigError(f"EDUAPP_{name} must be a number of seconds, got {raw!r}")
        if not 0 < value <= 300:
            raise ConfigError(f"EDUAPP_{name} must be between 0 and 300 seconds, got {raw!r}")
        return value

    smtp_host = env_str(env, "SMTP_HOST")
    smtp_ssl = env_bool(env, "SMTP_SSL", False)
    smtp_starttls = env_bool(env, "SMTP_STARTTLS", False)
    if smtp_ssl and smtp_starttls:
        raise ConfigError("EDUAPP_SMTP_SSL and EDUAPP_SMTP_STARTTLS exclude each other: set one of them")
    smtp_user, smtp_password = env_str(env, "SMTP_USER"), env_str(env, "SMTP_PASSWORD")
    if smtp_user and smtp_password is None:
        raise ConfigError("EDUAPP_SMTP_PASSWORD is required when EDUAPP_SMTP_USER is set")
    mail_from = env_str(env, "MAIL_FROM", "eduapp <noreply@eduapp.local>")
    if "@" not in parseaddr(mail_from)[1]:
        raise ConfigError(f"EDUAPP_MAIL_FROM must hold an e-mail address, got {mail_from!r}")

    sms_backend = env_str(env, "SMS_BACKEND", "console")
    if sms_backend not in ("console", "webhook"):
        raise ConfigError(f"EDUAPP_SMS_BACKEND must be console or webhook, got {sms_backend!r}")
    webhook_url = env_str(env, "SMS_WEBHOOK_URL")
    if sms_backend == "webhook" and webhook_url is None:
        raise ConfigError("EDUAPP_SMS_WEBHOOK_URL is required when EDUAPP_SMS_BACKEND=webhook")
    if webhook_url is not None and not webhook_url.startswith(("http://", "https://")):
        raise ConfigError(f"EDUAPP_SMS_WEBHOOK_URL must be an http:// or https:// URL, got {webhook_url!r}")

    return {
        "MAIL_BACKEND": "smtp" if smtp_host else "console",
        "SMTP_HOST": smtp_host,
        "SMTP_PORT": env_int(env, "SMTP_PORT", 465 if smtp_ssl else 25),
        "SMTP_USER": smtp_user,
        "SMTP_PASSWORD": smtp_password,
        "SMTP_STARTTLS": smtp_starttls,
        "SMTP_SSL": smtp_ssl,
        "SMTP_TIMEOUT": seconds("SMTP_TIMEOUT", 10),
        "MAIL_FROM": mail_from,
        "SMS_BACKEND": sms_backend,
        "SMS_WEBHOOK_URL": webhook_url,
        "SMS_WEBHOOK_TOKEN": env_str(env, "SMS_WEBHOOK_TOKEN"),
        "SMS_TIMEOUT": seconds("SMS_TIMEOUT", 10),
    }


def reminder_settings(env: Mapping[str, str]) -> dict:
    """When reminders fall due and how fast they go out (see docs/reminders.md)."""
    import json
    from datetime import time

    from eduapp.domain.reminders import DEFAULT_STUDY_TARGET_PERCENT, leads

    raw_leads = env_str(env, "REMINDER_LEADS")
    try:
        configured = json.loads(raw_leads) if raw_leads else {}
        if not isinstance(configured, dict):
            raise ValueError("it must be a JSON object of kind -> list of days")
        leads(configured)
    except ValueError as error:
        raise ConfigError(f"EDUAPP_REMINDER_LEADS: {error}")
    quiet = env_str(env, "SMS_QUIET_HOURS", "22:00-08:00")
    try:
        start, end = (time.fromisoformat(part.strip()) for part in quiet.split("-"))
    except ValueError:
        raise ConfigError(f"EDUAPP_SMS_QUIET_HOURS must look like 22:00-08:00, got {quiet!r}")
    target = env_int(env, "STUDY_TARGET_PERCENT", DEFAULT_STUDY_TARGET_PERCENT)
    if not 1 <= target <= 100:
        raise ConfigError(f"EDUAPP_STUDY_TARGET_PERCENT must be from 1 to 100, got {target}")
    batch = env_int(env, "REMINDER_SEND_BATCH", 20)
    if not 1 <= batch <= 500:
        raise ConfigError(f"EDUAPP_REMINDER_SEND_BATCH must be from 1 to 500, got {batch}")
    return {
        "REMINDER_LEADS": configured,
        "STUDY_TARGET_PERCENT": target,
        "SMS_QUIET_HOURS": (start, end),
        "SMS_SIGNATURE": env_str(env, "SMS_SIGNATURE", "生态环境学法"),
        "BASE_URL": env_str(env, "BASE_URL", "http://127.0.0.1:5000"),
        # Retries of transient failures: full-jitter exponential backoff from the base, up to the cap.
        "REMINDER_RETRY_BASE_SECONDS": env_int(env, "REMINDER_RETRY_BASE_SECONDS", 30),
        "REMINDER_RETRY_CAP_SECONDS": env_int(env, "REMINDER_RETRY_CAP_SECONDS", 3600),
        # Messages per worker and channel ("" for no limit), enforced as the Celery rate limit of each
        # channel's send task, which carries up to REMINDER_SEND_BATCH deliveries.
        "EMAIL_RATE_LIMIT": message_rate_setting(env, "EMAIL_RATE_LIMIT", "100/s"),
        "SMS_RATE_LIMIT": message_rate_setting(env, "SMS_RATE_LIMIT", "50/s"),
        "REMINDER_SEND_BATCH": batch,
    }


def _prepare_minutes(env: Mapping[str, str]) -> int:
    minutes = env_int(env, "EXAM_PREPARE_MINUTES", 30)
    if not 0 <= minutes <= 1440:
        raise ConfigError(f"EDUAPP_EXAM_PREPARE_MINUTES must be from 0 to 1440, got {minutes}")
    return minutes


def _session_idle_minutes(env: Mapping[str, str]) -> int:
    minutes = env_int(env, "SESSION_IDLE_MINUTES", 30)
    if not 0 <= minutes <= 1440:
        raise ConfigError(f"EDUAPP_SESSION_IDLE_MINUTES must be from 0 (off) to 1440, got {minutes}")
    return minutes


PRODUCTION_2FA_ROLES = ("sysadmin", "approver", "legal_reviewer", "case_officer")


def two_factor_roles(env: Mapping[str, str], production: bool) -> frozenset[str]:
    """EDUAPP_2FA_ROLES: the roles that must sign in with a second factor, comma-separated; an empty
    value switches two-factor off. Unset: the four bureau roles that decide in production, none elsewhere."""
    from eduapp.domain.roles import Role

    raw = env.get("EDUAPP_2FA_ROLES")
    if raw is None:
        return frozenset(PRODUCTION_2FA_ROLES) if production else frozenset()
    names = [n.strip() for n in raw.replace("，", ",").split(",") if n.strip()]
    known = {r.value for r in Role}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConfigError(f"EDUAPP_2FA_ROLES names unknown roles {', '.join(unknown)}; "
                          f"known: {', '.join(sorted(known))}")
    return frozenset(names)


# The embedded default and the tests chain the audit trail under this published key: it protects nothing
# (anyone can recompute the chain with it). Production refuses to start without EDUAPP_AUDIT_KEY.
DEVELOPMENT_AUDIT_KEY = "eduapp-development-audit-key-NOT-SECRET"


def audit_settings(env: Mapping[str, str], production: bool, instance_path: Path) -> dict:
    """The audit chain's key and algorithm (kept outside the database) and where anchors are appended
    (docs/security.md, section 8)."""
    from eduapp.domain.audit_chain import ALGORITHMS

    key = env_str(env, "AUDIT_KEY")
    if key is None:
        if production:
            raise ConfigError("EDUAPP_AUDIT_KEY is required in production (at least 32 characters, kept off the "
                              "database host): refusing to start without it")
        key = DEVELOPMENT_AUDIT_KEY
    elif len(key) < 32:
        raise ConfigError("EDUAPP_AUDIT_KEY must be at least 32 characters")
    algorithm = env_str(env, "AUDIT_ALGORITHM", "hmac-sha256").lower()
    if algorithm not in ALGORITHMS:
        raise ConfigError(f"EDUAPP_AUDIT_ALGORITHM must be one of {', '.join(ALGORITHMS)}, got {algorithm!r}")
    if algorithm == "hmac-sm3":
        try:
            import gmssl.sm3  # noqa: F401
        except ImportError:
            raise ConfigError("EDUAPP_AUDIT_ALGORITHM=hmac-sm3 needs the Python package gmssl (pip install gmssl)")
    anchor_file = env_str(env, "AUDIT_ANCHOR_FILE")
    if anchor_file is None:
        instance_path.mkdir(parents=True, exist_ok=True)
        anchor_file = str(instance_path / "audit-anchors.jsonl")
    if not Path(anchor_file).parent.is_dir():
        raise ConfigError(f"EDUAPP_AUDIT_ANCHOR_FILE must be in an existing directory, got {anchor_file!r}")
    return {
        "AUDIT_KEY": key,
        "AUDIT_KEY_IS_DEVELOPMENT": key == DEVELOPMENT_AUDIT_KEY,
        "AUDIT_ALGORITHM": algorithm,
        "AUDIT_ANCHOR_FILE": anchor_file,
    }


def load_config(instance_path: Path, env: Mapping[str, str] | None = None) -> dict:
    env = os.environ if env is None else env
    environment = env_str(env, "ENV", "development")
    if environment not in ENVIRONMENTS:
        raise ConfigError(f"EDUAPP_ENV must be one of {', '.join(ENVIRONMENTS)}, got {environment!r}")
    production = environment == "production"

    secret_key = env_str(env, "SECRET_KEY")
    if secret_key is None:
        if production:
            raise ConfigError("EDUAPP_SECRET_KEY is required in production: refusing to start without it")
        secret_key = _development_secret(instance_path)
    elif production and len(secret_key) < 32:
        raise ConfigError("EDUAPP_SECRET_KEY must be at least 32 characters in production")

    database_url = env_str(env, "DATABASE_URL")
    if database_url is None:
        if production:
            raise ConfigError("EDUAPP_DATABASE_URL is required in production (postgresql://…)")
        instance_path.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite:///{instance_path / 'eduapp.db'}"
    database_url = normalise_database_url(database_url)

    redis_url = env_str(env, "REDIS_URL")
    if production and redis_url is None:
        raise ConfigError("EDUAPP_REDIS_URL is required in production (redis://…)")

    # PostgreSQL: no pool_pre_ping; eduapp.db_pool pings only connections idle for this long.
    engine_options: dict = {}
    if database_url.startswith("sqlite"):
        engine_options = {"connect_args": {"timeout": 30}}
    elif not env_bool(env, "DATABASE_PREPARED_STATEMENTS", True):
        # Behind a transaction-mode pooler older than pgbouncer 1.21 (Debian 12 ships 1.18), a statement
        # psycopg prepared on one server connection is missing on the next: never prepare (docs/scaling.md).
        engine_options = {"connect_args": {"prepare_threshold": None}}

    return {
        "EDUAPP_ENV": environment,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "DB_PING_AFTER_IDLE_SECONDS": 1.0,
        "REDIS_URL": redis_url,
        # Sessions: HttpOnly and SameSite=Lax always, Secure whenever served over HTTPS (production).
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env_bool(env, "SECURE_COOKIES", production),
        "PERMANENT_SESSION_LIFETIME": env_int(env, "SESSION_HOURS", 8) * 3600,
        # Bureau roles are signed out after this many minutes without a request (0: never).
        "SESSION_IDLE_MINUTES": _session_idle_minutes(env),
        # Roles that must sign in with TOTP (docs/security.md §3).
        "TWO_FACTOR_ROLES": two_factor_roles(env, production),
        "FORCE_HTTPS": env_bool(env, "FORCE_HTTPS", False),
        # Rate limits (Flask-Limiter): Redis in production so every web instance shares them.
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        # Redis unreachable: count in this process's memory (a warning is logged) rather than answer 500,
        # and give up on Redis after 2 s instead of hanging the request (docs/security.md, item 5).
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2} if redis_url else {},
        # Behind a reverse proxy: the hops whose X-Forwarded-For/-Proto are believed (ProxyFix).
        "TRUSTED_PROXIES": trusted_proxies(env),
        # X-RateLimit-* on every answer cost a second Redis round trip per request (15 % of an autosave
        # on exam day): by default only a 429 carries them (eduapp/api/limits.py), with Retry-After.
        "RATELIMIT_HEADERS_ENABLED": env_bool(env, "API_RATE_LIMIT_HEADERS", False),
        # One Redis round trip to count a request (and one for the headers when they are on: the fixed
        # window needs two), and no burst of twice the limit across a window's edge.
        "RATELIMIT_STRATEGY": "sliding-window-counter",
        **sign_in_settings(env),
        # Every /api/v1 request, per signed-in person (else per address): see eduapp/api/limits.py.
        "API_RATE_LIMIT": rate_limit_setting(env, "API_RATE_LIMIT", "600 per minute"),
        # The public certificate check (/certificates/verify/<code>, GET /api/v1/certificates/<code>), per
        # address, every request counted: a check is a few a day, an enumeration thousands.
        "CERTIFICATE_RATE_LIMIT": rate_limit_setting(env, "CERTIFICATE_RATE_LIMIT", "30 per minute"),
        "API_TOKEN_HOURS": env_int(env, "API_TOKEN_HOURS", 12),
        # A bearer token's check is kept this many seconds per process (eduapp/services/token_cache.py):
        # revocation, a password change or a deactivation reaches other processes within it (0: no cache).
        "TOKEN_CACHE_SECONDS": env_int_between(env, "TOKEN_CACHE_SECONDS", 5, 0, 60),
        # An X-Request-Start older than this (or in the future) is ignored (eduapp/request_time.py).
        "REQUEST_START_MAX_AGE_SECONDS": env_int_between(env, "REQUEST_START_MAX_AGE_SECONDS", 120, 1, 600),
        # Exam papers are drawn this many minutes before the exam opens (0: only at the start).
        "EXAM_PREPARE_MINUTES": _prepare_minutes(env),
        # Celery: eager (in-process) unless a broker is configured.
        "CELERY": {
            "broker_url": redis_url or "memory://",
            "result_backend": redis_url,
            "task_always_eager": redis_url is None,
            "task_eager_propagates": True,
            "task_ignore_result": True,
            "timezone": "Asia/Shanghai",
            "enable_utc": True,
            # Every task is idempotent, so a message is acknowledged only once its task has run, and
            # one whose worker died is handed to another worker.
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            # Above the longest countdown a task is given (SMS deferred over quiet hours: 10 h), so
            # Redis does not hand a waiting message to a second worker.
            "broker_transport_options": {"visibility_timeout": 12 * 3600},
            "task_default_queue": env_str(env, "CELERY_QUEUE", "celery"),
        },
        # i18n: Chinese first, English available.
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": {"zh_Hans_CN": "简体中文", "en": "English"},
        # Uploads (roster, organisation, case register and question imports).
        "MAX_CONTENT_LENGTH": env_int(env, "MAX_UPLOAD_MB", 20) * 1024 * 1024,
        "IMPORT_MAX_ROWS": env_int(env, "IMPORT_MAX_ROWS", 20000),
        "IMPORT_MAX_UNPACKED_MB": import_max_unpacked_mb(env),
        "QUESTION_IMPORT_MAX_MB": env_int(env, "QUESTION_IMPORT_MAX_MB", 20),
        # Exam statistics: flags (过易/过难) and Cronbach's alpha only from this many attempts.
        "STATS_MIN_ATTEMPTS": env_int_between(env, "STATS_MIN_ATTEMPTS", 30, 1, 100_000),
        # Password hashing: argon2id, OWASP Password Storage Cheat Sheet profile (m=19 MiB, t=2, p=1).
        "ARGON2_TIME_COST": env_int(env, "ARGON2_TIME_COST", 2),
        "ARGON2_MEMORY_KIB": env_int(env, "ARGON2_MEMORY_KIB", 19456),
        "ARGON2_PARALLELISM": env_int(env, "ARGON2_PARALLELISM", 1),
        "PASSWORD_MIN_LENGTH": _password_min_length(env),
        "BOOTSTRAP_SERVE_LOCAL": True,
        "WTF_CSRF_TIME_LIMIT": None,
        # Reminder channels: e-mail (SMTP or console) and SMS (console or webhook), see docs/reminders.md.
        **reminder_channel_settings(env),
        **reminder_settings(env),
        **audit_settings(env, production, instance_path),
    }
