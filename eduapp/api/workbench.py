"""My 工作台 as JSON: the same panels as the home page, one key per kind of role I hold
(docs/workbench.md, docs/api.md)."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields

from eduapp.api.arguments import Blueprint
from eduapp.api.errors import responds
from eduapp.models import utcnow
from eduapp.security import signed_in
from eduapp.services import workbench

blp = Blueprint("api_workbench", __name__, url_prefix="/api/v1", description="My workbench (工作台)")

def _link():
    return fields.String(required=True, metadata={"description": "the page it concerns, a path on this site"})


class WorkbenchPoolOut(Schema):
    available = fields.Integer(required=True)
    reserved = fields.Integer(required=True)
    expiring_soon = fields.Integer(required=True, metadata={"description": "points expiring within 30 days"})
    link = _link()


class WorkbenchPointsOut(WorkbenchPoolOut):
    next_expiry_points = fields.Integer(allow_none=True, required=True)
    next_expiry_on = fields.Date(allow_none=True, required=True, metadata={"description": "a day in China"})


class WorkbenchDailyOut(Schema):
    questions = fields.Integer(required=True, metadata={"description": "today's set (0: the bank is empty)"})
    answered = fields.Integer(required=True)
    right = fields.Integer(required=True)
    done = fields.Boolean(required=True)
    link = _link()


class WorkbenchOpenExamOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    close_at = fields.DateTime(required=True)
    attempts_left = fields.Integer(required=True)
    in_progress = fields.Boolean(required=True)
    link = _link()


class WorkbenchResultOut(Schema):
    attempt_id = fields.Integer(required=True)
    exam = fields.String(required=True)
    submitted_at = fields.DateTime(allow_none=True, required=True)
    score = fields.Float(required=True, metadata={"description": "points"})
    max_score = fields.Float(required=True)
    passed = fields.Boolean(required=True)
    link = _link()


class WorkbenchTrainingOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "collective_study, lecture, head_lecture or other"})
    held_at = fields.DateTime(required=True)
    place = fields.String(allow_none=True, required=True)
    link = _link()


class WorkbenchCaseStudyOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    published_at = fields.DateTime(required=True)
    questions = fields.Integer(required=True, metadata={"description": "published questions attached to practise"})
    link = _link()


class WorkbenchLearnerOut(Schema):
    points = fields.Nested(WorkbenchPointsOut, required=True)
    daily = fields.Nested(WorkbenchDailyOut, required=True)
    exams = fields.List(fields.Nested(WorkbenchOpenExamOut), required=True,
                        metadata={"description": "open now, visible to me, not passed yet"})
    trainings = fields.List(fields.Nested(WorkbenchTrainingOut), required=True,
                            metadata={"description": "trainings to come that I registered for, soonest first"})
    streak = fields.Integer(required=True, metadata={"description": "consecutive days in China with study"})
    recent_results = fields.List(fields.Nested(WorkbenchResultOut), required=True)
    case_study = fields.Nested(WorkbenchCaseStudyOut, allow_none=True, required=True,
                               metadata={"description": "以案释法: the newest published case study, or null"})


class WorkbenchCaseOut(Schema):
    id = fields.Integer(required=True)
    case_number = fields.String(required=True)
    status = fields.String(required=True)
    proposed_fine = fields.Integer(required=True, metadata={"description": "fen"})
    state = fields.String(required=True, metadata={
        "description": "not_penalised | non_penalty_applies | applied | eligible | not_eligible | no_rule"})
    application_status = fields.String(metadata={"description": "state applied"})
    step = fields.String(allow_none=True, metadata={"description": "state applied: officer | reviewer | approver"})
    offset = fields.Integer(metadata={"description": "fen: applied for, or (eligible) the most it can take off"})
    points = fields.Integer()
    reason = fields.String(metadata={"description": "state not_eligible: why"})
    link = _link()


class WorkbenchCompletionOut(Schema):
    exam_id = fields.Integer(required=True)
    title = fields.String(required=True)
    close_at = fields.DateTime(required=True)
    staff = fields.Integer(required=True, metadata={"description": "staff the exam is open to"})
    passed = fields.Integer(required=True)
    not_passed = fields.List(fields.String(), required=True, metadata={"description": "names, at most 10"})
    not_passed_count = fields.Integer(required=True)


class WorkbenchEnterpriseOut(Schema):
    pool = fields.Nested(WorkbenchPoolOut, required=True)
    cases = fields.List(fields.Nested(WorkbenchCaseOut), required=True)
    offset_possible = fields.Integer(required=True, metadata={"description": "fen, over the eligible cases"})
    points_needed = fields.Integer(required=True)
    completion = fields.List(fields.Nested(WorkbenchCompletionOut), required=True)
    unread = fields.Integer(required=True, metadata={"description": "my unread notices"})
    links = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class WorkbenchTodoApplicationOut(Schema):
    id = fields.Integer(required=True)
    case_number = fields.String(required=True)
    enterprise = fields.String(required=True)
    step = fields.String(allow_none=True, required=True)
    filed_at = fields.DateTime(required=True)
    step_deadline = fields.DateTime(allow_none=True, required=True)
    points = fields.Integer(required=True)
    offset = fields.Integer(required=True, metadata={"description": "fen"})
    due_on = fields.Date(allow_none=True, required=True, metadata={"description": "the case's §60 deadline"})
    days_left = fields.Integer(allow_none=True, required=True, metadata={"description": "negative: overdue"})
    link = _link()


class WorkbenchTodoCaseOut(Schema):
    id = fields.Integer(required=True)
    case_number = fields.String(required=True)
    enterprise = fields.String(required=True)
    status = fields.String(required=True)
    opened_on = fields.Date(required=True)
    due_on = fields.Date(allow_none=True, required=True)
    days_left = fields.Integer(allow_none=True, required=True)
    link = _link()


class WorkbenchTodoOut(Schema):
    applications = fields.List(fields.Nested(WorkbenchTodoApplicationOut), required=True,
                               metadata={"description": "oldest first"})
    applications_count = fields.Integer(required=True)
    cases = fields.List(fields.Nested(WorkbenchTodoCaseOut), required=True,
                        metadata={"description": "case officers: their running cases, soonest deadline first"})
    cases_count = fields.Integer(required=True)
    links = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class WorkbenchFlaggedOut(Schema):
    exam_id = fields.Integer(required=True)
    exam = fields.String(required=True)
    question_id = fields.Integer(required=True)
    uid = fields.String(required=True)
    stem = fields.String(required=True)
    flags = fields.List(fields.String(), required=True,
                        metadata={"description": "too_hard | too_easy | not_discriminating"})
    link = _link()


class WorkbenchDraftQuestionOut(Schema):
    id = fields.Integer(required=True)
    uid = fields.String(required=True)
    updated_at = fields.DateTime(required=True)
    link = _link()


class WorkbenchExamItemOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    open_at = fields.DateTime(required=True)
    close_at = fields.DateTime()
    link = _link()


class WorkbenchContentOut(Schema):
    flagged = fields.List(fields.Nested(WorkbenchFlaggedOut), required=True)
    question_drafts = fields.List(fields.Nested(WorkbenchDraftQuestionOut),
                                  metadata={"description": "question editors"})
    question_drafts_count = fields.Integer()
    exam_drafts = fields.List(fields.Nested(WorkbenchExamItemOut), metadata={"description": "exam managers"})
    exam_drafts_count = fields.Integer()
    opening_soon = fields.List(fields.Nested(WorkbenchExamItemOut),
                               metadata={"description": "exam managers: within 7 days"})
    links = fields.Dict(keys=fields.String(), values=fields.String())


class WorkbenchFailureOut(Schema):
    id = fields.Integer(required=True)
    channel = fields.String(required=True)
    kind = fields.String(required=True)
    error = fields.String(required=True)
    at = fields.DateTime(required=True)


class WorkbenchLastScanOut(Schema):
    at = fields.DateTime(allow_none=True, required=True)
    source = fields.String(required=True, metadata={
        "description": "scan: stored by the beat's scan; reminder: the newest reminder row; none"})
    hours_ago = fields.Float(allow_none=True, required=True)


class WorkbenchAuditCheckOut(Schema):
    at = fields.DateTime(required=True)
    by = fields.String(required=True)
    checked = fields.Integer(required=True)
    ok = fields.Boolean(required=True)
    broken_record = fields.Integer(allow_none=True, required=True)
    reason = fields.String(allow_none=True, required=True)


class WorkbenchAdminOut(Schema):
    failed_deliveries = fields.Integer(required=True)
    failures = fields.List(fields.Nested(WorkbenchFailureOut), required=True,
                           metadata={"description": "the newest five"})
    last_scan = fields.Nested(WorkbenchLastScanOut, required=True)
    audit = fields.Nested(WorkbenchAuditCheckOut, allow_none=True, required=True,
                          metadata={"description": "the last check of the audit chain; null: never checked"})
    links = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class WorkbenchOut(Schema):
    learner = fields.Nested(WorkbenchLearnerOut,
                            metadata={"description": "enterprise staff and contacts, civil servants"})
    enterprise = fields.Nested(WorkbenchEnterpriseOut, metadata={"description": "enterprise contacts"})
    todo = fields.Nested(WorkbenchTodoOut, metadata={"description": "case officers, legal reviewers, approvers"})
    content = fields.Nested(WorkbenchContentOut, metadata={"description": "question editors, exam managers"})
    admin = fields.Nested(WorkbenchAdminOut, metadata={"description": "system administrators"})


@blp.route("/me/workbench")
@signed_in
@blp.response(200, WorkbenchOut)
@responds(blp, 401, 403)
def my_workbench():
    """My 工作台: a key for each kind of role I hold (absent otherwise), as the home page shows it."""
    return workbench.build(current_user._get_current_object(), utcnow())
