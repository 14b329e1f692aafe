"""Reports for the bureau: points issued, spent and expired by period and organisation, and the
offsets granted (the annual report's "23 enterprises, ¥390,000"), with an XLSX export."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from eduapp.extensions import db
from eduapp.models import (
    OffsetApplication,
    Organisation,
    PointsAccount,
    PointsEntry,
    PointsReservation,
    User,
)

LOCAL = ZoneInfo("Asia/Shanghai")


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in Beijing time."""
    return (datetime.combine(start, time(), LOCAL), datetime.combine(end + timedelta(days=1), time(), LOCAL))


@dataclass
class PointsRow:
    organisation: str
    issued: int = 0
    spent: int = 0
    expired: int = 0


@dataclass
class OffsetSummary:
    enterprises: int = 0
    cases: int = 0
    total_fen: int = 0
    points: int = 0
    rows: list[tuple[str, str, int, int]] = field(default_factory=list)  # enterprise, case number, fen, points


def _organisation_of_accounts() -> dict[int, str]:
    """Account id -> organisation name (a person's organisation, or the enterprise of a pool)."""
    names = dict(db.session.execute(select(Organisation.id, Organisation.name)).all())
    user_org = dict(db.session.execute(select(User.id, User.organisation_id)).all())
    out = {}
    for account_id, kind, owner in db.session.execute(
        select(PointsAccount.id, PointsAccount.owner_kind, PointsAccount.owner_id)
    ):
        org_id = owner if kind == "enterprise" else user_org.get(owner)
        out[account_id] = names.get(org_id, "—")
    return out


def points_by_organisation(start: date, end: date) -> list[PointsRow]:
    """Points issued (awards and positive adjustments), spent (posted offsets) and expired in the period."""
    low, high = _bounds(start, end)
    orgs = _organisation_of_accounts()
    rows: dict[str, PointsRow] = defaultdict(lambda: PointsRow(""))
    for account_id, kind, total in db.session.execute(
        select(PointsEntry.account_id, PointsEntry.kind, func.sum(PointsEntry.amount))
        .where(PointsEntry.created_at >= low, PointsEntry.created_at < high,
               PointsEntry.kind.in_(("award", "adjust", "expire")))
        .group_by(PointsEntry.account_id, PointsEntry.kind)
    ):
        row = rows[orgs.get(account_id, "—")]
        if kind == "expire":
            row.expired += -int(total or 0)
        elif (total or 0) > 0:
            row.issued += int(total)
    for account_id, total in db.session.execute(
        select(PointsReservation.account_id, func.sum(PointsReservation.amount))
        .where(PointsReservation.state == "posted", PointsReservation.settled_at >= low,
               PointsReservation.settled_at < high)
        .group_by(PointsReservation.account_id)
    ):
        rows[orgs.get(account_id, "—")].spent += int(total or 0)
    for name, row in rows.items():
        row.organisation = name
    return sorted(rows.values(), key=lambda r: (-r.issued, r.organisation))


def offsets_granted(start: date, end: date) -> OffsetSummary:
    low, high = _bounds(start, end)
    summary = OffsetSummary()
    applications = db.session.execute(
        select(OffsetApplication).where(OffsetApplication.status == "approved", OffsetApplication.finished_at >= low,
                                        OffsetApplication.finished_at < high)
        .order_by(OffsetApplication.finished_at)
    ).unique().scalars().all()
    enterprises = set()
    for a in applications:
        enterprises.add(a.enterprise_id)
        summary.cases += 1
        summary.total_fen += a.offset_fen
        summary.points += a.points
        summary.rows.append((a.case.enterprise.name, a.case.case_number, a.offset_fen, a.points))
    summary.enterprises = len(enterprises)
    return summary


def export_xlsx(start: date, end: date) -> bytes:
    from flask_babel import gettext as _
    from openpyxl import Workbook

    from eduapp.domain.safe_cells import xlsx_cells

    book = Workbook()
    sheet = book.active
    sheet.title = _("Study points")
    # Names and case numbers are people's text: string cells, never formulas (safe_cells.py).
    sheet.append(xlsx_cells(sheet, [_("Organisation"), _("Issued"), _("Spent"), _("Expired")]))
    for row in points_by_organisation(start, end):
        sheet.append(xlsx_cells(sheet, [row.organisation, row.issued, row.spent, row.expired]))
    offsets = offsets_granted(start, end)
    sheet = book.create_sheet(_("Offsets"))
    sheet.append(xlsx_cells(sheet, [_("Enterprise"), _("Case number"), _("Offset (yuan)"), _("Study points")]))
    for enterprise, number, fen, points in offsets.rows:
        sheet.append(xlsx_cells(sheet, [enterprise, number, fen / 100, points]))
    sheet.append([])
    sheet.append(xlsx_cells(sheet, [_("Enterprises"), offsets.enterprises]))
    sheet.append(xlsx_cells(sheet, [_("Cases"), offsets.cases]))
    sheet.append(xlsx_cells(sheet, [_("Total offset (yuan)"), offsets.total_fen / 100]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
