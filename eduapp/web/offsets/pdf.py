"""The 学法从轻审批表 as PDF (reportlab), with the Chinese font embedded (eduapp.pdf_fonts).

reportlab's Paragraph reads its text as markup: every text is escaped here, so a comment or a name
with ``<b>``, ``<img src=…>`` or ``&`` prints as written (and cannot break the document)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from eduapp.web.offsets.record import Record


def _text(value) -> str:
    return escape(str(value)).replace("\n", "<br/>")


def decision_record_pdf(record: Record) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from eduapp.pdf_fonts import cjk_font

    body = ParagraphStyle("body", fontName=cjk_font(), fontSize=10, leading=15, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=22, alignment=1)
    centred = ParagraphStyle("centred", parent=body, alignment=1)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=12)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, initialFontName=cjk_font(), title=record.title,
                            author=record.authority)
    cell = lambda value, style=body: Paragraph(_text(value), style)  # noqa: E731
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                       ("FONTNAME", (0, 0), (-1, -1), body.fontName)])  # also the empty cells: no Helvetica
    headed = TableStyle([*grid.getCommands(), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))])
    flow = [cell(record.authority, centred), Paragraph(_text(record.title), title), cell(record.subtitle, centred),
            Spacer(1, 5 * mm)]
    flow.append(Table([[cell(k), cell(v)] for k, v in record.facts], colWidths=[42 * mm, 132 * mm], style=grid))
    flow += [Spacer(1, 4 * mm)]
    rows = [[cell(h) for h in record.check_headings]]
    rows += [[cell(c.name), cell(c.result), cell(c.reason), cell(c.basis)] for c in record.checks]
    flow.append(Table(rows, colWidths=[32 * mm, 18 * mm, 76 * mm, 48 * mm], style=headed, repeatRows=1))
    flow += [Spacer(1, 4 * mm)]
    rows = [[cell(h) for h in record.step_headings]]
    rows += [[cell(s.step), cell(s.opinion), cell(s.comment), cell(s.signed_by), cell(s.date), cell("")]
             for s in record.steps]
    flow.append(Table(rows, colWidths=[20 * mm, 18 * mm, 60 * mm, 26 * mm, 24 * mm, 26 * mm], style=headed,
                      repeatRows=1, rowHeights=[None] + [16 * mm] * len(record.steps)))
    flow += [Spacer(1, 4 * mm), cell(record.note, small)]
    doc.build(flow)
    return out.getvalue()
