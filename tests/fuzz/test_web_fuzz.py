"""Fuzzing the web pages (`make fuzz`, beside tests/fuzz/test_api_fuzz.py and on the same demo database).

As every demo role and anonymously: every GET route of the app's url_map (not /api/, which schemathesis
covers), its arguments filled with real ids found by following the links of the pages (a route no link
reaches gets id 1), with every query parameter it reads (its module's ``request.args.get("…")`` and the
named ``*_arg("…")`` helpers, and the fields of the GET forms on its page) set to hostile values; then
every form of every page reached, posted with the real CSRF token and each field filled with hostile
strings. Hostile values: NUL, unpaired surrogates (sent as their UTF-8-style bytes), 10⁶ characters,
integers beyond 64 bits, negative numbers, Unicode digits, impossible dates. Every response must be
below 500.

Bounded: values are sampled (seeded, so a run is repeatable), not combined, and each role has
EDUAPP_FUZZ_WEB_SECONDS (default 24) seconds: 20 % to follow links, 50 % for GETs (in a shuffled
order), 30 % for forms.
"""

from __future__ import annotations

import os
import random
import re
import time
from io import BytesIO
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

if os.environ.get("EDUAPP_FUZZ") != "1":
    pytest.skip("the web fuzzing runs with `make fuzz` (EDUAPP_FUZZ=1)", allow_module_level=True)

from tests.conftest import CSRF_RE  # noqa: E402
from tests.crawl import endpoint as _endpoint  # noqa: E402
from tests.crawl import parse as _parse  # noqa: E402
from tests.crawl import sign_in  # noqa: E402
from tests.fuzz.demo_app import PASSWORD, ROLES, demo_app  # noqa: E402

pytestmark = pytest.mark.fuzz

SECONDS = float(os.environ.get("EDUAPP_FUZZ_WEB_SECONDS", "24"))
LONG = "x" * 1_000_000  # ASCII: 1 MB, not 9 MB once percent-encoded
HOSTILE = ["\x00", "a\x00b", "\ud800", "x\udfffy", "9" * 20, "-99999999999999999999", "-1", "0", "²", "١٢",
           "1e309", "NaN", "2026-02-30", "99999-12-31", "' OR '1'='1", "<script>x</script>", "../../etc/passwd",
           "%00", " ", "\u202e", "🙂" * 50]
# Posting these would end the session or lock the demo account for the roles after it.
SKIP_POSTS = ("/logout", "/active", "/reset-password")
_PARAM_RE = re.compile(r"""(?:args|values)\.get(?:list)?\(\s*["'](\w+)["']|\b\w*_arg\(\s*["'](\w+)["']""")


