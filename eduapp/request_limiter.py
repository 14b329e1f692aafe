"""Flask-Limiter, told which requests another counter owns.

Flask-Limiter's before_request hook works through its exemption scopes, blueprint and default limits and
its per-request context for every request, even one its request filters then exempt: about a twentieth
of an answer's autosave (issue 19). The API's requests are counted by ``eduapp.api.limits`` instead, so
for them the hook returns at once. A limit declared on a view with ``limiter.limit`` is checked by that
view's own wrapper (not the hook) and still applies; ``eduapp.api.limits`` leaves those endpoints to
Flask-Limiter anyway.

Flask-Limiter's after-request hook (its conditional deductions and headers) and its teardown build its
per-request context when none exists, only to find nothing in it: about a thirtieth of an autosave. They
run only when a check of Flask-Limiter's made the context in this request, which every limit it counts
does (the hook's own check or a view's ``limiter.limit`` wrapper).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import flask_limiter
from flask_limiter._compat import request_context


class Limiter(flask_limiter.Limiter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._counted_elsewhere: list[Callable[[], bool]] = []
        self._on_reset: list[Callable[[], None]] = []

    def counted_elsewhere(self, predicate: Callable[[], bool]) -> Callable[[], bool]:
        """Register ``predicate``: a request for which it is true is counted by someone else, and this
        limiter's before_request hook leaves it alone (as a request filter would, without the work)."""
        self._counted_elsewhere.append(predicate)
        self.request_filter(predicate)  # and any other check of this limiter exempts it too
        return predicate

    def init_app(self, app, *args, **kwargs) -> None:
        super().init_app(app, *args, **kwargs)
        hooks = app.after_request_funcs.get(None, [])
        for n, hook in enumerate(hooks):
            if (isinstance(hook, partial) and hook.args == (self,)
                    and getattr(hook.func, "__name__", "") == "__inject_headers"):
                hooks[n] = partial(_after_a_check, hook)

    def _Limiter__release_context(self, exc: BaseException | None = None) -> None:
        """Flask-Limiter's teardown (its name-mangled ``__release_context``), when there is a context."""
        if _checked():
            super()._Limiter__release_context(exc)

    def on_reset(self, forget: Callable[[], None]) -> None:
        """Call ``forget`` whenever the storage is reset: counts kept outside it go with it."""
        self._on_reset.append(forget)

    def reset(self) -> None:
        super().reset()
        for forget in self._on_reset:
            forget()

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if in_middleware and any(predicate() for predicate in self._counted_elsewhere):
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)


def _checked() -> bool:
    """Whether a check of Flask-Limiter's ran in this request (it keeps its context on the request's)."""
    return hasattr(request_context(), "_limiter_request_context")


def _after_a_check(inject_headers: Callable, response):
    """Flask-Limiter's after-request hook, when one of its checks ran: else it has nothing to deduct or say."""
    return inject_headers(response) if _checked() else response
