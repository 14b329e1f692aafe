"""No English on a Chinese page: as every demo role and anonymously, in zh_Hans_CN, follow every
same-site link (GET; each route with up to PER_ROUTE distinct URLs), post every form of every page once
with its fields empty or invalid (so that the validation messages, WTForms' built-in ones included,
appear), follow the redirect (so that flashed messages appear), and fail on any English sentence left
in the visible text.

Visible text: the text of the page outside <script>, <style> and code (<code>, <pre>: the audit trail's
raw records), plus the attributes a person reads or hears (placeholder, title, aria-label, alt, and the
value of input buttons). An English sentence is two or more ASCII words in a row, one of them all
lowercase ("Sign in", "Not a valid choice") or all of them capitalised ("Exam Management"), once the
tokens that are the same in Chinese are taken out: ALLOWED (the names of formats), user
names, e-mail addresses, URLs, file names, identifiers and codes such as AIR-99-1 or 91110000MA00000000.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import urlsplit

import pytest

from tests.conftest import CSRF_RE
from tests.crawl import endpoint, parse, sign_in
from tests.fuzz.demo_app import PASSWORD, ROLES, demo_app, sibling_database

PER_ROUTE = 2  # distinct URLs read of each route (e.g. two questions, two cases)
# Posting these would end the session or lock the demo account for the roles after it.
SKIP_POSTS = ("/logout", "/active", "/reset-password")

# Written the same in a Chinese text: names of formats and of the product, not sentences. Acronyms in
# capitals (PDF, QR, TOTP, USCC, ID, API) need no entry: by the module's rule they make no sentence.
ALLOWED = {
    "eduapp",  # the product's name
    "Moodle", "XML", "Aiken", "GIFT", "Excel", "Word", "YAML", "CSV", "xlsx", "csv",  # the question-file formats
}
# Tokens that are data, not words: user names (demo-staff), e-mail addresses, URLs, paths, codes with
# digits (AIR-99-1, 91110000MA00000000, GB 3095-2012), file names (docs/dashboard.md), identifiers
# (case.create, allow_below_minimum) and the commands of the operator's CLI quoted in a sentence.
_DATA = re.compile(r"""\S+@\S+|\b(?:https?|mailto)://\S+|(?<!\w)/[\w/.\-?=&%]*|\bdemo-[\w-]+|\b[\w.-]*\d[\w.-]*\b
                       |[\w./-]+\.(?:md|xlsx|csv|pdf|yaml|txt|xml|json|zip|docx?)\b|\b\w+(?:[._]\w+)+\b|“eduapp[^”]*”
                    """, re.X)
_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")
# Words apart by white space, with the punctuation of a sentence on either side of it.
_GAP = r"""[,.:;!?)"'’”]*\s+[("'“‘]*"""
_RUN = re.compile(rf"{_WORD.pattern}(?:{_GAP}{_WORD.pattern})+")


def english_sentences(text: str) -> list[str]:
    """The English sentences of a text (see the module's docstring)."""
    found = []
    for line in _DATA.sub("\x00", text).split("\n"):
        for run in _RUN.finditer(line):
            words = [w for w in _WORD.findall(run.group()) if w not in ALLOWED]
            if len(words) >= 2 and (any(w.islower() for w in words) or all(w.istitle() for w in words)):
                found.append(" ".join(run.group().split()))
    return found


class _Visible(HTMLParser):
    """The text a person sees or hears on a page, one line per block of text. Not read: scripts, styles,
    and code (<code>, <pre>, <kbd>, <samp>: the audit trail's raw records, commands)."""

    READ = ("placeholder", "title", "aria-label", "alt")
    SKIP = ("script", "style", "template", "code", "pre", "kbd", "samp")

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._hidden += 1
        a = dict(attrs)
        self.parts += [a[name] for name in self.READ if a.get(name)]
        if tag == "input" and a.get("type") in ("submit", "button", "reset") and a.get("value"):
            self.parts.append(a["value"])

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.parts)


def _invalid(kind: str):
    """A value the field refuses: empty, a word where a number, date or choice goes, a file no reader takes."""
    if kind == "file":
        return BytesIO(b"stem\x00"), "broken.csv"  # not text: each upload's own refusal
    return "x" if kind in ("number", "date", "datetime-local", "time", "email", "select", "option") else ""


