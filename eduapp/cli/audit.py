"""``eduapp audit verify`` and ``eduapp audit anchor``: the keyed audit chain."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from eduapp.services import audit


@click.group("audit")
def audit_group():
    """The audit trail."""


def _development_key_note() -> None:
    if current_app.config["AUDIT_KEY_IS_DEVELOPMENT"]:
        click.echo("note: the chain is keyed with the published development key (EDUAPP_AUDIT_KEY unset): "
                   "it protects nothing outside development and tests", err=True)


@audit_group.command("verify")
@with_appcontext
def audit_verify():
    """Check the keyed chain against EDUAPP_AUDIT_KEY and the anchors; exit 1 naming what is missing or
    the first altered record."""
    _development_key_note()
    try:
        anchors = audit.read_anchors()
        checked, broken = audit.verify()
    except audit.AnchorFileError as error:
        click.echo(f"audit anchors UNREADABLE: {error}", err=True)
        raise SystemExit(1)
    if broken is not None and broken.kind == "missing":
        click.echo(f"audit chain TRUNCATED: {broken.reason}", err=True)
        raise SystemExit(1)
    if broken is not None:
        click.echo(f"audit chain BROKEN at record #{broken.record_id}: {broken.reason}", err=True)
        raise SystemExit(1)
    where = audit.anchor_path()
    anchored = (f"{len(anchors)} anchors in {where} agree" if anchors
                else f"no anchors in {where} yet: the deletion of the newest records is not checked")
    click.echo(f"audit chain intact: {checked} records checked; {anchored}")


@audit_group.command("anchor")
@with_appcontext
def audit_anchor():
    """Append the chain's count and head hash to EDUAPP_AUDIT_ANCHOR_FILE now (the hourly beat does the same)."""
    _development_key_note()
    anchor = audit.write_anchor()
    click.echo(f"audit anchor written to {audit.anchor_path()}: {anchor.count} records, head #{anchor.head_id} "
               f"{anchor.head_hash} at {anchor.at}")