def _encode(value: str) -> str:
    """Percent-encoding that also carries unpaired surrogates (as a client sending broken UTF-8 would)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _query(params: dict[str, str]) -> str:
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in params.items())


def _params_read(app) -> dict[str, set[str]]:
    """Endpoint → the query parameters its module reads."""
    found: dict[str, set[str]] = {}
    for endpoint, view in app.view_functions.items():
        module = getattr(view, "__module__", "") or ""
        path = Path(__import__(module, fromlist=["x"]).__file__) if module.startswith("eduapp.") else None
        text = path.read_text(encoding="utf-8") if path else ""
        found[endpoint] = {a or b for a, b in _PARAM_RE.findall(text)} | {"page", "q"}
    return found


class _Run:
    def __init__(self, app, username: str | None, seed: int):
        self.app, self.client = app, app.test_client()
        self.rng = random.Random(seed)
        self.deadline = 0.0
        self.failures: list[str] = []
        self.sent = 0
        self.pages: dict[str, str] = {}
        if username:
            sign_in(self.client, username, PASSWORD)

    def phase(self, share: float) -> None:
        self.deadline = time.monotonic() + SECONDS * share

    def out_of_time(self) -> bool:
        return time.monotonic() > self.deadline

    def send(self, method: str, url: str, **kwargs):
        response = self.client.open(url, method=method, **kwargs)
        self.sent += 1
        if response.status_code >= 500:
            self.failures.append(f"{response.status_code} {method} {url[:300]}")
        return response

    def crawl(self, limit: int = 120) -> None:
        """Follow the links from the home page: the real ids the routes are filled with."""
        pending, adapter, reached = ["/"], self.app.url_map.bind("localhost"), set()
        while pending and len(self.pages) < limit and not self.out_of_time():
            url = pending.pop(0)
            if url in self.pages:
                continue
            response = self.send("GET", url)
            html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            self.pages[url] = html
            for link in _parse(html).links:
                parts = urlsplit(link)
                if parts.netloc or not parts.path.startswith("/") or parts.path.startswith("/api/"):
                    continue
                if parts.path.endswith((".xlsx", ".pdf", ".csv")):
                    continue  # downloads are slow to build: the GETs below fetch each such route once
                endpoint = _endpoint(adapter, parts.path)
                if endpoint and endpoint not in reached:  # one URL of each route is enough
                    reached.add(endpoint)
                    pending.append(link)

    def route_urls(self) -> list[tuple[str, str]]:
        """(endpoint, URL) for every GET route: a crawled URL where one matched, else arguments of 1."""
        adapter, seen, urls = self.app.url_map.bind("localhost"), {}, []
        for url in self.pages:
            endpoint = _endpoint(adapter, urlsplit(url).path)
            if endpoint:
                seen.setdefault(endpoint, urlsplit(url).path)
        for rule in self.app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static")):
                continue
            if rule.endpoint in seen:
                urls.append((rule.endpoint, seen[rule.endpoint]))
            else:
                with self.app.test_request_context():
                    from flask import url_for

                    try:
                        urls.append((rule.endpoint, url_for(rule.endpoint, **{a: 1 for a in rule.arguments})))
                    except Exception:  # noqa: BLE001 (a string argument that is not a number)
                        urls.append((rule.endpoint, url_for(rule.endpoint, **{a: "x" for a in rule.arguments})))
        return urls

    def hostile(self) -> str:
        return LONG if self.rng.random() < 0.05 else self.rng.choice(HOSTILE)

    def fuzz_gets(self) -> None:
        params, routes = _params_read(self.app), self.route_urls()
        self.rng.shuffle(routes)  # when time runs out, each role has covered other routes
        for endpoint, path in routes:
            if self.out_of_time():
                return
            names = set(params.get(endpoint, ()))
            for form in _parse(self.pages.get(path, "")).forms:
                if form["method"] == "get":
                    names |= {name for name, _, _ in form["fields"]}
            self.send("GET", path)
            for name in sorted(names):  # a NUL in each parameter, then numbers beyond 64 bits and samples in all
                self.send("GET", f"{path}?{_query({name: 'a' + chr(0) + 'b'})}")
            self.send("GET", f"{path}?{_query(dict.fromkeys(names, '9' * 20))}")
            self.send("GET", f"{path}?{_query({name: self.hostile() for name in names})}")

    def fuzz_forms(self) -> None:
        for url, html in list(self.pages.items()):
            for form in _parse(html).forms:
                if self.out_of_time():
                    return
                action = form["action"] or urlsplit(url).path
                fields = {name for name, kind, _ in form["fields"] if name != "csrf_token"
                          and kind not in ("submit", "button", "hidden")}
                if form["method"] != "post" or not fields or action.endswith(SKIP_POSTS):
                    continue
                for nul in (True, False, False):  # NUL in every field once, then samples
                    self.post(url, action, form, nul)

    def post(self, page: str, action: str, form: dict, nul: bool) -> None:
        fresh = CSRF_RE.search(self.client.get(page).get_data(as_text=True))
        data: dict = {"csrf_token": fresh.group(1) if fresh else ""}
        for name, kind, value in form["fields"]:
            if name == "csrf_token":
                continue
            if kind == "file":
                data[name] = (BytesIO(self.hostile().encode("utf-8", "surrogatepass")), "x\x00.xlsx")
            elif kind in ("submit", "button") or (kind in ("hidden", "option") and self.rng.random() < 0.5):
                data[name] = value
            else:
                data[name] = "a\x00b" if nul else self.hostile()
        if form["multipart"]:
            clean = {k: v.replace("\ud800", "\x00").replace("\udfff", "\x00") if isinstance(v, str) else v
                     for k, v in data.items()}
            self.send("POST", action, data=clean, content_type="multipart/form-data")
        else:
            self.send("POST", action, data=_query(data), content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize("username", [None, *ROLES])
def test_no_page_answers_5xx_to_hostile_input(username):
    run = _Run(demo_app(), username, seed=sum(map(ord, username or "anonymous")))
    for share, step in ((0.2, run.crawl), (0.5, run.fuzz_gets), (0.3, run.fuzz_forms)):
        run.phase(share)
        step()
    print(f"{username or 'anonymous'}: {run.sent} requests, {len(run.pages)} pages followed")  # noqa: T201
    assert not run.failures, "\n".join(run.failures[:40])
