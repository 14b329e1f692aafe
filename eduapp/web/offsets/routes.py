"""Fine offsets in the browser: the enterprise contact's cases with previews and applications, the
bureau's review queue and decisions, the 学法从轻审批表 (page and PDF), and rule sets."""

from __future__ import annotations

from datetime import date, datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eduapp.domain import offsets as rules
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.domain.roles import Permission
from eduapp.i18n import attach_problems, message
from eduapp.security import require
from eduapp.services import offsets, rule_sets
from eduapp.services.offsets import OffsetError
from eduapp.web.forms import ConfirmForm
from eduapp.web.helpers import flash_ok
from eduapp.web.offsets import bp
from eduapp.web.offsets.forms import ApplyForm, DecisionForm, DiscussionForm, RuleSetForm

REVIEWERS = (Permission.CASES_HANDLE, Permission.OFFSETS_REVIEW, Permission.OFFSETS_APPROVE)
RULE_EDITORS = (Permission.OFFSETS_REVIEW, Permission.OFFSETS_APPROVE)


def _flash_error(error: OffsetError) -> None:
    flash(message(Problem(error.msgid, error.params)), "warning")


def _pool_balance():
    from eduapp.services import points

    return points.balance(points.pool_account(current_user.organisation))


@bp.route("/")
@require(Permission.ROSTER_MANAGE)
def index():
    cases = offsets.cases_of(current_user.organisation_id)
    previews = {c.id: offsets.preview(c) for c in cases if c.status in rules.OPEN_STAGES}
    return render_template("offsets/index.html", cases=cases, previews=previews, balance=_pool_balance(),
                           applications=offsets.applications_of(current_user.organisation_id),
                           open_application=offsets.open_application, confirm=ConfirmForm())


def _case_page(found, apply_form: ApplyForm, status: int = 200):
    from eduapp.services import case_deadlines

    return render_template("offsets/case.html", case=found, preview=offsets.preview(found),
                           application=offsets.open_application(found.id), apply_form=apply_form,
                           undertaking=offsets.UNDERTAKING, payment=case_deadlines.payment_of(found)), status


@bp.route("/cases/<id:case_id>")
@require(Permission.ROSTER_MANAGE)
def case(case_id: int):
    found = offsets.case_for(current_user, case_id)
    if found is None:
        abort(404)
    return _case_page(found, ApplyForm())


@bp.route("/cases/<id:case_id>/apply", methods=["POST"])
@require(Permission.ROSTER_MANAGE)
def apply(case_id: int):
    found = offsets.case_for(current_user, case_id)
    form = ApplyForm()
    if found is None or not form.validate_on_submit():
        abort(404)
    if not form.undertaking.data:
        attach_problems(form, [Problem(N_("Accept the undertaking to apply."), {}, "undertaking")])
        return _case_page(found, form, 400)
    try:
        application = offsets.apply(current_user, found, undertaking=True)
    except OffsetError as error:
        _flash_error(error)
        return redirect(url_for("offsets.case", case_id=case_id))
    except InputError as error:
        for problem in error.problems:
            flash(message(problem), "warning")
        return redirect(url_for("offsets.case", case_id=case_id))
    flash_ok(_("Application filed: %(points)s points are reserved until it is decided.", points=application.points))
    return redirect(url_for("offsets.application", application_id=application.id))


@bp.route("/applications/<id:application_id>", methods=["GET", "POST"])
@require(Permission.ROSTER_MANAGE, *REVIEWERS)
def application(application_id: int):
    found = offsets.application_for(current_user, application_id)
    if found is None:
        abort(404)
    form = DecisionForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                offsets.decide(current_user, found, form.decision.data, form.comment.data or "")
            except OffsetError as error:
                _flash_error(error)
                status = error.status
            except InputError as error:
                attach_problems(form, error.problems)
                status = 400
            else:
                flash_ok(_("Decision recorded."))
                return redirect(url_for("offsets.application", application_id=found.id))
        else:
            status = 400
    return _application_page(found, form, DiscussionForm(formdata=None), status)


def _application_page(found, form: DecisionForm, discussion_form: DiscussionForm, status: int):
    from eduapp.services import offset_facts, offset_steps

    step = offsets.STATUS_STEP.get(found.status)
    may_decide = step is not None and current_user.can(offsets.STEP_PERMISSION[step]) and rules.four_eyes_conflict(
        current_user.id, found.applicant_id, [d.decided_by_id for d in found.decisions]) is None
    reviewer = any(current_user.can(p) for p in REVIEWERS)
    return render_template("offsets/application.html", application=found, deciders=offsets.deciders(found),
                           step=step, may_decide=may_decide, form=form, confirm=ConfirmForm(),
                           own=found.enterprise_id == current_user.organisation_id,
                           current=offset_facts.latest(found), needs_discussion=offset_steps.needs_discussion(found),
                           discussion=offset_steps.discussion_of(found), discussion_form=discussion_form,
                           may_record_discussion=reviewer and found.status in offsets.OPEN), status


