"""Enterprises and government units."""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from eduapp.domain import enterprises as enterprise_rules
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Permission
from eduapp.domain.tabular import read_rows
from eduapp.domain.typed_input import fold_width
from eduapp.extensions import db
from eduapp.i18n import attach_problems
from eduapp.models import ENTERPRISE, GOVERNMENT, Organisation, User
from eduapp.security import client_ip, require, signed_in
from eduapp.services import orgs, tenancy
from eduapp.services.search import contains
from eduapp.web.forms import UploadForm, choices
from eduapp.web.helpers import Page, flash_ok, flash_problems, one_or_404, page_arg
from eduapp.web.orgs import bp
from eduapp.web.orgs.forms import EnterpriseForm, UnitForm


@bp.route("/")
@require(Permission.ORGS_VIEW)
def index():
    query = select(Organisation).where(Organisation.kind == ENTERPRISE)
    q = request.args.get("q", "").strip()
    if q:
        query = query.where(
            or_(
                contains(Organisation.name, q),
                contains(Organisation.uscc, fold_width(q).replace(" ", "")),  # a code typed full-width
                contains(Organisation.district, q),
                contains(Organisation.industry, q),
            )
        )
    page = Page(query.order_by(Organisation.name), page_arg())
    return render_template("orgs/index.html", page=page, q=q)


@bp.route("/units")
@require(Permission.ORGS_VIEW)
def units():
    roots = (
        db.session.execute(
            select(Organisation)
            .where(Organisation.kind == GOVERNMENT, Organisation.parent_id.is_(None))
            .order_by(Organisation.name)
        )
        .scalars()
        .all()
    )
    return render_template("orgs/units.html", roots=roots)


@bp.route("/<id:org_id>")
@signed_in
def show(org_id: int):
    org = one_or_404(tenancy.visible_organisations(current_user), Organisation, org_id)
    members = (
        db.session.execute(
            tenancy.visible_users(current_user).where(User.organisation_id == org.id).order_by(User.full_name)
        )
        .scalars()
        .all()
    )
    return render_template("orgs/show.html", org=org, members=members)


@bp.route("/enterprises/new", methods=["GET", "POST"])
@require(Permission.ORGS_MANAGE)
def new_enterprise():
    return _enterprise_form(None)


@bp.route("/<id:org_id>/edit", methods=["GET", "POST"])
@require(Permission.ORGS_MANAGE)
def edit(org_id: int):
    org = one_or_404(tenancy.visible_organisations(current_user), Organisation, org_id)
    if org.kind == GOVERNMENT:
        return _unit_form(org)
    return _enterprise_form(org)


@bp.route("/units/new", methods=["GET", "POST"])
@require(Permission.ORGS_MANAGE)
def new_unit():
    return _unit_form(None)


def _enterprise_form(org: Organisation | None):
    form = EnterpriseForm(obj=org)
    if form.validate_on_submit():
        fields = {k: getattr(form, k).data for k in orgs.ENTERPRISE_FIELDS}
        fields = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()}
        try:
            org = orgs.save_enterprise(current_user, fields, org, client_ip())
        except InputError as err:
            attach_problems(form, err.problems)
        else:
            flash_ok(_("Saved."))
            return redirect(url_for("orgs.show", org_id=org.id))
    return render_template("orgs/enterprise_form.html", form=form, org=org), 400 if form.errors else 200


def _unit_form(org: Organisation | None):
    form = UnitForm(obj=org)
    all_units = (
        db.session.execute(select(Organisation).where(Organisation.kind == GOVERNMENT).order_by(Organisation.name))
        .scalars()
        .all()
    )
    form.parent_id.choices = choices(
        [(0, _("(none: top level)"))] + [(u.id, u.name) for u in all_units if u is not org]
    )
    if request.method == "GET":
        form.parent_id.data = org.parent_id or 0 if org else 0
    if form.validate_on_submit():
        parent = db.session.get(Organisation, form.parent_id.data) if form.parent_id.data else None
        try:
            org = orgs.save_unit(current_user, form.name.data, parent, org, client_ip())
        except InputError as err:
            attach_problems(form, err.problems)
        else:
            flash_ok(_("Saved."))
            return redirect(url_for("orgs.units"))
    return render_template("orgs/unit_form.html", form=form, org=org), 400 if form.errors else 200


@bp.route("/import", methods=["GET", "POST"])
@require(Permission.ORGS_MANAGE)
def import_file():
    from flask import current_app

    form = UploadForm()
    errors: list[str] = []
    summary = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = read_rows(
                upload.read(),
                upload.filename or "",
                headers=enterprise_rules.HEADERS,
                required=enterprise_rules.REQUIRED,
                max_rows=current_app.config["IMPORT_MAX_ROWS"],
            max_unpacked_mb=current_app.config["IMPORT_MAX_UNPACKED_MB"],
            )
            records, problems = enterprise_rules.parse_enterprise_rows(rows)
            if problems:
                raise InputError(problems)
            summary = orgs.import_enterprises(current_user, records)
        except InputError as err:
            errors = flash_problems(err.problems, enterprise_rules.HEADERS)
    elif form.errors:
        errors = [e for errs in form.errors.values() for e in errs]
    return render_template("orgs/import.html", form=form, errors=errors, summary=summary), 400 if errors else 200
