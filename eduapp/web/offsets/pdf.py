"""The offset decision record as PDF (reportlab, with its built-in Chinese CID font: no font files)."""

from __future__ import annotations

import io

from flask_babel import format_datetime
from flask_babel import gettext as _

from eduapp.domain.offsets import yuan

STEP_NAMES = {"officer": "承办人", "reviewer": "法制审核", "approver": "负责人"}


def decision_record_pdf(application, deciders) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=10, leading=15, wordWrap="CJK")
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=22, alignment=1)
    case = application.case
    rule = application.rule_set
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=_("Offset decision record"))
    flow = [Paragraph(_("Offset decision record"), title), Spacer(1, 6 * mm)]
    facts = [
        (_("Case number"), case.case_number),
        (_("Enterprise"), case.enterprise.name),
        (_("Violation"), f"{case.violation_type.code} {case.violation_type.name}"),
        (_("Legal basis"), f"《{case.violation_type.law}》{case.violation_type.article}"),
        (_("Rule set"), f"{rule.name}（{rule.doc_number}）v{rule.version}"),
        (_("Proposed fine before the offset"), yuan(application.fine_before)),
        (_("Offset"), f"{yuan(application.offset_fen)}（{application.points}）"),
        (_("Proposed fine after the offset"), yuan(application.fine_after)),
        (_("Outcome"), application.status),
    ]
    cell = lambda text: Paragraph(str(text), body)  # noqa: E731
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    flow.append(Table([[cell(k), cell(v)] for k, v in facts], colWidths=[50 * mm, 124 * mm], style=grid))
    flow += [Spacer(1, 5 * mm), Paragraph(_("Checks"), body)]
    rows = [[cell(_("Check")), cell(_("Result")), cell(_("Reason")), cell(_("Legal basis"))]]
    for c in application.evaluation.get("checks", []):
        rows.append([cell(c["key"]), cell("✓" if c["passed"] else "✗"), cell(c["reason"]), cell(c["basis"])])
    flow.append(Table(rows, colWidths=[30 * mm, 12 * mm, 82 * mm, 50 * mm], style=grid, repeatRows=1))
    flow += [Spacer(1, 5 * mm), Paragraph(_("Decisions"), body)]
    rows = [[cell(_("Step")), cell(_("Decided by")), cell(_("Decision")), cell(_("When")), cell(_("Comment"))]]
    for step, (user, d) in deciders.items():
        rows.append([cell(STEP_NAMES.get(step, step)), cell(user.full_name), cell(d.decision),
                     cell(format_datetime(d.decided_at, "yyyy-MM-dd HH:mm")), cell(d.comment)])
    flow.append(Table(rows, colWidths=[24 * mm, 30 * mm, 20 * mm, 34 * mm, 66 * mm], style=grid, repeatRows=1))
    doc.build(flow)
    return out.getvalue()
