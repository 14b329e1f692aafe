"""Locale choice and translation of domain problems."""

from __future__ import annotations

from flask import current_app, has_request_context, session
from flask_babel import gettext
from flask_login import current_user
from wtforms import Form

from eduapp.domain.problems import Problem


def select_locale() -> str:
    """The user's explicit choice (session, then their account), else Chinese."""
    if has_request_context():
        chosen = session.get("lang")
        if chosen in current_app.config["LANGUAGES"]:
            return chosen
        if current_user and current_user.is_authenticated and current_user.locale in current_app.config["LANGUAGES"]:
            return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def html_lang() -> str:
    return select_locale().replace("_", "-")


def message(problem: Problem) -> str:
    return gettext(problem.msgid, **problem.params)


def attach_problems(form: Form, problems: list[Problem]) -> None:
    """Put each problem on its form field, or on the form as a whole when it names no field of it."""
    for problem in problems:
        field = getattr(form, problem.field, None) if problem.field else None
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, message(problem)]
        else:
            form.form_errors.append(message(problem))