class _Reader:
    def __init__(self, app, username: str | None):
        self.app, self.client, self.who = app, app.test_client(), username or "anonymous"
        self.pages: dict[str, str] = {}
        self.offending: dict[str, set[str]] = defaultdict(set)  # sentence → where
        self.refused = 0  # posts answered with a field's error message
        self.client.get("/lang/zh_Hans_CN")
        if username:
            sign_in(self.client, username, PASSWORD)
            self.client.get("/lang/zh_Hans_CN")

    def read(self, method: str, url: str, html: str) -> None:
        for sentence in english_sentences(visible_text(html)):
            self.offending[sentence].add(f"{method} {url}")

    def crawl(self) -> None:
        """From the home page and every route that takes no argument, follow the links."""
        adapter, per_route = self.app.url_map.bind("localhost"), defaultdict(int)
        pending = ["/"] + sorted(rule.rule for rule in self.app.url_map.iter_rules()
                                 if "GET" in rule.methods and not rule.arguments and rule.rule != "/logout"
                                 and not rule.rule.startswith(("/api/", "/static", "/lang", "/bootstrap")))
        while pending:
            url = pending.pop(0)
            response = self.client.get(url)
            html = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
            self.pages[url] = html
            if response.status_code in (301, 302, 303, 307, 308):  # its body is for no one: follow it
                links, html = [response.headers["Location"]], ""
            else:
                links = parse(html).links
                self.read("GET", url, html)
            for link in links:
                parts = urlsplit(link)
                if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(("/api/", "/lang/")):
                    continue
                if link in self.pages or link in pending or parts.path.endswith((".xlsx", ".pdf", ".csv")):
                    continue
                link = parts.path + (f"?{parts.query}" if parts.query else "")
                route = endpoint(adapter, parts.path)
                if route and per_route[route] < PER_ROUTE and parts.path != "/logout":
                    per_route[route] += 1
                    pending.append(link)

    def post_forms(self) -> None:
        """Every form with a field a person fills, posted once with its fields empty or invalid; an upload
        form a second time with its lists at their first choice, so that the file itself is read."""
        done = set()
        for url, html in list(self.pages.items()):
            for form in parse(html).forms:
                action = form["action"] or urlsplit(url).path
                names = {name for name, kind, _ in form["fields"] if kind not in ("submit", "button", "hidden")}
                if form["method"] != "post" or not names or action.endswith(SKIP_POSTS) or action in done:
                    continue
                done.add(action)
                token = CSRF_RE.search(html)  # valid for the whole session (WTF_CSRF_TIME_LIMIT is None)
                for chosen in (False, True) if any(kind == "file" for _, kind, _ in form["fields"]) else (False,):
                    self.post(action, form, token.group(1) if token else "", chosen)

    def post(self, action: str, form: dict, token: str, chosen: bool) -> None:
        data: dict = {"csrf_token": token}
        for name, kind, value in form["fields"]:
            if kind in ("hidden", "submit", "button") and name != "csrf_token":
                data.setdefault(name, value)
            elif kind == "option" and chosen:
                data.setdefault(name, value)  # the first choice offered
            elif kind != "hidden" and not (chosen and kind in ("select", "option")):
                data[name] = _invalid(kind)
        response = self.client.post(action, data=data, follow_redirects=True,
                                    content_type="multipart/form-data" if form["multipart"] else None)
        if response.mimetype == "text/html":
            page = response.get_data(as_text=True)
            self.read("POST", action, page)
            self.refused += "invalid-feedback" in page or "alert-danger" in page


def test_english_sentences_are_found_and_names_codes_are_not():
    assert english_sentences("请输入 Number must be between 1 and 200.") == ["Number must be between"]
    assert english_sentences("保存\nNot a valid choice") == ["Not a valid choice"]
    assert english_sentences("导入 Moodle XML 或 GIFT 格式；用户 demo-staff，邮箱 a.b@example.cn") == []
    assert english_sentences("《大气污染防治法》AIR-99-1，统一社会信用代码 91110000MA00000000") == []
    assert english_sentences("下载 bank.xlsx 或 /api/v1/openapi.json") == []
    assert english_sentences('操作 case.create，摘要 {"status":"paid","to":"notified"}') == []
    page = '<p title="Sign in">操作<code>{"demo": "correction deadline"}</code></p><script>let a = "b c"</script>'
    assert english_sentences(visible_text(page)) == ["Sign in"]
    assert english_sentences("用“eduapp cases catalogue”导入；见 docs/dashboard.md") == []
    assert english_sentences("考试 Exam Management") == ["Exam Management"]
    assert english_sentences("Save") == []  # one word is not a sentence (ALLOWED keeps the check small)


@pytest.mark.parametrize("username", [None, *ROLES])
def test_no_english_sentence_on_any_page_in_chinese(username):
    started = time.monotonic()
    reader = _Reader(demo_app(sibling_database("crawl")), username)
    reader.crawl()
    reader.post_forms()
    report = [f"{reader.who}: {sentence!r} on {', '.join(sorted(where)[:3])}"
              for sentence, where in sorted(reader.offending.items())]
    print(f"{reader.who}: {len(reader.pages)} pages in {time.monotonic() - started:.1f} s")  # noqa: T201
    assert len(reader.pages) > 10 and reader.refused > 0  # the messages of refused input were read too
    assert not report, "English left on Chinese pages:\n" + "\n".join(report)
