"""``eduapp reminders run``: scan for every kind of early-warning reminder and send what is due, now,
in this process (the embedded default has no worker; with one, the beat does the same every half
hour)."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext


@click.group("reminders")
def reminders_group():
    """Early-warning reminders (预警提醒)."""


@reminders_group.command("run")
@with_appcontext
def reminders_run():
    """Scan every kind, write the reminders that are new, and send the e-mails and SMS due now.
    Prints a line per kind, then a JSON object {"created", "sent", "deferred", "failed"}."""
    from eduapp.domain import reminders as rules
    from eduapp.services import reminder_sending, reminders

    totals = {"created": 0, "sent": 0, "deferred": 0, "failed": 0}
    for result in reminders.scan_all():
        totals["created"] += result.created
        click.echo(f"{result.kind}: {result.due} due, {result.created} new")
    for delivery_id in reminder_sending.due_pending(stale_only=False, limit=1_000_000):
        outcome = reminder_sending.deliver(delivery_id)
        if outcome.status == rules.SENT:
            totals["sent"] += 1
        elif outcome.status in (rules.DEFERRED, rules.RETRYING):
            totals["deferred"] += 1
        elif outcome.status == rules.FAILED:
            totals["failed"] += 1
    click.echo(json.dumps(totals))
