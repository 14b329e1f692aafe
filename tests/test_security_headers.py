import re

from eduapp.config import load_config
from tests import factories


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_and_no_external_assets(client, auth, ctx):
    org = factories.enterprise("甲企业", 1)
    from eduapp.domain.roles import Role

    factories.user("contact-a", org, Role.ENTERPRISE_CONTACT)
    auth.login("contact-a")
    for path in ("/login", "/", "/roster/", "/roster/new", "/roster/import", "/account/password"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path  # every script is a file
        assert not re.search(r"""(?:src|href)=["'](?:https?:)?//""", html), path  # nothing from another host
        assert " style=" not in html, path
        for asset in re.findall(r"""(?:src|href)=["'](/[^"']+\.(?:css|js|svg))""", html):
            assert client.get(asset).status_code == 200, asset


def test_session_cookie_flags(client, auth, ctx):
    factories.user("alice", factories.enterprise("甲企业", 1))
    response = auth.login("alice")
    cookie = next(v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in development


def test_session_cookie_is_secure_in_production(tmp_path):
    config = load_config(
        tmp_path,
        {
            "EDUAPP_ENV": "production",
            "EDUAPP_SECRET_KEY": "s" * 40,
            "EDUAPP_DATABASE_URL": "postgresql://db/x",
            "EDUAPP_REDIS_URL": "redis://r/0",
            "EDUAPP_AUDIT_KEY": "a" * 40,
        },
    )
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True


def test_signed_in_pages_and_api_answers_are_not_stored_but_static_assets_are_cached(client, auth, ctx):
    """Personal data must not stay in a browser's or a proxy's cache (个人信息保护法 §51; 等保 剩余信息保护)."""
    from eduapp.domain.roles import Role

    org = factories.enterprise("甲企业", 1)
    factories.user("contact-a", org, Role.ENTERPRISE_CONTACT)
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    auth.login("contact-a")
    for path in ("/", "/roster/", "/account/password"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    html = client.get("/").get_data(as_text=True)
    asset = re.findall(r"""(?:src|href)=["'](/static/[^"']+\.(?:css|js))""", html)[0]
    assert "no-store" not in client.get(asset).headers.get("Cache-Control", "")
    token = client.post("/api/v1/auth/token", json={"username": "contact-a", "password": "correct-horse-battery"})
    assert token.headers["Cache-Control"] == "no-store"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.json['token']}"})
    assert me.status_code == 200 and me.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/me").headers["Cache-Control"] == "no-store"  # even the 401


def test_the_kept_headers_are_talismans_own_over_http_and_https(app, client, monkeypatch):
    """eduapp.security_headers keeps the headers Talisman computes (issue 19): they must stay exactly
    Talisman's, per request, with HSTS only over HTTPS."""
    from flask_talisman import Talisman
    from werkzeug.wrappers import Response

    from eduapp.extensions import talisman

    monkeypatch.setattr(talisman, "strict_transport_security", True)  # as with EDUAPP_FORCE_HTTPS
    monkeypatch.setattr(talisman, "_headers", {})
    for path, base in (("/login", "http://localhost"), ("/api/v1/me", "https://localhost"),
                       ("/login", "https://localhost"), ("/api/v1/me", "http://localhost")):
        for _ in range(2):  # computed, then kept
            ours = client.get(path, base_url=base)
            with app.test_request_context(path, base_url=base):
                stock = Response()
                Talisman._set_response_headers(talisman, stock)
            expected = {name: value for name, value in stock.headers.items() if name != "Content-Type"}
            assert expected and {name: ours.headers.get(name) for name in expected} == expected, (path, base)
            assert ("Strict-Transport-Security" in ours.headers) == base.startswith("https"), (path, base)


def test_a_kept_header_replaces_the_responses_own_and_a_proxys_https_counts(app, monkeypatch):
    from werkzeug.wrappers import Response

    from eduapp.extensions import talisman

    monkeypatch.setattr(talisman, "strict_transport_security", True)
    monkeypatch.setattr(talisman, "_headers", {})
    with app.test_request_context("/api/v1/me"):
        response = Response(headers={"X-Frame-Options": "ALLOWALL", "X-Custom": "kept"})
        talisman._set_response_headers(response)
        assert response.headers.getlist("X-Frame-Options") == ["DENY"]  # replaced, not added beside it
        assert response.headers["X-Custom"] == "kept" and "Strict-Transport-Security" not in response.headers
    with app.test_request_context("/api/v1/me", headers={"X-Forwarded-Proto": "https"}):
        response = talisman._set_response_headers(Response())
        assert "Strict-Transport-Security" in response.headers  # as Talisman: the proxy says HTTPS
