"""Reading the app's pages as a browser would: their links and forms (tests/fuzz/test_web_fuzz.py and
tests/test_no_english.py), and signing in as a demo account."""

from __future__ import annotations

from html.parser import HTMLParser

from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from tests.conftest import CSRF_RE


class Forms(HTMLParser):
    """The links and forms of a page: each form's action, method and fields (name, type, a value it offers)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append({"action": a.get("action") or "", "method": (a.get("method") or "get").lower(),
                               "multipart": "multipart" in (a.get("enctype") or ""), "fields": []})
        elif self.forms and tag in ("input", "textarea", "select", "button") and a.get("name"):
            self.forms[-1]["fields"].append((a["name"], a.get("type") or tag, a.get("value") or ""))
            self._select = a["name"] if tag == "select" else None
        elif self.forms and tag == "option" and self._select and a.get("value"):
            self.forms[-1]["fields"].append((self._select, "option", a["value"]))


def parse(html: str) -> Forms:
    parser = Forms()
    parser.feed(html)
    return parser


def endpoint(adapter, path: str) -> str | None:
    """The GET route a path reaches, or None (static files, redirects, other methods, nothing)."""
    try:
        return adapter.match(path, method="GET")[0]
    except (HTTPException, RoutingException):
        return None


def sign_in(client, username: str, password: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    answer = client.post("/login", data={"username": username, "password": password,
                                         "csrf_token": CSRF_RE.search(page).group(1)})
    assert answer.status_code == 302, (username, answer.status_code)
