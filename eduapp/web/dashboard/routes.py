"""The bureau's dashboard: figures, tables and charts for a period and an organisation, the Excel
file of every table, and the printable annual summary (page and PDF). Bureau staff only."""

from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from eduapp.domain import periods
from eduapp.domain.problems import N_, Problem
from eduapp.domain.roles import Permission
from eduapp.i18n import message
from eduapp.security import require
from eduapp.services import dashboard
from eduapp.services.offsets import today_local
from eduapp.services.org_tree import OrgTree
from eduapp.web.dashboard import bp, present
from eduapp.web.helpers import whole_number

VIEWERS = (Permission.ORGS_VIEW,)
FIELD_LABELS = {"from": _l("From"), "to": _l("To"), "org": _l("Organisation"), "year": _l("Year")}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def problem_lines(problems: list[Problem]) -> list[str]:
    return [gettext("%(field)s: %(text)s", field=str(FIELD_LABELS.get(p.field, p.field)), text=message(p))
            for p in problems]


def _scope(raw: str | None, tree: OrgTree, problems: list[Problem]) -> dashboard.Scope:
    text = (raw or "").strip()
    if not text:
        return dashboard.Scope()
    number = whole_number(text)
    scope = dashboard.scope_of(number, tree) if number is not None else None
    if scope is None:
        problems.append(Problem(N_("There is no organisation %(value)s: showing all organisations."),
                                {"value": text[:20]}, "org"))
        return dashboard.Scope()
    return scope


def _choice(tree: OrgTree) -> tuple[periods.Period, dashboard.Scope, list[Problem]]:
    choice = periods.choose(request.args.get("from"), request.args.get("to"), today_local())
    problems = list(choice.problems)
    return choice.period, _scope(request.args.get("org"), tree, problems), problems


def _args(period: periods.Period, scope: dashboard.Scope) -> dict:
    args = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    if scope.org_id is not None:
        args["org"] = scope.org_id
    return args


@bp.context_processor
def helpers():
    return {"cell": present.text}


@bp.route("/")
@require(*VIEWERS)
def index():
    tree = OrgTree()
    period, scope, problems = _choice(tree)
    data = dashboard.build(period, scope, tree)
    today = today_local()
    presets = [(label, periods.preset(name, today)) for name, label in (
        (periods.THIS_YEAR, gettext("This year")), (periods.LAST_YEAR, gettext("Last year")),
        (periods.LAST_30_DAYS, gettext("Last 30 days")))]
    tables = {t.key: t for t in present.tables(data)}
    return render_template(
        "dashboard/index.html", d=data, problems=problem_lines(problems), presets=presets,
        args=_args(period, scope), units=dashboard.unit_choices(tree), cards=present.cards(data), tables=tables,
        charts=present.chart_set(data), page_rows=present.PAGE_ROWS,
        annual_year=period.end.year,
    )


@bp.route("/export.xlsx")
@require(*VIEWERS)
def export_xlsx():
    from eduapp.web.dashboard.export import workbook

    tree = OrgTree()
    period, scope, problems = _choice(tree)
    if problems:  # the page says what was wrong
        return redirect(url_for("dashboard.index", **request.args))
    data = dashboard.build(period, scope, tree)
    name = f"dashboard-{period.start}-{period.end}" + (f"-{scope.org_id}" if scope.org_id else "")
    return Response(workbook(present.tables(data)), mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename={name}.xlsx"})


def _annual() -> tuple[int, dashboard.Dashboard, list[Problem]]:
    tree = OrgTree()
    year, problems = periods.choose_year(request.args.get("year"), today_local())
    scope = _scope(request.args.get("org"), tree, problems)
    return year, dashboard.build(periods.year(year), scope, tree), problems


@bp.route("/annual")
@require(*VIEWERS)
def annual():
    from eduapp.web.dashboard.annual import summary

    year, data, problems = _annual()
    args = {"year": year, **({"org": data.scope.org_id} if data.scope.org_id else {})}
    return render_template("dashboard/annual.html", d=data, year=year, s=summary(year, data, today_local()),
                           problems=problem_lines(problems), args=args, back_args=_args(data.period, data.scope),
                           tables={t.key: t for t in present.tables(data)})


@bp.route("/annual.pdf")
@require(*VIEWERS)
def annual_pdf():
    from eduapp.web.dashboard.annual import pdf, summary

    year, data, problems = _annual()
    if problems:
        return redirect(url_for("dashboard.annual", **request.args))
    body = pdf(summary(year, data, today_local()), {t.key: t for t in present.tables(data)})
    name = f"annual-summary-{year}" + (f"-{data.scope.org_id}" if data.scope.org_id else "")
    return Response(body, mimetype="application/pdf", headers={"Content-Disposition": f"inline; filename={name}.pdf"})
