from pathlib import Path

from babel.messages.pofile import read_po

import eduapp

CATALOG = Path(eduapp.__file__).parent / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"


def test_chinese_by_default_and_english_on_request(client):
    assert "登录" in client.get("/login").get_data(as_text=True)
    response = client.get("/lang/en?next=/login")
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in" in page and 'lang="en"' in page
    client.get("/lang/zh_Hans_CN")
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    client.get("/lang/xx")
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_language_switch_does_not_redirect_off_site(client):
    response = client.get("/lang/en?next=//evil.example/")
    assert response.headers["Location"] == "/"


def test_every_message_has_a_chinese_translation():
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    import re

    missing = [m.id for m in catalog if m.id and not all(_forms(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert missing == [] and fuzzy == []
    for message in catalog:
        source = _forms(message.id)[0] if message.id else ""
        if "%(" in source:
            wanted = sorted(set(re.findall(r"%\((\w+)\)s", source)))
            for form in _forms(message.string):  # ngettext: every plural form (Chinese has one)
                assert sorted(set(re.findall(r"%\((\w+)\)s", form))) == wanted, message.id


def _forms(text: str | tuple) -> tuple:
    return text if isinstance(text, tuple) else (text,)


def test_catalog_covers_the_source():
    """Every marked string in the code and templates is in the catalog (run `make extract-messages`)."""
    from babel.messages.extract import extract_from_dir

    root = Path(eduapp.__file__).parent
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "N_": None, "lazy_gettext": None}
    found = {
        msg for _, _, msg, _, _ in extract_from_dir(str(root), method_map, keywords=keywords) if isinstance(msg, str)
    }
    with CATALOG.open("rb") as handle:
        known = {m.id for m in read_po(handle) if m.id}
    assert sorted(found - known) == []
