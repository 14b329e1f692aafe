"""eduapp.EduApp: Flask deciding once per hook and view whether it is a coroutine (issue 19)."""

from __future__ import annotations

import flask.app


def test_a_hook_or_view_is_asked_about_once_not_on_every_request(app, client, monkeypatch):
    asked = []
    real = flask.app.iscoroutinefunction
    monkeypatch.setattr(flask.app, "iscoroutinefunction", lambda func: asked.append(func) or real(func))
    client.get("/login")
    first = len(asked)
    client.get("/login")
    assert len(asked) == first  # every hook and the view were answered from the first request


def test_plain_functions_are_kept_and_coroutine_functions_still_wrapped(app):
    def hook():
        return None

    async def view():
        return "x"

    assert app.ensure_sync(hook) is hook and app.ensure_sync(hook) is hook
    try:
        wrapped = app.ensure_sync(view)
    except RuntimeError:  # Flask without its "async" extra refuses, as it always did
        wrapped = None
    assert wrapped is not view
