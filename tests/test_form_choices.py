"""No form of the app uses an API WTForms has deprecated (choices as tuples, callables): every form
builds with DeprecationWarning as an error, so an upgrade to WTForms 3.4 does not break a page."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings

from flask_wtf import FlaskForm

import eduapp.web


def _forms() -> list[type[FlaskForm]]:
    found = {}
    for module in pkgutil.walk_packages(eduapp.web.__path__, "eduapp.web."):
        for _, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if issubclass(cls, FlaskForm) and cls.__module__.startswith("eduapp."):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[name] for name in sorted(found)]


def test_every_form_builds_without_a_deprecation_warning(app):
    forms = _forms()
    assert len(forms) > 20
    with app.test_request_context(), warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        for form in forms:
            form(meta={"csrf": False})