@bp.route("/applications/<id:application_id>/discussion", methods=["POST"])
@require(*REVIEWERS)
def discussion(application_id: int):
    from eduapp.services import offset_steps

    found = offsets.application_for(current_user, application_id)
    if found is None:
        abort(404)
    form = DiscussionForm()
    if not form.validate_on_submit():
        return _application_page(found, DecisionForm(formdata=None), form, 400)
    try:
        offset_steps.record_discussion(current_user, found, form.held_on.data, form.participants.data or "",
                                       form.conclusion.data or "")
    except OffsetError as error:
        _flash_error(error)
        return _application_page(found, DecisionForm(formdata=None), form, error.status)
    except InputError as error:
        attach_problems(form, error.problems)
        return _application_page(found, DecisionForm(formdata=None), form, 400)
    flash_ok(_("Collective discussion recorded."))
    return redirect(url_for("offsets.application", application_id=found.id))


@bp.route("/applications/<id:application_id>/withdraw", methods=["POST"])
@require(Permission.ROSTER_MANAGE)
def withdraw(application_id: int):
    found = offsets.application_for(current_user, application_id)
    if found is None or not ConfirmForm().validate_on_submit():
        abort(404)
    try:
        offsets.withdraw(current_user, found)
    except OffsetError as error:
        _flash_error(error)
    else:
        flash_ok(_("Application withdrawn; its points are available again."))
    return redirect(url_for("offsets.application", application_id=application_id))


@bp.route("/review")
@require(*REVIEWERS)
def review():
    from eduapp.services import case_deadlines

    queue = offsets.queue_for(current_user)
    deadlines = case_deadlines.deadlines([a.case for a in queue], offsets.today_local())
    return render_template("offsets/review.html", queue=queue, deadlines=deadlines)


def _record_or_404(application_id: int):
    found = offsets.application_for(current_user, application_id)
    if found is None or found.status not in ("approved", "rejected"):
        abort(404)
    return found


@bp.route("/applications/<id:application_id>/record")
@require(Permission.ROSTER_MANAGE, *REVIEWERS)
def record(application_id: int):
    from eduapp.web.offsets.record import build

    found = _record_or_404(application_id)
    return render_template("offsets/record.html", application=found, record=build(found, offsets.deciders(found)))


@bp.route("/applications/<id:application_id>/record.pdf")
@require(Permission.ROSTER_MANAGE, *REVIEWERS)
def record_pdf(application_id: int):
    from eduapp.web.offsets.pdf import decision_record_pdf
    from eduapp.web.offsets.record import build

    found = _record_or_404(application_id)
    data = decision_record_pdf(build(found, offsets.deciders(found)))
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f"attachment; filename=leniency-approval-{found.id}.pdf"})


# --- rule sets ---------------------------------------------------------------------------------------


@bp.route("/rules")
@require(*RULE_EDITORS)
def rules_index():
    return render_template("offsets/rules.html", rows=rule_sets.all_versions())


def _rule_form_values(form: RuleSetForm) -> dict:
    return {
        "name": form.name.data.strip(), "doc_number": form.doc_number.data.strip(),
        "authority": form.authority.data.strip(), "effective_from": form.effective_from.data,
        "effective_to": form.effective_to.data, "status": form.status.data,
        "legal_basis": [line.strip() for line in (form.legal_basis.data or "").splitlines() if line.strip()],
        "eligible_codes": form.split_codes(form.eligible_codes.data),
        "excluded_codes": form.split_codes(form.excluded_codes.data),
        "conditions": rules.Conditions(
            lookback_months=form.lookback_months.data, max_harm=form.max_harm.data,
            first_violation_any_type=form.first_violation_any_type.data,
            require_corrected=form.require_corrected.data, exclude_fraud=form.exclude_fraud.data,
            cooling_days=form.cooling_days.data, key_roles=tuple(form.key_roles.data or ()),
            study_topics=tuple(form.split(form.study_topics.data)), study_pass_percent=form.study_pass_percent.data,
            study_within_days=form.study_within_days.data, min_staff_share_percent=form.min_staff_share_percent.data,
        ),
        "maths": rules.Maths(
            fen_per_point=form.fen_per_point.data, cap_percent=form.cap_percent.data,
            cap_per_case_fen=None if form.cap_per_case_yuan.data is None else form.cap_per_case_yuan.data * 100,
            cap_per_enterprise_year_fen=None if form.cap_per_year_yuan.data is None
            else form.cap_per_year_yuan.data * 100,
            min_points=form.min_points.data, round_down_to_yuan=form.round_down_to_yuan.data,
            allow_below_minimum=form.allow_below_minimum.data,
            below_minimum_basis=(form.below_minimum_basis.data or "").strip(),
            below_minimum_level=form.below_minimum_level.data or "",
        ),
        "procedure": {"officer": form.officer_days.data, "reviewer": form.reviewer_days.data,
                      "approver": form.approver_days.data},
    }


