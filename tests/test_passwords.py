import re

import pytest

from eduapp.config import load_config
from eduapp.domain.passwords import password_problems


@pytest.fixture
def production_hasher(app, monkeypatch, tmp_path):
    """The app's hasher with the default (production) argon2 settings instead of the fast test ones."""
    defaults = load_config(tmp_path, {"EDUAPP_SECRET_KEY": "x" * 40})
    for key in ("ARGON2_TIME_COST", "ARGON2_MEMORY_KIB", "ARGON2_PARALLELISM"):
        monkeypatch.setitem(app.config, key, defaults[key])
    app.extensions.pop("eduapp.hasher", None)
    yield
    app.extensions.pop("eduapp.hasher", None)


def test_production_profile_hashes_with_argon2id_to_owasp_guidance(ctx, production_hasher):
    from eduapp.services.passwords import hash_password, verify_password

    hashed = hash_password("correct-horse-battery")
    match = re.match(r"^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$", hashed)
    assert match, hashed
    memory, time_cost, _ = map(int, match.groups())
    # OWASP Password Storage Cheat Sheet: m >= 19 MiB with t >= 2 (or more memory, fewer passes)
    assert memory >= 19456 and time_cost >= 2
    assert verify_password(hashed, "correct-horse-battery")
    assert not verify_password(hashed, "correct-horse-batterY")
    assert hash_password("correct-horse-battery") != hashed  # salted


@pytest.mark.parametrize(
    ("password", "username", "expected"),
    [
        ("correct-horse-battery", "alice", []),
        ("short", "alice", ["Use at least %(min)s characters."]),
        ("alice-is-my-name", "alice", ["The password must not contain the username."]),
        ("1234567890", "alice", ["This password is too easy to guess."]),
        ("aaaaaaaaaaaa", "alice", ["This password is too easy to guess."]),
        ("x" * 129, "alice", ["Use at most 128 characters.", "This password is too easy to guess."]),
    ],
)
def test_password_policy(password, username, expected):
    assert [p.msgid for p in password_problems(password, username, 10)] == expected
