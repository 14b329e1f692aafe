"""The delivery log's counts as one table (a row per kind and channel, a column per status, with
totals per channel and per status), shown on the page and exported as an Excel workbook."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext

from eduapp.domain import reminders as rules
from eduapp.web.reminders.forms import CHANNEL_LABELS, STATUS_LABELS


@dataclass
class Line:
    kind: str | None  # None on a channel's total line and on the grand total
    channel: str | None  # None on the grand total
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass
class CountTable:
    lines: list[Line]  # kind x channel, in the order of KINDS and CHANNELS
    channel_totals: list[Line]
    grand_total: Line

    @property
    def empty(self) -> bool:
        return not self.lines


def count_table(rows) -> CountTable:
    """``rows``: reminder_sending.LogRow (kind, channel, status, count)."""
    cells: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for row in rows:
        cells[(row.kind, row.channel)][row.status] = cells[(row.kind, row.channel)].get(row.status, 0) + row.count

    def order(key: tuple[str, str]):
        kind, channel = key
        return (rules.KINDS.index(kind) if kind in rules.KINDS else len(rules.KINDS), kind,
                rules.CHANNELS.index(channel) if channel in rules.CHANNELS else len(rules.CHANNELS), channel)

    lines = [Line(kind, channel, counts)
             for (kind, channel), counts in sorted(cells.items(), key=lambda i: order(i[0]))]
    per_channel: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    grand: dict[str, int] = defaultdict(int)
    for line in lines:
        for status, count in line.by_status.items():
            per_channel[line.channel][status] += count
            grand[status] += count
    channel_totals = [Line(None, channel, dict(per_channel[channel])) for channel in
                      sorted(per_channel, key=lambda c: rules.CHANNELS.index(c) if c in rules.CHANNELS else 99)]
    return CountTable(lines, channel_totals, Line(None, None, dict(grand)))


def kind_label(kind: str | None) -> str:
    return gettext(rules.KIND_LABELS[kind]) if kind in rules.KIND_LABELS else (kind or "")


def channel_label(channel: str | None) -> str:
    return str(CHANNEL_LABELS.get(channel, channel or ""))


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def export_xlsx(table: CountTable, start: date, end: date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from eduapp.domain.safe_cells import xlsx_cells

    book = Workbook()
    sheet = book.active
    sheet.title = gettext("Deliveries")[:31]
    bold = Font(bold=True)
    headers = [gettext("Kind"), gettext("Channel"), *(status_label(s) for s in rules.STATUSES), gettext("Total")]
    sheet.append(xlsx_cells(sheet, headers))
    for cell in sheet[1]:
        cell.font = bold
    sheet.freeze_panes = "A2"

    def cells(line: Line) -> list[int]:
        return [*(line.by_status.get(s, 0) for s in rules.STATUSES), line.total]

    for line in table.lines:
        sheet.append(xlsx_cells(sheet, [kind_label(line.kind), channel_label(line.channel), *cells(line)]))
    for line in table.channel_totals:
        sheet.append(xlsx_cells(sheet, [gettext("All kinds"), channel_label(line.channel), *cells(line)]))
        for cell in sheet[sheet.max_row]:
            cell.font = bold
    sheet.append(xlsx_cells(sheet, [gettext("Total"), "", *cells(table.grand_total)]))
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    sheet.append([])
    sheet.append(xlsx_cells(sheet, [gettext("Period"), f"{start.isoformat()} – {end.isoformat()}"]))
    for letter, width in zip("ABCDEFGHI", (24, 10, 10, 10, 10, 10, 10, 10, 10), strict=False):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
