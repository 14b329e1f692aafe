"""Tenant scoping: which organisations and accounts a user may see. Every object route loads through
these queries, so an object of another tenant is simply not found (the web layer answers 404)."""

from __future__ import annotations

from sqlalchemy import Select, select

from eduapp.domain.roles import Permission
from eduapp.models import Organisation, User


def visible_organisations(actor: User) -> Select:
    query = select(Organisation)
    if actor.can(Permission.ORGS_VIEW):
        return query
    return query.where(Organisation.id == actor.organisation_id)


def visible_users(actor: User) -> Select:
    query = select(User)
    if actor.can(Permission.USERS_MANAGE):
        return query
    if actor.can(Permission.ROSTER_MANAGE):
        return query.where(User.organisation_id == actor.organisation_id)
    return query.where(User.id == actor.id)


def roster(actor: User) -> Select:
    """Members of the actor's own enterprise: the roster is the enterprise's own, even for a sysadmin."""
    return select(User).where(User.organisation_id == actor.organisation_id)
