"""Case officers' pages: the case list with filters, the case form, the case page with its stage
moves and audit trail, the violation catalogue, and the case register import with a preview."""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from eduapp.domain import case_register as register_rules
from eduapp.domain import cases as rules
from eduapp.domain.catalogue import fine_rule
from eduapp.domain.problems import InputError, Problem
from eduapp.domain.roles import Permission, Role
from eduapp.domain.tabular import read_rows
from eduapp.extensions import db
from eduapp.i18n import attach_problems, message
from eduapp.models import ENTERPRISE, Organisation, PenaltyCase, ViolationType
from eduapp.security import client_ip, require, signed_in
from eduapp.services import case_deadlines, case_register, cases, fines, handling_units, history
from eduapp.web.cases import bp
from eduapp.web.cases.forms import CaseForm, ExtensionForm, StatusForm
from eduapp.web.forms import ConfirmForm, UploadForm, choices
from eduapp.web.helpers import Page, flash_ok, flash_problems, id_arg, page_arg
from eduapp.web.history import rows as history_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Problems of the service name model fields; the form names some of them differently.
FORM_FIELD = {"enterprise_id": "enterprise", "fine_basis_fen": "fine_basis"}


def status_moves(status: str) -> tuple[str, ...]:
    """The moves the generic status form offers: not_penalised only through its own decision form
    (eduapp.web.cases.non_penalty)."""
    return tuple(s for s in rules.allowed_transitions(status) if s != rules.NOT_PENALISED)


@bp.context_processor
def _helpers():
    return {
        "yuan": rules.format_yuan,
        "status_label": lambda s: _(rules.STATUS_LABELS[s]) if s in rules.STATUS_LABELS else s,
        "harm_label": lambda h: _(rules.HARM_LABELS[h]) if h in rules.HARM_LABELS else h,
    }


@bp.route("/")
@require(Permission.CASES_HANDLE)
def index():
    status = request.args.get("status", "")
    status = status if status in rules.STATUSES else ""
    enterprise_id = id_arg("enterprise_id")
    violation_type_id = id_arg("violation_type_id")
    q = request.args.get("q", "").strip()
    query = cases.list_cases(
        current_user, status=status or None, enterprise_id=enterprise_id, violation_type_id=violation_type_id, q=q
    )
    page = Page(query, page_arg())
    enterprise = db.session.get(Organisation, enterprise_id) if enterprise_id else None
    filters = {"status": status, "enterprise_id": enterprise_id or "", "violation_type_id": violation_type_id or "",
               "q": q}  # fmt: skip
    return render_template(
        "cases/index.html",
        page=page,
        filters=filters,
        enterprise=enterprise,
        statuses=rules.STATUSES,
        types=cases.violation_types(),
        deadlines=case_deadlines.deadlines(page.items, cases.local_today()),
    )


# --- the case form -----------------------------------------------------------------------------------------


def _fill_choices(form: CaseForm, case: PenaltyCase | None) -> None:
    types = [vt for vt in cases.violation_types() if vt.active or (case and vt.id == case.violation_type_id)]
    form.violation_type_id.choices = choices([(0, _("Choose…"))] + [(vt.id, f"{vt.code} {vt.name}") for vt in types])
    form.harm_level.choices = choices([(h, _(rules.HARM_LABELS[h])) for h in rules.HARM_LEVELS])
    officers = cases.case_officers()
    form.officer_id.choices = choices([(0, _("(none)"))] + [(u.id, f"{u.full_name} ({u.username})") for u in officers])
    form.handling_unit_id.choices = choices([(0, _("(the case officer's unit)"))] + [
        (unit_id, "\u3000" * depth + name) for unit_id, name, depth in handling_units.units()])


def _enterprise_names() -> list[str]:
    return list(
        db.session.execute(
            select(Organisation.name).where(Organisation.kind == ENTERPRISE).order_by(Organisation.name)
        ).scalars()
    )


