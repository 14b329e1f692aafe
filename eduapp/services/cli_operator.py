"""Who runs a command-line action: ``eduapp --as USERNAME …`` or the EDUAPP_OPERATOR environment
variable names the account; audit.record then writes that account as the actor of what the command
changes, and ``"via": "cli"`` in the summary. Without an operator the record's actor is ``cli`` (shown
as “命令行（未指明操作员）”), never ``system`` (docs/security.md §8)."""

from __future__ import annotations

import os
from typing import NamedTuple

import click
from flask import has_request_context
from flask.cli import ScriptInfo
from sqlalchemy import select

from eduapp.domain.history import CLI_UNNAMED, VIA_CLI
from eduapp.extensions import db
from eduapp.models import User

ENV = "EDUAPP_OPERATOR"
_NAME = "eduapp.operator"  # click's context meta (shared by the whole command chain): the name given
_FOUND = "eduapp.operator.found"  # …and the account it resolved to


class Operator(NamedTuple):
    """What audit.record needs of the actor."""

    id: int | None
    username: str


def set_name(username: str | None) -> None:
    """The ``--as`` option of the ``eduapp`` group (its value, or EDUAPP_OPERATOR, read once)."""
    ctx = click.get_current_context()
    if username and username.strip():
        ctx.meta[_NAME] = username.strip()


def in_cli() -> bool:
    """Whether this code runs inside an ``eduapp``/``flask`` command (not a request, not a worker): Flask's
    commands carry its ScriptInfo (a Celery worker's click context does not)."""
    if has_request_context():
        return False
    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.find_object(ScriptInfo) is not None


def current() -> Operator:
    """The operator of the running command: the named account, or the unnamed command line. An unknown
    or deactivated name stops the command (click usage error, exit 2) before anything is committed."""
    ctx = click.get_current_context()
    if _FOUND in ctx.meta:
        return ctx.meta[_FOUND]
    name = ctx.meta.get(_NAME) or (os.environ.get(ENV) or "").strip()
    if not name:
        found = Operator(None, CLI_UNNAMED)
    else:
        user = db.session.execute(select(User).where(User.username == name)).scalar_one_or_none()
        if user is None or not user.active:
            raise click.UsageError(f"--as / {ENV}: no active account named {name!r}")
        found = Operator(user.id, user.username)
    ctx.meta[_FOUND] = found
    return found


def mark(actor, summary: dict | None) -> tuple[object, dict | None]:
    """(actor, summary) as audit.record writes them: from the command line, the operator stands in for a
    missing actor and the summary says ``"via": "cli"``; elsewhere both are unchanged."""
    if not in_cli():
        return actor, summary
    return (actor if actor is not None else current()), {**(summary or {}), "via": VIA_CLI}
