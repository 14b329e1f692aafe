"""``eduapp users create``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from eduapp.cli.common import fail
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Role
from eduapp.services import accounts, orgs


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
