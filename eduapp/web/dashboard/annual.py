"""The annual summary: the year's figures written out as the paragraphs of an annual report on
governing by law (the bureau's report of 2024 is the model), for the page and for the PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext

from eduapp.domain.dashboard import Dashboard
from eduapp.domain.trainings import COLLECTIVE_STUDY, HEAD_LECTURE, LECTURE, OTHER
from eduapp.web.dashboard.present import PAGE_ROWS, Fen, Table, percent, text


@dataclass
class Summary:
    title: str
    subtitle: str
    note: str = ""
    sections: list[tuple[str, list[str]]] = field(default_factory=list)


def summary(year: int, d: Dashboard, today: date) -> Summary:
    t = text
    learners, exams, trainings, points, offsets, cases = (d.learners, d.exams, d.trainings, d.points, d.offsets,
                                                          d.cases)
    organisation = d.scope.name or gettext("All organisations")
    out = Summary(gettext("Annual summary of law study and enforcement, %(year)s", year=year),
                  gettext("%(organisation)s · %(start)s to %(end)s", organisation=organisation,
                          start=d.period.start.isoformat(), end=d.period.end.isoformat()))
    if year == today.year:
        out.note = gettext("The year is not over: figures up to %(date)s.", date=today.isoformat())

    study = [gettext(
        "In %(year)s, %(learners)s learners were registered on the platform: %(civil)s civil servants and "
        "%(staff)s staff of enterprises. %(participants)s of them (%(participation)s) practised or took an exam.",
        year=year, learners=t(learners.learners), civil=t(learners.civil_servants), staff=t(learners.enterprise_staff),
        participants=t(learners.participants), participation=t(percent(learners.participation)))]
    if d.enterprises is not None and d.scope.is_all:
        study.append(gettext("Staff of %(taking_part)s of the %(enterprises)s enterprises on the roster took part.",
                             taking_part=t(learners.enterprises_taking_part), enterprises=t(d.enterprises)))
    study.append(gettext(
        "%(sessions)s law training sessions were held, with %(attendance)s attendances by %(attendees)s people.",
        sessions=t(trainings.sessions), attendance=t(trainings.attendance), attendees=t(trainings.attendees)))
    kinds = trainings.by_kind
    study.append(gettext(
        "By kind: %(collective)s collective law study sessions, %(lectures)s legal training lectures, %(head)s "
        "sessions where the head of a unit taught law, and %(other)s other trainings.",
        collective=t(kinds[COLLECTIVE_STUDY].sessions), lectures=t(kinds[LECTURE].sessions),
        head=t(kinds[HEAD_LECTURE].sessions), other=t(kinds[OTHER].sessions)))
    study.append(gettext(
        "%(takers)s exam results were recorded in %(exams)s exams; %(passed)s passed, a pass rate of %(rate)s.",
        takers=t(exams.takers), exams=t(exams.exams), passed=t(exams.passed), rate=t(percent(exams.pass_rate))))
    out.sections.append((gettext("Law study and exams"), study))

    out.sections.append((gettext("Study points and fine offsets"), [
        gettext("%(issued)s study points were issued, %(spent)s were spent on fine offsets and %(expired)s expired.",
                issued=t(points.issued), spent=t(points.spent), expired=t(points.expired)),
        gettext("%(enterprises)s enterprises used study points to offset fines, %(total)s in all, on %(cases)s cases.",
                enterprises=t(offsets.enterprises), total=t(Fen(offsets.total_fen)), cases=t(offsets.applications)),
    ]))
    out.sections.append((gettext("Enforcement"), [gettext(
        "%(cases)s administrative penalty cases were opened; %(decided)s penalty decisions set fines of %(fines)s "
        "in all. Under inclusive and prudent supervision, %(not_penalised)s cases were not penalised; "
        "%(transferred)s were transferred to other authorities.",
        cases=t(cases.cases), decided=t(cases.decided), fines=t(Fen(cases.fines_fen)),
        not_penalised=t(cases.not_penalised_decided), transferred=t(cases.transferred))]))
    sent = d.reminders.sent
    out.sections.append((gettext("Early warnings"), [gettext(
        "%(reminders)s early-warning reminders were sent through the platform (%(email)s also by e-mail and "
        "%(sms)s by text message).",
        reminders=t(d.reminders.reminders), email=t(sent.get("email", 0)), sms=t(sent.get("sms", 0)))]))
    return out


def _widths(total: float, columns: int) -> list[float]:
    """The first column (names) gets a third of the width, or more when there are few columns."""
    first = total * (0.55 if columns <= 2 else 0.3)
    return [first] + [(total - first) / (columns - 1)] * (columns - 1) if columns > 1 else [total]


PDF_TABLES = ("summary", "organisations", "exams", "training_kinds", "trainings", "offsets", "cases", "reminders")


def pdf(s: Summary, tables: dict[str, Table]) -> bytes:
    """A4, with the Chinese font embedded (eduapp.pdf_fonts)."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    from eduapp.pdf_fonts import cjk_font

    body = ParagraphStyle("body", fontName=cjk_font(), fontSize=10.5, leading=17, wordWrap="CJK",
                          firstLineIndent=21, spaceAfter=4)
    plain = ParagraphStyle("plain", parent=body, firstLineIndent=0, fontSize=9, leading=12, spaceAfter=0)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=24, alignment=1, firstLineIndent=0)
    centred = ParagraphStyle("centred", parent=plain, alignment=1, fontSize=10)
    heading = ParagraphStyle("heading", parent=body, fontSize=12, leading=18, firstLineIndent=0, spaceBefore=6)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, initialFontName=cjk_font(), title=s.title)
    flow = [Paragraph(escape(s.title), title), Paragraph(escape(s.subtitle), centred)]
    if s.note:
        flow.append(Paragraph(escape(s.note), centred))
    flow.append(Spacer(1, 6 * mm))
    for name, paragraphs in s.sections:
        flow.append(Paragraph(escape(name), heading))
        flow += [Paragraph(escape(p), body) for p in paragraphs]
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                       ("FONTNAME", (0, 0), (-1, -1), body.fontName),
                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9f2ee"))])
    for key in PDF_TABLES:
        table = tables.get(key)
        if table is None or not table.rows:
            continue
        rows = table.rows[:PAGE_ROWS] if key == "organisations" else table.rows
        lines = [table.headers, *rows, *([table.total] if table.total else [])]
        cells = [[Paragraph(escape(text(v) if i else str(v)), plain) for v in line] for i, line in enumerate(lines)]
        flow += [Spacer(1, 4 * mm), Paragraph(escape(table.title), heading),
                 PdfTable(cells, colWidths=_widths(doc.width, len(table.headers)), style=grid, repeatRows=1,
                          hAlign="LEFT")]
        if len(table.rows) > len(rows):
            flow.append(Paragraph(escape(gettext("The first %(n)s of %(total)s rows; the Excel file has them all.",
                                                 n=len(rows), total=len(table.rows))), plain))
    doc.build(flow)
    return out.getvalue()
