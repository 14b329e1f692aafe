"""Small things every blueprint uses."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, request
from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from eduapp.domain.digits import is_digits
from eduapp.domain.problems import Problem
from eduapp.errors import BadInput
from eduapp.extensions import db
from eduapp.i18n import message
from eduapp.input_guard import MAX_ID, MAX_PAGE


def one_or_404(query: Select, model, object_id: int):
    """Load an object through a tenant-scoped query: another tenant's object is simply not found."""
    obj = db.session.execute(query.where(model.id == object_id)).unique().scalar_one_or_none()
    if obj is None:
        abort(404)
    return obj


def safe_next(default: str) -> str:
    """A redirect target from ?next= only when it stays on this site."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme:
        return target
    return default


def flash_problems(problems: list[Problem], headers: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """Messages for import problems, each naming its row and column as the file shows them."""
    from flask_babel import gettext

    lines = []
    for p in problems:
        column = headers[p.field][0] if headers and p.field in headers else None
        text = message(p)
        if p.row and column:
            lines.append(gettext("Row %(row)s, “%(column)s”: %(text)s", row=p.row, column=column, text=text))
        elif p.row:
            lines.append(gettext("Row %(row)s: %(text)s", row=p.row, text=text))
        else:
            lines.append(text)
    return lines


class Paged:
    """A page of items, as the pager macro reads it."""

    def __init__(self, items, total: int, page: int, per_page: int):
        self.items, self.total, self.page, self.per_page = items, total, page, per_page

    @property
    def pages(self) -> int:
        return max((self.total + self.per_page - 1) // self.per_page, 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


class Page(Paged):
    """A page of a query's results."""

    def __init__(self, query: Select, page: int, per_page: int = 25):
        page = max(page, 1)
        total = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
        items = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).unique().scalars().all()
        super().__init__(items, total, page, per_page)


def whole_number(text: str | None, limit: int = MAX_ID) -> int | None:
    """A number written in ASCII digits, 0 to ``limit``; None for anything else ("²" and "١٢" are
    digits to str.isdigit, and 20 digits do not fit a database integer)."""
    text = (text or "").strip()
    if not is_digits(text) or len(text) > len(str(limit)) or int(text) > limit:
        return None
    return int(text)


def id_arg(name: str) -> int | None:
    """?name=<id>: an id that can exist (1 to MAX_ID), or None."""
    return whole_number(request.args.get(name)) or None


def page_arg(name: str = "page") -> int:
    """?page=: from 1 (text or numbers below 1 mean the first page); beyond MAX_PAGE is refused (400)."""
    try:
        page = int(request.args.get(name, "1"))
    except ValueError:
        return 1
    if page > MAX_PAGE:
        raise BadInput(_("“%(name)s” must be a page number from 1 to %(limit)s.", name=name, limit=MAX_PAGE),
                       field=name)
    return max(page, 1)


def flash_ok(text: str) -> None:
    flash(text, "success")
