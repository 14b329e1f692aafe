"""The exam statistics page's Excel workbook: the per-organisation and per-question tables of
eduapp.services.exam_stats.report, and a summary, with the page's labels."""

from __future__ import annotations

import io

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from eduapp.domain.safe_cells import xlsx_cells
from eduapp.models import Exam
from eduapp.services import exam_stats
from eduapp.services.exam_stats import OrgRow
from eduapp.web.exam_stats.labels import FLAG_LABELS, PERCENT_LABELS, TYPE_LABELS

ORG_HEADERS = (
    _l("Organisation"), _l("Part of"), _l("Candidates"), _l("Attempted"), _l("Finished"),
    PERCENT_LABELS["participation"], _l("Passed"), PERCENT_LABELS["pass_rate"], _l("Mean score"),
)
QUESTION_HEADERS = (
    _l("Slot"), _l("Id"), _l("Version"), _l("Type"), _l("Stem"), _l("Points"), _l("Attempts"),
    PERCENT_LABELS["facility"], PERCENT_LABELS["sd"], PERCENT_LABELS["discrimination"], _l("Flags"),
)


def too_small(attempts: int) -> str:
    """What stands for a flag or alpha below EDUAPP_STATS_MIN_ATTEMPTS."""
    return gettext("Sample too small: %(n)s of the %(min)s attempts needed.", n=attempts,
                   min=current_app.config["STATS_MIN_ATTEMPTS"])


def _sheet_title(text: str) -> str:
    for bad in "[]:*?/\\":
        text = text.replace(bad, " ")
    return text[:31]


def export_xlsx(exam: Exam) -> bytes:
    """The per-organisation and per-question tables, and a summary, as an Excel workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    data = exam_stats.report(exam)
    book = Workbook()
    bold = Font(bold=True)

    def table(sheet, headers, rows, widths):
        sheet.append(xlsx_cells(sheet, [str(h) for h in headers]))
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
        for row in rows:
            sheet.append(xlsx_cells(sheet, row))  # text as text, never a formula (safe_cells.py)
        for letter, width in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", widths, strict=False):
            sheet.column_dimensions[letter].width = width

    def org_cells(r: OrgRow, name: str) -> list:
        return [name, r.parent_name, r.candidates, r.attempted, r.finished, r.participation, r.passed,
                r.pass_rate, r.mean]

    orgs = book.active
    orgs.title = _sheet_title(gettext("By organisation"))
    table(orgs, ORG_HEADERS, [*(org_cells(r, r.name) for r in data.orgs),
                              org_cells(data.total, gettext("All organisations"))],
          (36, 28, 10, 10, 10, 14, 10, 14, 12))

    questions = book.create_sheet(_sheet_title(gettext("By question")))
    table(questions, QUESTION_HEADERS, [
        [q.places, q.uid, q.version, str(TYPE_LABELS.get(q.qtype, q.qtype)), q.stem,
         q.points, q.stats.attempts, q.stats.facility, q.stats.sd, q.stats.discrimination,
         ", ".join(str(FLAG_LABELS[f]) for f in q.flags) if q.stats.sample_ok else too_small(q.stats.attempts)]
        for q in data.questions
    ], (8, 14, 8, 14, 60, 8, 10, 14, 14, 16, 28))

    summary = book.create_sheet(_sheet_title(gettext("Summary")))
    s = data.stats
    table(summary, (_l("Figure"), _l("Value")), [
        [gettext("Exam"), exam.title],
        [gettext("Attempts that count"), s.attempts],
        [gettext("Full marks"), data.max_score],
        [gettext("Pass score"), exam.pass_score],
        [gettext("Mean score"), s.mean],
        [gettext("Median score"), s.median],
        [gettext("Standard deviation"), s.sd],
        [str(PERCENT_LABELS["alpha"]), s.alpha if s.sample_ok else too_small(s.attempts)],
        *([gettext("Scores %(low)s to %(high)s", low=f"{low:g}", high=f"{high:g}"), count]
          for low, high, count in data.histogram),
    ], (36, 16))

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
