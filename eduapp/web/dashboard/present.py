"""The dashboard as people read it: headline cards, the tables (the page and the Excel file show the
same ones), the charts, in the reader's language. Money cells are ``Fen``, percentages ``Percent``,
so the page formats them and the spreadsheet keeps them as numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_decimal, gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from eduapp.domain import cases as case_rules
from eduapp.domain import charts
from eduapp.domain import reminders as reminder_rules
from eduapp.domain.dashboard import Dashboard, OrgRow, Trainings
from eduapp.domain.offsets import yuan
from eduapp.domain.trainings import KIND_LABELS as TRAINING_KINDS

CHANNEL_LABELS = {reminder_rules.INBOX: _l("Inbox"), reminder_rules.EMAIL: _l("E-mail"),
                  reminder_rules.SMS: _l("SMS")}
OWNER_LABELS = {"person": _l("Learners' own points"), "enterprise": _l("Enterprise pools")}
KIND_LABELS = {"enterprise": _l("Enterprise"), "government": _l("Government unit")}
PAGE_ROWS = 30  # rows of the organisation table on the page; the Excel file has them all


class Fen(int):
    """An amount of money in fen."""


class Percent(float):
    """A percentage (0-100)."""


def percent(value: float | None) -> Percent | None:
    return None if value is None else Percent(value)


def text(value: object) -> str:
    """A cell or a figure as the page shows it."""
    if value is None:
        return "—"
    if isinstance(value, Fen):
        return yuan(int(value))
    if isinstance(value, Percent):
        return f"{float(value):.1f}%"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, int):
        return format_decimal(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def status_label(status: str) -> str:
    return gettext(case_rules.STATUS_LABELS[status]) if status in case_rules.STATUS_LABELS else status


def kind_label(kind: str) -> str:
    return gettext(reminder_rules.KIND_LABELS[kind]) if kind in reminder_rules.KIND_LABELS else kind


def channel_label(channel: str) -> str:
    return str(CHANNEL_LABELS.get(channel, channel))


def bucket_label(bucket, long: bool = True) -> str:
    if bucket.month is None:
        return str(bucket.year)
    return f"{bucket.year}-{bucket.month:02d}" if long else str(bucket.month)


# --- headline figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    label: str
    value: object
    note: str = ""

    @property
    def shown(self) -> str:
        return text(self.value)


def kinds_note(trainings: Trainings) -> str:
    """The sessions of each kind, as the annual report counts them: "集中学法 4 · 法律培训讲座 5 · …"."""
    return " · ".join(f"{gettext(TRAINING_KINDS[kind])} {text(k.sessions)}" for kind, k in trainings.by_kind.items())


def cards(d: Dashboard) -> list[Card]:
    learners, exams, trainings, points, offsets, cases = (d.learners, d.exams, d.trainings, d.points, d.offsets,
                                                          d.cases)
    out = []
    if d.enterprises is not None:
        out.append(Card(gettext("Enterprises"), d.enterprises,
                        gettext("%(n)s took part", n=text(learners.enterprises_taking_part))))
    out += [
        Card(gettext("Learners"), learners.learners,
             gettext("%(civil)s civil servants, %(staff)s enterprise staff", civil=text(learners.civil_servants),
                     staff=text(learners.enterprise_staff))),
        Card(gettext("Participation"), percent(learners.participation),
             gettext("%(n)s took part", n=text(learners.participants))),
        Card(gettext("Exam results"), exams.takers, gettext("in %(n)s exams", n=text(exams.exams))),
        Card(gettext("Pass rate"), percent(exams.pass_rate), gettext("%(n)s passed", n=text(exams.passed))),
        Card(gettext("Training sessions"), trainings.sessions, kinds_note(trainings)),
        Card(gettext("Training attendance"), trainings.attendance,
             gettext("%(n)s people attended", n=text(trainings.attendees))),
        Card(gettext("Points issued"), points.issued),
        Card(gettext("Points spent on offsets"), points.spent),
        Card(gettext("Points expired"), points.expired),
        Card(gettext("Enterprises that offset a fine"), offsets.enterprises,
             gettext("%(n)s cases", n=text(offsets.applications))),
        Card(gettext("Total offset"), Fen(offsets.total_fen), gettext("%(n)s points", n=text(offsets.points))),
        Card(gettext("Penalty cases"), cases.cases, gettext("opened in the period")),
        Card(gettext("Fines decided"), Fen(cases.fines_fen), gettext("%(n)s decisions", n=text(cases.decided))),
        Card(gettext("Not penalised"), cases.not_penalised,
             gettext("%(n)s transferred", n=text(cases.transferred))),
        Card(gettext("Decided not to penalise"), cases.not_penalised_decided,
             gettext("decisions in the period (§33)")),
        Card(gettext("Reminders sent"), d.reminders.reminders,
             gettext("%(n)s deliveries failed", n=text(d.reminders.failed))),
    ]
    return out


# --- tables --------------------------------------------------------------------------------------------


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    total: list | None = None
    links: list[int | None] = field(default_factory=list)  # per row: the organisation to show instead
    indent: list[int] = field(default_factory=list)  # per row: the depth of a unit in the tree


def _org_cells(r: OrgRow) -> list:
    return [r.name, r.parent_name or None, str(KIND_LABELS.get(r.kind, r.kind)), r.learners, r.participants,
            percent(r.participation), r.takers, r.passed, percent(r.pass_rate)]


def tables(d: Dashboard) -> list[Table]:
    out = [Table("summary", gettext("Headline figures"), [gettext("Figure"), gettext("Value")],
                 [[c.label, c.value] for c in cards(d)])]

    orgs = Table("organisations", gettext("By organisation"), [
        gettext("Organisation"), gettext("Part of"), gettext("Kind"), gettext("Learners"), gettext("Took part"),
        gettext("Participation (%)"), gettext("Exam results"), gettext("Passed"), gettext("Pass rate (%)")])
    for r in d.orgs:
        orgs.rows.append(_org_cells(r))
        orgs.links.append(r.org_id if r.org_id != d.scope.org_id else None)
        orgs.indent.append(min(r.depth, 3))
    out.append(orgs)

    out.append(Table("exams", gettext("Exams"), [
        gettext("Exam"), gettext("Competition"), gettext("Exam results"), gettext("Passed"), gettext("Pass rate (%)")],
        [[r.title, r.is_competition, r.takers, r.passed, percent(r.pass_rate)] for r in d.exams.rows],
        total=[gettext("Total"), None, d.exams.takers, d.exams.passed, percent(d.exams.pass_rate)]))

    out.append(Table("training_kinds", gettext("Training sessions by kind"), [
        gettext("Kind"), gettext("Sessions"), gettext("Attendances")],
        [[gettext(TRAINING_KINDS[kind]), k.sessions, k.attendance] for kind, k in d.trainings.by_kind.items()],
        total=[gettext("Total"), d.trainings.sessions, d.trainings.attendance]))
    out.append(Table("trainings", gettext("Training sessions"), [
        gettext("Training"), gettext("Kind"), gettext("Held on"), gettext("Attendees"), gettext("Points each")],
        [[r.title, gettext(TRAINING_KINDS[r.kind]), r.held_on, r.attendees, r.points] for r in d.trainings.rows],
        total=[gettext("Total"), None, None, d.trainings.attendance, None]))

    p = d.points
    out.append(Table("points", gettext("Study points"), [
        gettext("Accounts"), gettext("Issued"), gettext("Spent on offsets"), gettext("Expired"), gettext("Reversed")],
        [[str(OWNER_LABELS.get(r.owner_kind, r.owner_kind)), r.issued, r.spent, r.expired, r.reversed]
         for r in p.rows],
        total=[gettext("Total"), p.issued, p.spent, p.expired, p.reversed]))

    o = d.offsets
    out.append(Table("offsets", gettext("Offsets granted"), [
        gettext("Enterprise"), gettext("Case number"), gettext("Approved on"), gettext("Offset (yuan)"),
        gettext("Study points")],
        [[r.enterprise, r.case_number, r.approved_on, Fen(r.offset_fen), r.points] for r in o.rows],
        total=[gettext("%(n)s enterprises", n=o.enterprises), None, None, Fen(o.total_fen), o.points]))

    c = d.cases
    out.append(Table("cases", gettext("Penalty cases by stage"), [
        gettext("Stage"), gettext("Cases"), gettext("Fines (yuan)")],
        [[status_label(r.status), r.cases, None if r.fine_fen is None else Fen(r.fine_fen)] for r in c.rows],
        total=[gettext("Total"), c.cases, None]))

    channels = list(d.reminders.sent)
    out.append(Table("reminders", gettext("Reminders by kind"), [
        gettext("Kind"), gettext("Reminders"),
        *(gettext("Sent by %(channel)s", channel=channel_label(ch)) for ch in channels), gettext("Failed")],
        [[kind_label(r.kind), r.reminders, *(r.sent.get(ch, 0) for ch in channels), r.failed]
         for r in d.reminders.rows],
        total=[gettext("Total"), d.reminders.reminders, *(d.reminders.sent[ch] for ch in channels),
               d.reminders.failed]))

    m = d.monthly
    by_year = bool(m.buckets) and m.buckets[0].month is None
    out.append(Table("months", gettext("By year") if by_year else gettext("By month"), [
        gettext("Year") if by_year else gettext("Month"), gettext("Exam attempts finished"), gettext("Passed"),
        gettext("Points issued"), gettext("Cases opened"), gettext("Reminders")],
        [[bucket_label(b), m.attempts[i], m.passed[i], m.points_issued[i], m.cases[i], m.reminders[i]]
         for i, b in enumerate(m.buckets)]))
    return out


# --- charts --------------------------------------------------------------------------------------------


def _column_labels(d: Dashboard) -> tuple[list[str], list[str]]:
    labels, sub = [], []
    for i, b in enumerate(d.monthly.buckets):
        labels.append(bucket_label(b, long=False))
        sub.append(str(b.year) if b.month is not None and (i == 0 or b.month == 1) else "")
    return labels, sub


def _pass_rate_bars(d: Dashboard) -> list[charts.Bar]:
    """Units down to their first level, then the enterprises together (each one is in the table)."""
    bars = [charts.Bar(r.name, r.pass_rate, f"{r.pass_rate:.1f}% ({r.passed}/{r.takers})")
            for r in d.orgs if r.kind != "enterprise" and r.depth <= 1 and r.takers]
    enterprises = OrgRow(None, gettext("Enterprises"), "enterprise")
    for r in d.orgs:
        if r.kind == "enterprise":
            enterprises.add(r)
    if enterprises.takers:
        name = d.orgs[0].name if d.scope.is_enterprise else gettext("All enterprises")
        bars.append(charts.Bar(name, enterprises.pass_rate,
                               f"{enterprises.pass_rate:.1f}% ({enterprises.passed}/{enterprises.takers})"))
    return bars


@dataclass(frozen=True)
class Chart:
    title: Markup  # shown above the chart (the SVG's own <title> is for screen readers and tooltips)
    svg: Markup


def chart_set(d: Dashboard) -> dict[str, Chart]:
    labels, sub = _column_labels(d)
    m = d.monthly
    nothing = gettext("Nothing in this period.")
    per = gettext("by year") if m.buckets and m.buckets[0].month is None else gettext("by month")
    svg = {
        "exams_by_month": charts.column_chart(
            "chart-exams", gettext("Exam attempts %(per)s", per=per),
            gettext("Columns: attempts finished; line: attempts passed."), labels,
            charts.Series(gettext("Finished"), m.attempts, charts.PALETTE[0]),
            charts.Series(gettext("Passed"), m.passed, charts.PALETTE[1]), sublabels=sub, empty_text=nothing),
        "pass_rates": charts.bar_chart(
            "chart-pass-rates", gettext("Pass rate by organisation"),
            gettext("Results passed as a share of the exam results of each organisation."),
            _pass_rate_bars(d), max_value=100, empty_text=nothing),
        "points_by_month": charts.column_chart(
            "chart-points", gettext("Study points issued %(per)s", per=per), "", labels,
            charts.Series(gettext("Points issued"), m.points_issued, charts.PALETTE[2]), sublabels=sub,
            empty_text=nothing),
        "cases_by_stage": charts.bar_chart(
            "chart-cases", gettext("Penalty cases by stage"),
            gettext("Cases opened in the period, by their stage now."),
            [charts.Bar(status_label(r.status), r.cases, format_decimal(r.cases)) for r in d.cases.rows if r.cases],
            color=charts.PALETTE[3], empty_text=nothing),
        "cases_by_month": charts.column_chart(
            "chart-cases-month", gettext("Penalty cases opened %(per)s", per=per), "", labels,
            charts.Series(gettext("Cases opened"), m.cases, charts.PALETTE[3]), sublabels=sub, empty_text=nothing),
        "reminders_by_kind": charts.bar_chart(
            "chart-reminders", gettext("Reminders by kind"), "",
            [charts.Bar(kind_label(r.kind), r.reminders, format_decimal(r.reminders))
             for r in d.reminders.rows if r.reminders],
            color=charts.PALETTE[4], empty_text=nothing),
    }
    titles = {key: re.search(r"<title id=[^>]*>([^<]*)</title>", value).group(1) for key, value in svg.items()}
    return {key: Chart(Markup(titles[key]), Markup(value))  # noqa: S704 (escaped in domain.charts)
            for key, value in svg.items()}