def _case_form(case: PenaltyCase | None):
    form = CaseForm(obj=case)
    _fill_choices(form, case)
    if form.handling_unit_id.data is None:  # a case without a unit, or a post without the field: the default
        form.handling_unit_id.data = 0
    if request.method == "GET":
        if case is not None:
            form.enterprise.data = case.enterprise.name
            form.proposed_fine.data = rules.format_yuan(case.proposed_fine).replace(",", "")
            form.officer_id.data = case.officer_id or 0
            form.handling_unit_id.data = case.handling_unit_id or 0
            if case.fine_basis_fen is not None:
                form.fine_basis.data = rules.format_yuan(case.fine_basis_fen).replace(",", "")
        else:
            form.officer_id.data = current_user.id if current_user.can(Permission.CASES_HANDLE) else 0
            form.opened_on.data = cases.local_today()
            form.harm_level.data = "minor"
    if form.validate_on_submit():
        fields = {
            "case_number": form.case_number.data,
            "enterprise_id": form.enterprise_org.id,
            "violation_type_id": form.violation_type_id.data or None,
            "description": form.description.data or "",
            "harm_level": form.harm_level.data,
            "corrected": bool(form.corrected.data),
            "correction_due_on": form.correction_due_on.data,
            "discovered_on": form.discovered_on.data,
            "opened_on": form.opened_on.data,
            "proposed_fine": form.proposed_fine.fen,
            "officer_id": form.officer_id.data or None,
            "handling_unit_id": form.handling_unit_id.data or None,
            "fine_basis_fen": form.fine_basis.fen,
            "occurrences": form.occurrences.data,
            "served_on": form.served_on.data,
            "late_fee_notified": bool(form.late_fee_notified.data),
        }
        try:
            result = cases.save_case(current_user, fields, case, ip=client_ip())
        except InputError as err:
            problems = [Problem(p.msgid, p.params, FORM_FIELD.get(p.field, p.field), p.row) for p in err.problems]
            attach_problems(form, problems)
        else:
            for warning in result.warnings:
                flash(_("%(field)s: %(text)s", field=form[FORM_FIELD.get(warning.field, warning.field)].label.text,
                        text=message(warning)), "warning")
            flash_ok(_("Saved."))
            return redirect(url_for("cases.show", case_id=result.case.id))
    return render_template(
        "cases/form.html", form=form, case=case, enterprise_names=_enterprise_names(), groups=_same_act_groups()
    ), 400 if form.errors or form.form_errors else 200