def _rule_edit(existing):
    form = RuleSetForm()
    if existing is not None and request.method == "GET":
        form.fill(existing)
    elif request.method == "GET":
        form.effective_from.data = offsets.today_local()  # the day in China, not the server's
    status = 200
    if form.validate_on_submit():
        try:
            saved = rule_sets.save(current_user, existing, _rule_form_values(form))
        except InputError as error:
            attach_problems(form, error.problems)
            status = 400
        else:
            flash_ok(_("Rule set saved as version %(n)s.", n=saved.version))
            return redirect(url_for("offsets.rules_index"))
    elif form.is_submitted():
        status = 400
    return render_template("offsets/rule_form.html", form=form, existing=existing), status


@bp.route("/rules/new", methods=["GET", "POST"])
@require(*RULE_EDITORS)
def rule_new():
    return _rule_edit(None)


@bp.route("/rules/<id:rule_set_id>/edit", methods=["GET", "POST"])
@require(*RULE_EDITORS)
def rule_edit(rule_set_id: int):
    existing = rule_sets.get(rule_set_id)
    if existing is None:
        abort(404)
    return _rule_edit(existing)


@bp.context_processor
def _labels():
    from flask_babel import lazy_gettext as _l

    stages = {"filed": _l("Filed"), "investigating": _l("Investigating"), "notified": _l("Notified"),
              "decided": _l("Decided"), "paid": _l("Paid"), "closed": _l("Case closed"),
              "not_penalised": _l("Not penalised"), "transferred": _l("Transferred")}
    statuses = {"pending_officer": _l("Waiting for the case officer"),
                "pending_reviewer": _l("Waiting for legal review"), "pending_approver": _l("Waiting for the approver"),
                "approved": _l("Approved"), "rejected": _l("Rejected"), "withdrawn": _l("Withdrawn"),
                "expired": _l("Lapsed (a step passed its deadline)"),
                "case_closed": _l("Ended: the case left the open stages")}
    steps = {"officer": _l("Case officer"), "reviewer": _l("Legal reviewer"), "approver": _l("Approver")}
    facts = {"proposed_fine": _l("Proposed fine"), "harm_level": _l("Harm level"), "corrected": _l("Corrected"),
             "violation_type_id": _l("Violation type"), "fine_basis_fen": _l("Fine basis"),
             "occurrences": _l("Occurrences")}
    return {
        "fact_name": lambda f: facts.get(f, f),
        "local_time": lambda iso: datetime.fromisoformat(iso).astimezone(offsets.LOCAL).strftime("%Y-%m-%d %H:%M"),
        "fen": rules.yuan,
        "stage_name": lambda s: stages.get(s, s),
        "status_name": lambda s: statuses.get(s, s),
        "step_name": lambda s: steps.get(s, s),
    }


# --- reports -----------------------------------------------------------------------------------------

REPORTERS = (Permission.OFFSETS_REVIEW, Permission.OFFSETS_APPROVE, Permission.AUDIT_VIEW)


def _period() -> tuple[date, date]:
    today = offsets.today_local()
    try:
        start = date.fromisoformat(request.args.get("from", "")) if request.args.get("from") else date(today.year, 1, 1)
        end = date.fromisoformat(request.args.get("to", "")) if request.args.get("to") else today
    except ValueError:
        abort(400)
    if end < start:
        abort(400)
    return start, end


@bp.route("/report")
@require(*REPORTERS)
def report():
    from eduapp.services import reports

    start, end = _period()
    return render_template("offsets/report.html", start=start, end=end,
                           points=reports.points_by_organisation(start, end),
                           granted=reports.offsets_granted(start, end))


@bp.route("/report.xlsx")
@require(*REPORTERS)
def report_xlsx():
    from eduapp.services import reports

    start, end = _period()
    return Response(reports.export_xlsx(start, end),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename=points-offsets-{start}-{end}.xlsx"})
