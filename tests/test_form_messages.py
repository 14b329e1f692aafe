"""WTForms' built-in messages on a Chinese page come from our catalog (eduapp.web.form_messages)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import flask_wtf
import wtforms
from babel.messages.pofile import read_po
from flask import session
from flask_wtf import FlaskForm

import eduapp.web
from eduapp.web.exam_admin.forms import ExamForm
from eduapp.web.form_messages import MESSAGES


def _message_ids() -> set[str]:
    return {m if isinstance(m, str) else m[0] for m in MESSAGES}


def test_every_message_wtforms_can_show_is_listed_for_translation():
    with (Path(wtforms.__file__).parent / "locale" / "wtforms.pot").open("rb") as handle:
        shipped = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert sorted(shipped - _message_ids()) == []
    source = (Path(flask_wtf.__file__).parent / "file.py").read_text(encoding="utf-8")
    assert all(f'"{text}"' in source for text in ("File does not have an approved extension.",
                                                  "File does not have an approved extension: {extensions}"))


def _post(app, data: dict, lang: str = "zh_Hans_CN"):
    """A request context as a POST of `data` in `lang`, with the app's before-request hooks run."""
    context = app.test_request_context("/", method="POST", data=data)
    context.push()
    session["lang"] = lang
    app.preprocess_request()
    return context


EXAM = {"title": "期中考试", "open_at": "2026-03-01T09:00", "close_at": "2026-03-02T09:00",
        "duration_minutes": "0", "attempts_allowed": "x", "pass_score": "60", "points_on_pass": "0",
        "status": "gone", "grading_method": "highest", "navigation": "free", "review_policy": "score_only",
        "mc_rule": "all_or_nothing", "sections-0-count": "500", "sections-0-points": "x", "sections-0-qtype": "?"}


def test_built_in_messages_are_chinese_on_the_form_and_its_rows(app):
    context = _post(app, EXAM)
    try:
        form = ExamForm(meta={"csrf": False})
        assert not form.validate()
        assert form.duration_minutes.errors == ["数值须在 1 至 1440 之间。"]
        assert form.attempts_allowed.errors[0] == "请填写整数。"
        assert form.status.errors == ["请从列表中选择。"]
        row = form.sections[0].form  # a plain WTForms form inside the FlaskForm (SubForm)
        assert row.count.errors == ["数值须在 1 至 200 之间。"]
        assert row.points.errors[0] == "请填写整数。"
        assert row.qtype.errors == ["请从列表中选择。"]
    finally:
        context.pop()


def test_english_keeps_wtforms_own_text(app):
    context = _post(app, EXAM, lang="en")
    try:
        form = ExamForm(meta={"csrf": False})
        form.validate()
        assert form.duration_minutes.errors == ["Number must be between 1 and 1440."]
        assert form.sections[0].form.count.errors == ["Number must be between 1 and 200."]
    finally:
        context.pop()


def _form_classes() -> list[type]:
    for module in pkgutil.walk_packages(eduapp.web.__path__, "eduapp.web."):
        importlib.import_module(module.name)
    found, pending = [], [wtforms.Form]
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.__module__.startswith("eduapp."):
            found.append(cls)
    return found


def test_every_form_of_the_app_answers_from_our_catalog(app):
    """A new plain WTForms form (not a FlaskForm, not a SubForm) would show WTForms' English: caught here."""
    classes = _form_classes()
    assert len(classes) > 20
    context = _post(app, {})
    try:
        wrong = []
        for cls in classes:
            # The Meta WTForms builds for a form (wtforms.form.FormMeta.__call__): its classes' Meta combined.
            meta = type("Meta", tuple(c.Meta for c in cls.__mro__ if "Meta" in c.__dict__), {})()
            translations = meta.get_translations(None)
            if translations is None or translations.gettext("Not a valid choice.") != "请从列表中选择。":
                wrong.append(cls.__qualname__)
        assert wrong == []
        assert any(issubclass(cls, FlaskForm) for cls in classes)
    finally:
        context.pop()


def test_flask_wtf_csrf_refusals_are_chinese(client):
    """Flask-WTF's own CSRF texts ("The CSRF token is missing.") are not translatable: CSRFProtect refuses
    first, and eduapp.web.errors answers in our words."""
    for token in (None, "forged"):
        data = {"username": "nobody", "password": "x"} | ({"csrf_token": token} if token else {})
        page = client.post("/login", data=data).get_data(as_text=True)
        assert "表单已过期或并非从本网站提交" in page and "CSRF token" not in page