def _same_act_groups() -> list[list[tuple[str, str]]]:
    """The catalogue's §29 groups: for each, (code, how its fine is set) of its active codes."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for vt in cases.violation_types(active_only=True):
        if vt.same_act_group:
            groups.setdefault(vt.same_act_group, []).append((vt.code, fine_rule(vt).how()))
    return [groups[name] for name in sorted(groups)]


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.CASES_HANDLE)
def new():
    return _case_form(None)


def _case_or_404(case_id: int) -> PenaltyCase:
    case = cases.get_case(current_user, case_id)
    if case is None:
        abort(404)
    return case


@bp.route("/<id:case_id>/edit", methods=["GET", "POST"])
@require(Permission.CASES_HANDLE)
def edit(case_id: int):
    return _case_form(_case_or_404(case_id))


# --- the case page ------------------------------------------------------------------------------------------


def _article_link(vt: ViolationType):
    """(url, label) of the article that punishes the violation, when the law library has it."""
    from eduapp.services import laws

    label = f"《{vt.law}》{vt.article}{vt.clause or ''}"
    article = laws.article_for(vt.law, vt.article)
    if article is None:
        return None, label
    return url_for("laws.article", slug=article.law.slug, label=article.label), label


def _status_form(case: PenaltyCase, form: StatusForm | None = None) -> StatusForm | None:
    allowed = status_moves(case.status)  # not_penalised: its own decision form (web/cases/non_penalty.py)
    if not allowed:
        return None
    form = form or StatusForm(formdata=None)
    form.to.choices = choices([(s, _(rules.STATUS_LABELS[s])) for s in allowed])
    if form.on.data is None:
        form.on.data = cases.local_today()
    if not form.final_fine.data and rules.DECIDED in allowed:
        form.final_fine.data = rules.format_yuan(case.proposed_fine).replace(",", "")
    return form


def _extension_form(case: PenaltyCase, deadline, form: ExtensionForm | None = None) -> ExtensionForm | None:
    """The form to extend the deadline: for case officers and approvers while the deadline runs. The
    recorder chooses the approving head from the approvers (an approver may choose themselves)."""
    if not deadline.running or not case_deadlines.may_extend(current_user):
        return None
    form = form or ExtensionForm(formdata=None)
    form.approved_by.choices = choices([(0, _("Choose…"))] + [(u.id, f"{u.full_name} ({u.username})")
                                                               for u in case_deadlines.approvers()])
    if form.approved_on.data is None:
        form.approved_on.data = cases.local_today()
    if form.approved_by.data is None and Role.APPROVER in current_user.roles:
        form.approved_by.data = current_user.id
    return form


def _render_case(case: PenaltyCase, status_form: StatusForm | None = None, code: int = 200,
                 extension_form: ExtensionForm | None = None):
    handler = current_user.can(Permission.CASES_HANDLE)
    url, label = _article_link(case.violation_type)
    today = cases.local_today()
    deadline = case_deadlines.deadline_on(case, today)
    bureau = cases.sees_every_case(current_user)
    return render_template(
        "cases/show.html",
        case=case,
        statutory=fines.statutory_range(case.violation_type, case.fine_basis_fen, case.occurrences),
        floor=fines.case_floor(case),
        article_url=url,
        article_label=label,
        status_form=_status_form(case, status_form) if handler else None,
        trail=history_rows(history.case_records(case)) if handler else [],
        prior=cases.prior_cases(case.enterprise_id, case.opened_on, exclude_case_id=case.id) if handler else [],
        handler=handler,
        open_for_offset=rules.is_open_for_offset(case.status),
        correction_overdue=rules.correction_overdue(case.correction_due_on, case.corrected, today),
        deadline=deadline,
        extensions=case_deadlines.extensions_of(case) if bureau else [],
        extension_form=_extension_form(case, deadline, extension_form) if bureau else None,
        users=case_deadlines.people_of(case_deadlines.extensions_of(case)) if bureau else {},
        payment=case_deadlines.payment_of(case),
    ), code


@bp.route("/<id:case_id>")
@signed_in
def show(case_id: int):
    """Case officers see every case; an enterprise contact its own enterprise's (without the officers'
    tools); everyone else, and another enterprise's case, gets 404."""
    return _render_case(_case_or_404(case_id))


@bp.route("/<id:case_id>/status", methods=["POST"])
@require(Permission.CASES_HANDLE)
def change_status(case_id: int):
    case = _case_or_404(case_id)
    form = StatusForm()
    form.to.choices = choices([(s, s) for s in status_moves(case.status)])
    if form.validate_on_submit():
        try:
            check = cases.change_status(
                current_user,
                case,
                form.to.data,
                form.on.data,
                final_fine=form.final_fine.fen,
                comment=form.comment.data or "",
                ip=client_ip(),
                served_on=form.served_on.data,
                late_fee_notified=bool(form.late_fee_notified.data) if form.to.data == rules.DECIDED else None,
            )
        except InputError as err:
            attach_problems(form, err.problems)
        else:
            for warning in check.warnings:
                flash(_("%(field)s: %(text)s", field=form[warning.field].label.text, text=message(warning)), "warning")
            flash_ok(_("The case is now: %(status)s.", status=_(rules.STATUS_LABELS[form.to.data])))
            return redirect(url_for("cases.show", case_id=case.id))
    case = _case_or_404(case_id)  # the failed change rolled back: show the case as it is
    return _render_case(case, form, 400)


@bp.route("/<id:case_id>/deadline", methods=["POST"])
@require(*case_deadlines.EXTEND_PERMISSIONS)
def extend_deadline(case_id: int):
    """Record an extension of the decision deadline (行政处罚法 §60) approved by a head."""
    case = _case_or_404(case_id)
    form = ExtensionForm()
    form.approved_by.choices = choices([(0, "")] + [(u.id, u.username) for u in case_deadlines.approvers()])
    if form.validate_on_submit():
        try:
            extension = case_deadlines.extend(
                current_user, case, new_due_on=form.new_due_on.data, reason=form.reason.data or "",
                approved_by_id=form.approved_by.data or None, approved_on=form.approved_on.data,
                today=cases.local_today(), ip=client_ip())
        except InputError as err:
            attach_problems(form, err.problems)
        else:
            flash_ok(_("The decision deadline is now %(date)s.", date=extension.new_due_on.isoformat()))
            return redirect(url_for("cases.show", case_id=case.id))
    case = _case_or_404(case_id)
    return _render_case(case, code=400, extension_form=form)


