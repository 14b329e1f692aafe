"""The one way the app searches text the user typed: ``contains(column, text)`` matches ``text`` anywhere in
the column, ignoring case, and takes every character literally. "%" and "_" (LIKE's wildcards) and the
escape character itself are escaped, so a search for "50%" or "a_b" finds only those characters, never
"500" or "axb"; a backslash is a plain character too (the ESCAPE clause replaces PostgreSQL's default).

Also the people and roster searches the pages and the JSON API share (both read through here)."""

from __future__ import annotations

from sqlalchemy import Select, or_

from eduapp.domain.typed_input import fold_width, phone_fragment
from eduapp.models import User
from eduapp.services import tenancy

ESCAPE = "/"


def pattern(text: str) -> str:
    """``text`` as a LIKE pattern matching it anywhere, every character literal (with ``ESCAPE``)."""
    escaped = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def contains(column, text: str):
    """``column`` holds ``text`` (case-insensitive, literally): the condition every search box uses."""
    return column.ilike(pattern(text), escape=ESCAPE)


def people_matching(query: Select, q: str) -> Select:
    """People whose username, name or phone number holds ``q`` as typed: a username typed full-width
    (ｚｈａｎｇ３) and a phone number typed with +86, spaces or dashes are found too."""
    q = (q or "").strip()
    if not q:
        return query
    typed = fold_width(q).strip()
    return query.where(or_(contains(User.username, typed), contains(User.full_name, q),
                           contains(User.phone, phone_fragment(typed))))


def roster(actor: User, q: str = "", active: bool | None = None) -> Select:
    """The actor's enterprise's people (tenancy.roster) by name, ``q`` matching the username, the name or
    the phone number, ``active`` None for everyone: the roster page and GET /api/v1/enterprise/staff."""
    query = people_matching(tenancy.roster(actor), q)
    if active is not None:
        query = query.where(User.active.is_(active))
    return query.order_by(User.full_name, User.id)
