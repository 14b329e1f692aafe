"""Flask-Limiter, told which requests another counter owns.

Flask-Limiter's before_request hook works through its exemption scopes, blueprint and default limits and
its per-request context for every request, even one its request filters then exempt: about a twentieth
of an answer's autosave (issue 19). The API's requests are counted by ``eduapp.api.limits`` instead, so
for them the hook returns at once. A limit declared on a view with ``limiter.limit`` is checked by that
view's own wrapper (not the hook) and still applies; ``eduapp.api.limits`` leaves those endpoints to
Flask-Limiter anyway.
"""

from __future__ import annotations

from collections.abc import Callable

import flask_limiter


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
