"""Issue 15 item 2: failed sign-ins are counted per account and per address, on the form and the API;
after 5 failures on an account a captcha is needed instead of a hard lock, so the owner still signs in."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from eduapp.domain.sign_in import (
    CAPTCHA_ALPHABET,
    Thresholds,
    account_key,
    answer_matches,
    captcha_needed,
    captcha_text,
)
from eduapp.extensions import db
from eduapp.models import AuditRecord
from eduapp.services import captcha
from tests import factories
from tests.conftest import PASSWORD, csrf_token

TOKEN = "/api/v1/auth/token"
CAPTCHA_ID_RE = re.compile(r'name="captcha_id"[^>]*value="([^"]+)"')


def _alice():
    return factories.user("alice", factories.enterprise("甲企业", 1))


def _addr(i: int) -> dict:
    return {"REMOTE_ADDR": f"10.0.{i // 250}.{i % 250 + 1}"}


def _token(client, i: int, password: str, **extra):
    body = json.dumps({"username": "alice", "password": password, **extra})  # \u escapes: any text goes
    return client.post(TOKEN, data=body, content_type="application/json", environ_base=_addr(i))


def _form(client, i: int, username: str, password: str, **extra):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token, **extra},
                       environ_base=_addr(i))


# --- the rules -------------------------------------------------------------------------------------------


def test_thresholds_table():
    t = Thresholds(account=5, address=20)
    assert [captcha_needed(n, 0, t) for n in (0, 4, 5, 6)] == [False, False, True, True]
    assert [captcha_needed(0, n, t) for n in (19, 20)] == [False, True]


def test_captcha_text_and_answers():
    text = captcha_text(bytes(range(32)))
    assert len(text) == 5 and set(text) <= set(CAPTCHA_ALPHABET)
    assert answer_matches("AB3K7", " ab3k7 ") and answer_matches("AB3K7", "AB 3K7")
    assert not answer_matches("AB3K7", "AB3K8") and not answer_matches("AB3K7", "") and not answer_matches("AB3K7", None)
    assert not answer_matches("AB3K7", "\ud800")
    assert account_key("Alice ") == account_key("alice") != account_key("alice2")
    assert "alice" not in account_key("alice") and account_key("\ud800\x00")


# --- the API ---------------------------------------------------------------------------------------------


def test_api_100_guesses_from_10_addresses_meet_a_captcha_after_5(client, ctx):
    _alice()
    answers = [_token(client, i % 10, f"guess-number-{i:03d}") for i in range(100)]
    codes = [(r.status_code, r.get_json()["error"]["code"]) for r in answers]
    assert codes[:4] == [(401, "unauthorized")] * 4
    assert codes[4:] == [(401, "captcha_required")] * 96  # never a plain 401 again, never a 429 lock-out
    challenge = answers[-1].get_json()["error"]["captcha"]
    assert challenge["image"].startswith("data:image/png;base64,") and challenge["captcha_id"]


def test_api_owner_signs_in_with_the_captcha_answered(client, ctx):
    _alice()
    for i in range(6):
        last = _token(client, i, "wrong-password-x")
    challenge = last.get_json()["error"]["captcha"]
    # The right password alone, or with a wrong or missing captcha, is refused.
    assert _token(client, 50, PASSWORD).get_json()["error"]["code"] == "captcha_required"
    wrong = _token(client, 50, PASSWORD, captcha_id=challenge["captcha_id"], captcha="XXXXX")
    assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "captcha_required"
    fresh = client.get("/api/v1/auth/captcha")
    assert fresh.status_code == 200 and fresh.headers["Cache-Control"] == "no-store"
    captcha_id = fresh.get_json()["captcha_id"]
    answer = captcha.answer_for(captcha_id).lower()
    ok = _token(client, 50, PASSWORD, captcha_id=captcha_id, captcha=answer)
    assert ok.status_code == 201, ok.get_json()
    # Used once: the same answer again is refused; but a success reset the account's count.
    assert _token(client, 50, PASSWORD).status_code == 201
    reused = _token(client, 50, "wrong-password-x", captcha_id=captcha_id, captcha=answer)
    assert reused.get_json()["error"]["code"] == "unauthorized"


def test_api_hostile_captcha_fields_are_refused_not_errors(client, ctx):
    _alice()
    for i in range(5):
        _token(client, i, "wrong-password-x")
    for captcha_id, answer in (("x" * 200, "\x00"), ("€" * 10, "ABCDE")):
        answer_ = _token(client, 9, PASSWORD, captcha_id=captcha_id, captcha=answer)
        assert answer_.status_code == 401 and answer_.get_json()["error"]["code"] == "captcha_required"
    # an unpaired surrogate never reaches the captcha: the API's JSON reader refuses the body (item 7)
    surrogate = _token(client, 9, PASSWORD, captcha_id="\ud800", captcha="\ud800")
    assert surrogate.status_code == 400 and surrogate.get_json()["error"]["code"] == "bad_request"
    assert _token(client, 9, PASSWORD, captcha_id="x" * 201, captcha="ABCDE").status_code == 422
    assert _token(client, 9, "p" * 257).status_code == 422  # marshmallow 4 ignores validators returning False


def test_api_captcha_is_documented(client, ctx):
    doc = client.get("/api/v1/openapi.json").get_json()
    post = doc["paths"][TOKEN]["post"]
    assert "401" in post["responses"] and "429" in post["responses"]
    body = doc["components"]["schemas"]["TokenRequest"]["properties"]
    assert {"captcha_id", "captcha"} <= set(body)
    assert "200" in doc["paths"]["/api/v1/auth/captcha"]["get"]["responses"]


def test_api_per_address_count_asks_any_account_from_that_address(client, ctx):
    _alice()
    for i in range(20):  # a spray: one wrong password for each of 20 usernames, from one address
        client.post(TOKEN, json={"username": f"user{i}", "password": "Spring2026!"}, environ_base=_addr(7))
    from_there = _token(client, 7, PASSWORD)
    assert from_there.get_json()["error"]["code"] == "captcha_required"
    assert _token(client, 8, PASSWORD).status_code == 201  # the owner elsewhere is not affected


# --- the form --------------------------------------------------------------------------------------------


def test_form_asks_for_the_captcha_after_5_failures_from_any_address_and_the_owner_gets_in(client, ctx):
    _alice()
    pages = [_form(client, i, "alice", f"bad-password-{i}") for i in range(12)]
    assert [p.status_code for p in pages] == [400] * 12  # no 429: the owner is not locked out
    assert ['name="captcha"' in p.get_data(as_text=True) for p in pages] == [False] * 4 + [True] * 8
    # The right password without the captcha is refused.
    assert _form(client, 40, "alice", PASSWORD).status_code == 400
    refused = _form(client, 41, "alice", PASSWORD)
    captcha_id = CAPTCHA_ID_RE.search(refused.get_data(as_text=True)).group(1)
    image = client.get(f"/login/captcha/{captcha_id}.png")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    assert image.headers["Cache-Control"] == "no-store" and image.mimetype == "image/png"
    assert client.get(f"/login/captcha/{captcha_id}.png").status_code == 404  # shown once
    wrong = _form(client, 41, "alice", PASSWORD, captcha_id=captcha_id, captcha="22222")
    assert wrong.status_code == 400
    captcha_id = CAPTCHA_ID_RE.search(wrong.get_data(as_text=True)).group(1)
    ok = _form(client, 41, "alice", PASSWORD, captcha_id=captcha_id, captcha=captcha.answer_for(captcha_id))
    assert ok.status_code == 302
    failed = db.session.execute(select(AuditRecord).where(AuditRecord.action == "auth.login_failed")).scalars()
    reasons = [json.loads(r.summary).get("reason") for r in failed]
    assert "captcha" in reasons and "bad_credentials" in reasons


def test_form_per_address_limit_counts_failures_only(app, client, ctx, monkeypatch):
    _alice()
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    for _ in range(5):  # successful sign-ins do not use up the address's budget (an exam hall behind NAT)
        assert _form(client, 3, "alice", PASSWORD).status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    codes = [_form(client, 3, f"nobody{i}", "bad-password-x").status_code for i in range(4)]
    assert codes == [400, 400, 400, 429]
    assert _form(client, 4, "alice", PASSWORD).status_code == 302  # another address is not limited


def test_expired_or_forged_captcha_ids_are_refused(app, client, ctx):
    import time_machine

    assert client.get("/login/captcha/not-a-challenge.png").status_code == 404
    with time_machine.travel("2026-03-15 10:00 +0800", tick=False):
        captcha_id = captcha.new_id()
    with time_machine.travel("2026-03-15 10:06 +0800", tick=False):
        assert captcha.answer_for(captcha_id) is None
        assert client.get(f"/login/captcha/{captcha_id}.png").status_code == 404


def test_bad_settings_refuse_to_start_naming_the_setting(tmp_path):
    import pytest

    from eduapp.config import ConfigError, load_config

    for name, value in (("SIGNIN_CAPTCHA_AFTER", "0"), ("SIGNIN_ADDRESS_CAPTCHA_AFTER", "many"),
                        ("SIGNIN_FAILURE_WINDOW_MINUTES", "0"), ("LOGIN_RATE_LIMIT", "lots")):
        with pytest.raises(ConfigError, match=f"EDUAPP_{name}"):
            load_config(tmp_path, {f"EDUAPP_{name}": value})