# --- the catalogue --------------------------------------------------------------------------------------------


@bp.route("/violations")
@require(Permission.CASES_HANDLE)
def violations():
    rows = [(vt, *_article_link(vt), fine_rule(vt).how()) for vt in cases.violation_types()]
    return render_template("cases/violations.html", rows=rows)


# --- the case register import ----------------------------------------------------------------------------------


def _upload_dir() -> Path:
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _records(data: bytes, name: str):
    rows = read_rows(
        data, name, headers=register_rules.HEADERS, required=register_rules.REQUIRED,
        max_rows=current_app.config["IMPORT_MAX_ROWS"],
        max_unpacked_mb=current_app.config["IMPORT_MAX_UNPACKED_MB"],
    )
    records, problems = register_rules.parse_case_rows(rows)
    if problems:
        raise InputError(problems)
    return records


@bp.route("/import", methods=["GET", "POST"])
@require(Permission.CASES_HANDLE)
def import_file():
    """Check the file and show what would change (nothing is written); a confirm button imports it."""
    form = UploadForm()
    errors: list[str] = []
    summary = token = None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        name = Path(upload.filename or "upload.xlsx").name
        try:
            summary = case_register.import_cases(current_user, _records(data, name), dry_run=True)
        except InputError as err:
            errors = flash_problems(err.problems, register_rules.HEADERS)
        else:
            if summary.added or summary.updated:
                token = secrets.token_urlsafe(16)
                (_upload_dir() / f"cases-{token}.bin").write_bytes(data)
                (_upload_dir() / f"cases-{token}.json").write_text(
                    json.dumps({"user": current_user.id, "name": name}), encoding="utf-8"
                )
    elif form.errors:
        errors = [e for errs in form.errors.values() for e in errs]
    return render_template(
        "cases/import.html",
        form=form,
        errors=errors,
        summary=summary,
        warnings=flash_problems(summary.warnings, register_rules.HEADERS) if summary else [],
        token=token,
        done=False,
        confirm=ConfirmForm(),
        headers=register_rules.HEADERS,
        required=register_rules.REQUIRED,
    ), 400 if errors else 200


@bp.route("/import/<token>", methods=["POST"])
@require(Permission.CASES_HANDLE)
def import_confirm(token: str):
    if not re.fullmatch(r"[A-Za-z0-9_\-]{10,64}", token) or not ConfirmForm().validate_on_submit():
        abort(400)
    meta_path, data_path = _upload_dir() / f"cases-{token}.json", _upload_dir() / f"cases-{token}.bin"
    if not meta_path.exists():
        abort(404)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta["user"] != current_user.id:
        abort(404)
    errors: list[str] = []
    summary = None
    try:
        summary = case_register.import_cases(current_user, _records(data_path.read_bytes(), meta["name"]))
    except InputError as err:  # the register changed since the preview
        errors = flash_problems(err.problems, register_rules.HEADERS)
    meta_path.unlink(missing_ok=True)
    data_path.unlink(missing_ok=True)
    return render_template(
        "cases/import.html",
        form=UploadForm(),
        errors=errors,
        summary=summary,
        warnings=flash_problems(summary.warnings, register_rules.HEADERS) if summary else [],
        token=None,
        done=True,
        confirm=ConfirmForm(),
        headers=register_rules.HEADERS,
        required=register_rules.REQUIRED,
    ), 400 if errors else 200


@bp.route("/template.xlsx")
@require(Permission.CASES_HANDLE)
def template():
    return Response(
        case_register.template_bytes("xlsx"),
        mimetype=XLSX,
        headers={"Content-Disposition": "attachment; filename=penalty-cases-template.xlsx"},
    )


@bp.route("/template.csv")
@require(Permission.CASES_HANDLE)
def template_csv():
    return Response(
        case_register.template_bytes("csv"),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=penalty-cases-template.csv"},
    )
