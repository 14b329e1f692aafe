"""The ``eduapp`` command (a FlaskGroup): ``eduapp db upgrade``, ``eduapp users create``,
``eduapp orgs import``, ``eduapp demo``, ``eduapp audit verify``, ``eduapp audit anchor`` and Flask's own commands.
``eduapp --as USERNAME …`` (or EDUAPP_OPERATOR) names the account the audit trail records as the actor."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from flask_babel import gettext

from eduapp.domain.problems import InputError, Problem


def _create_app():
    from eduapp import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
@click.option("--as", "operator", envvar="EDUAPP_OPERATOR", default=None, metavar="USERNAME",
              help="The account this command runs as: the audit trail names it as the actor of every change "
                   "(default: EDUAPP_OPERATOR; without either the record says the command line, no operator named).")
def cli(operator: str | None):
    """eduapp: legal education, study points and fine offsets."""
    from eduapp.services import cli_operator

    cli_operator.set_name(operator)


def problem_lines(problems: list[Problem], headers: dict | None = None) -> list[str]:
    lines = []
    for p in problems:
        column = headers[p.field][0] if headers and p.field in headers else p.field
        where = " ".join(x for x in (f"row {p.row}" if p.row else "", f"[{column}]" if column else "") if x)
        text = gettext(p.msgid, **p.params)
        lines.append(f"{where}: {text}" if where else text)
    return lines


def fail(problems: list[Problem], headers: dict | None = None, prefix: str = "") -> None:
    for line in problem_lines(problems, headers):
        click.echo(f"error: {prefix}{line}", err=True)
    raise SystemExit(1)


@click.group("users")
def users_group():
    """Accounts."""


@users_group.command("create")
@click.argument("username")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help="Role (repeatable): "
    + ", ".join(
        [
            "enterprise_staff",
            "enterprise_contact",
            "civil_servant",
            "question_editor",
            "exam_manager",
            "case_officer",
            "legal_reviewer",
            "approver",
            "sysadmin",
        ]
    ),
)
@click.option("--password", required=True, help="Initial password.")
@click.option("--org", "org_ref", default=None, help="Organisation name or unified social credit code.")
@click.option("--name", "full_name", default=None, help="Full name (defaults to the username).")
@click.option("--email", default="")
@click.option("--phone", default="")
@with_appcontext
def users_create(username, roles, password, org_ref, full_name, email, phone):
    """Create USERNAME with one or more roles."""
    from eduapp.domain.roles import Role
    from eduapp.services import accounts, orgs

    try:
        parsed = [Role(r) for r in roles]
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--role")
    if org_ref:
        org = orgs.find(org_ref)
        if org is None:
            raise click.BadParameter(f"no organisation named or coded {org_ref!r}", param_hint="--org")
    else:
        org = orgs.default_bureau()
    try:
        user = accounts.create_user(
            None,
            username=username,
            full_name=full_name or username,
            organisation=org,
            roles=parsed,
            password=password,
            email=email,
            phone=phone,
        )
    except InputError as err:
        fail(err.problems)
    click.echo(f"created user {user.username} (id {user.id}) in {org.name} with roles {', '.join(roles)}")


@click.group("orgs")
def orgs_group():
    """Organisations."""


@orgs_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def orgs_import(file: Path):
    """Import or update enterprises from an XLSX or CSV register (see docs/imports.md)."""
    from flask import current_app

    from eduapp.domain import enterprises
    from eduapp.domain.tabular import read_rows
    from eduapp.services import orgs

    try:
        rows = read_rows(
            file.read_bytes(),
            file.name,
            headers=enterprises.HEADERS,
            required=enterprises.REQUIRED,
            max_rows=current_app.config["IMPORT_MAX_ROWS"],
            max_unpacked_mb=current_app.config["IMPORT_MAX_UNPACKED_MB"],
        )
        records, problems = enterprises.parse_enterprise_rows(rows)
        if problems:
            raise InputError(problems)
        summary = orgs.import_enterprises(None, records)
    except InputError as err:
        fail(err.problems, enterprises.HEADERS, prefix=f"{file.name} ")
    click.echo(f"added {len(summary.added)}, updated {len(summary.updated)}, unchanged {len(summary.unchanged)}")
    for name in summary.added:
        click.echo(f"  added: {name}")
    for name in summary.updated:
        click.echo(f"  updated: {name}")


@click.command("demo")
@click.option("--password", default=None, help="Password for every demo account (default: eduapp-demo-2026).")
@with_appcontext
def demo(password: str | None):
    """Load the demo bureau, enterprises and accounts (idempotent)."""
    from eduapp.services import demo as demo_service

    try:
        result = demo_service.load(password or demo_service.DEFAULT_PASSWORD)
    except InputError as err:
        fail(err.problems)
    click.echo(f"demo data: {result.created} created, {result.updated} updated, {result.unchanged} unchanged")
    for note in result.notes:
        click.echo(f"note: {note}")
    click.echo("demo accounts (password: %s):" % (password or demo_service.DEFAULT_PASSWORD))
    for username, role, org in result.accounts:
        click.echo(f"  {username:<22} {role:<30} {org}")


@click.group("audit")
def audit_group():
    """The audit trail."""


def _development_key_note() -> None:
    from flask import current_app

    if current_app.config["AUDIT_KEY_IS_DEVELOPMENT"]:
        click.echo("note: the chain is keyed with the published development key (EDUAPP_AUDIT_KEY unset): "
                   "it protects nothing outside development and tests", err=True)


@audit_group.command("verify")
@with_appcontext
def audit_verify():
    """Check the keyed chain against EDUAPP_AUDIT_KEY and the anchors; exit 1 naming what is missing or
    the first altered record."""
    from eduapp.services import audit

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
    from eduapp.services import audit

    _development_key_note()
    anchor = audit.write_anchor()
    click.echo(f"audit anchor written to {audit.anchor_path()}: {anchor.count} records, head #{anchor.head_id} "
               f"{anchor.head_hash} at {anchor.at}")


def register(app: Flask) -> None:
    from eduapp.cli_case_studies import case_studies_group
    from eduapp.cli_cases import cases_group
    from eduapp.cli_laws import laws_group
    from eduapp.cli_points import points_group
    from eduapp.cli_questions import questions_group
    from eduapp.cli_reminders import reminders_group

    for command in (users_group, orgs_group, demo, audit_group, questions_group, laws_group, cases_group,
                    points_group, reminders_group, case_studies_group):
        app.cli.add_command(command)
