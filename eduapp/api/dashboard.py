"""The bureau's dashboard figures as JSON (the same figures as /dashboard/; docs/dashboard.md says
what each counts). Money in fen, points whole, percentages with one decimal (null when there is
nothing to divide by), dates in China."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from eduapp.api.arguments import Blueprint
from eduapp.api.common import MAX_ID
from eduapp.api.errors import ApiError, responds
from eduapp.domain import periods
from eduapp.domain.problems import N_, Problem
from eduapp.domain.roles import Permission
from eduapp.i18n import message
from eduapp.security import require
from eduapp.services import dashboard
from eduapp.services.offsets import today_local

blp = Blueprint("api_dashboard", __name__, url_prefix="/api/v1", description="The bureau's dashboard")


class DashboardArgs(Schema):
    from_ = fields.String(data_key="from", load_default="",
                          metadata={"description": "first day, YYYY-MM-DD (default: 1 January of this year)"})
    to = fields.String(load_default="", metadata={"description": "last day, YYYY-MM-DD (default: today)"})
    org_id = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=MAX_ID),
                            metadata={"description": "a government unit (with the units below it) or an enterprise"})


class DashboardPeriodOut(Schema):
    from_ = fields.Date(data_key="from", attribute="start")
    to = fields.Date(attribute="end")


class DashboardOrganisationOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String(metadata={"description": "government | enterprise"})


class DashboardLearnersOut(Schema):
    learners = fields.Integer(metadata={"description": "active accounts with a learner role"})
    civil_servants = fields.Integer()
    enterprise_staff = fields.Integer(metadata={"description": "enterprise staff and contacts"})
    participants = fields.Integer(metadata={"description": "learners who started an exam or practised"})
    participation_percent = fields.Float(allow_none=True)
    enterprises_taking_part = fields.Integer()


class DashboardExamRowOut(Schema):
    exam_id = fields.Integer()
    title = fields.String()
    is_competition = fields.Boolean()
    takers = fields.Integer()
    passed = fields.Integer()
    pass_rate_percent = fields.Float(allow_none=True)


class DashboardExamsOut(Schema):
    exams = fields.Integer()
    attempts = fields.Integer(metadata={"description": "finished attempts"})
    takers = fields.Integer(metadata={"description": "results: one per candidate and exam"})
    passed = fields.Integer()
    pass_rate_percent = fields.Float(allow_none=True)
    by_exam = fields.List(fields.Nested(DashboardExamRowOut))


class DashboardOrgRowOut(Schema):
    org_id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    depth = fields.Integer(metadata={"description": "0 for a top unit or an enterprise"})
    learners = fields.Integer()
    participants = fields.Integer()
    takers = fields.Integer()
    passed = fields.Integer()
    participation_percent = fields.Float(allow_none=True)
    pass_rate_percent = fields.Float(allow_none=True)


class DashboardTrainingRowOut(Schema):
    training_id = fields.Integer()
    title = fields.String()
    held_on = fields.Date()
    attendees = fields.Integer()
    points = fields.Integer()
    kind = fields.String(metadata={"description": "collective_study | lecture | head_lecture | other"})


class DashboardTrainingKindOut(Schema):
    sessions = fields.Integer()
    attendance = fields.Integer(metadata={"description": "attendances (person-sessions)"})


class DashboardTrainingsOut(Schema):
    sessions = fields.Integer()
    attendance = fields.Integer(metadata={"description": "attendances (person-sessions)"})
    attendees = fields.Integer(metadata={"description": "different people"})
    by_training = fields.List(fields.Nested(DashboardTrainingRowOut))
    by_kind = fields.Dict(keys=fields.String(), values=fields.Nested(DashboardTrainingKindOut),
                          metadata={"description": "every kind (collective_study 集中学法, lecture 法律培训讲座, "
                                                   "head_lecture 一把手讲法, other), also those without sessions"})


class DashboardPointsOut(Schema):
    issued = fields.Integer()
    spent = fields.Integer()
    expired = fields.Integer()
    reversed = fields.Integer()


class DashboardOffsetRowOut(Schema):
    application_id = fields.Integer()
    enterprise = fields.String()
    case_number = fields.String()
    offset_fen = fields.Integer()
    points = fields.Integer()
    approved_on = fields.Date()


class DashboardOffsetsOut(Schema):
    enterprises = fields.Integer()
    applications = fields.Integer()
    total_fen = fields.Integer()
    points = fields.Integer()
    by_application = fields.List(fields.Nested(DashboardOffsetRowOut))


class DashboardCaseStatusOut(Schema):
    cases = fields.Integer()
    fine_fen = fields.Integer(allow_none=True, metadata={"description": "null: no fine (not penalised, transferred)"})


class DashboardCasesOut(Schema):
    cases = fields.Integer(metadata={"description": "opened in the period"})
    fines_fen = fields.Integer(metadata={"description": "decided fines"})
    proposed_fen = fields.Integer(metadata={"description": "proposed fines of the cases still open"})
    decided = fields.Integer()
    not_penalised = fields.Integer(metadata={"description": "opened in the period, now not penalised"})
    transferred = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Nested(DashboardCaseStatusOut))
    not_penalised_decided = fields.Integer(metadata={"description": "decided not to be penalised (§33) in the "
                                                                    "period, by decision date: the annual report's "
                                                                    "count"})
    not_penalised_by_ground = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "minor_no_harm | first_violation | no_fault | unrecorded (not_penalised without a record)"})


class DashboardReminderKindOut(Schema):
    reminders = fields.Integer()
    sent = fields.Dict(keys=fields.String(), values=fields.Integer())
    failed = fields.Integer()


class DashboardRemindersOut(Schema):
    reminders = fields.Integer()
    sent = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={"description": "by channel"})
    failed = fields.Integer()
    by_kind = fields.Dict(keys=fields.String(), values=fields.Nested(DashboardReminderKindOut))


class DashboardMonthOut(Schema):
    month = fields.String(metadata={"description": "YYYY-MM, or YYYY when the period spans over 24 months"})
    attempts = fields.Integer()
    passed = fields.Integer()
    points_issued = fields.Integer()
    cases = fields.Integer()
    reminders = fields.Integer()


class DashboardOut(Schema):
    period = fields.Nested(DashboardPeriodOut)
    organisation = fields.Nested(DashboardOrganisationOut, allow_none=True)
    enterprises = fields.Integer(allow_none=True, metadata={"description": "active enterprises (null for a unit)"})
    learners = fields.Nested(DashboardLearnersOut)
    organisations = fields.List(fields.Nested(DashboardOrgRowOut))
    exams = fields.Nested(DashboardExamsOut)
    trainings = fields.Nested(DashboardTrainingsOut)
    points = fields.Nested(DashboardPointsOut)
    offsets = fields.Nested(DashboardOffsetsOut)
    cases = fields.Nested(DashboardCasesOut)
    reminders = fields.Nested(DashboardRemindersOut)
    monthly = fields.List(fields.Nested(DashboardMonthOut))


def _invalid(problems: list[Problem]):
    found = {p.field or "request": message(p) for p in problems}
    return ApiError(422, "invalid", "; ".join(f"{k}: {v}" for k, v in found.items()), found)


def as_json(d: dashboard.Dashboard) -> dict:
    scope = d.scope
    return {
        "period": d.period,
        "organisation": None if scope.is_all else {"id": scope.org_id, "name": scope.name, "kind": scope.kind},
        "enterprises": d.enterprises,
        "learners": {**vars(d.learners), "participation_percent": d.learners.participation},
        "organisations": [{**vars(r), "participation_percent": r.participation, "pass_rate_percent": r.pass_rate}
                          for r in d.orgs],
        "exams": {**vars(d.exams), "pass_rate_percent": d.exams.pass_rate,
                  "by_exam": [{**vars(r), "pass_rate_percent": r.pass_rate} for r in d.exams.rows]},
        "trainings": {**vars(d.trainings), "by_training": [vars(r) for r in d.trainings.rows],
                      "by_kind": {kind: vars(k) for kind, k in d.trainings.by_kind.items()}},
        "points": vars(d.points),
        "offsets": {**vars(d.offsets), "by_application": [vars(r) for r in d.offsets.rows]},
        "cases": {**vars(d.cases), "by_status": {r.status: {"cases": r.cases, "fine_fen": r.fine_fen}
                                                 for r in d.cases.rows}},
        "reminders": {**vars(d.reminders), "by_kind": {r.kind: vars(r) for r in d.reminders.rows}},
        "monthly": [
            {"month": f"{b.year}-{b.month:02d}" if b.month else str(b.year), "attempts": m.attempts[i],
             "passed": m.passed[i], "points_issued": m.points_issued[i], "cases": m.cases[i],
             "reminders": m.reminders[i]}
            for m in (d.monthly,) for i, b in enumerate(m.buckets)
        ],
    }


@blp.route("/dashboard")
@require(Permission.ORGS_VIEW)
@blp.arguments(DashboardArgs, location="query")
@blp.response(200, DashboardOut)
@responds(blp, 401, 403, 422)
def get_dashboard(args):
    """The dashboard's figures for a period (default: this year up to today) and optionally an
    organisation (bureau staff)."""
    choice = periods.choose(args["from_"], args["to"], today_local())
    if choice.problems:
        raise _invalid(choice.problems)
    scope = dashboard.scope_of(args["org_id"])
    if scope is None:
        raise _invalid([Problem(N_("There is no organisation %(value)s."), {"value": args["org_id"]}, "org_id")])
    return as_json(dashboard.build(choice.period, scope))
