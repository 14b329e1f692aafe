"""An enterprise contact's staff roster: add, edit, deactivate, bulk import."""

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eduapp.domain import roster as roster_rules
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Permission, Role
from eduapp.domain.tabular import read_rows, template_bytes
from eduapp.i18n import attach_problems
from eduapp.models import User
from eduapp.security import client_ip, require
from eduapp.services import accounts, search, tenancy
from eduapp.web.forms import ConfirmForm, UploadForm
from eduapp.web.helpers import Page, flash_ok, flash_problems, one_or_404, page_arg
from eduapp.web.roster import bp
from eduapp.web.roster.forms import StaffEditForm, StaffForm

TEMPLATE_EXAMPLE = {
    "username": "zhangsan",
    "full_name": "张三",
    "phone": "13800000000",
    "email": "zhangsan@example.com",
    "role": "员工",
    "password": "",
}


def _member(user_id: int) -> User:
    return one_or_404(tenancy.roster(current_user), User, user_id)


@bp.route("/")
@require(Permission.ROSTER_MANAGE)
def index():
    q = request.args.get("q", "").strip()
    status = request.args.get("status", "active")
    active = status == "active" if status in ("active", "inactive") else None
    page = Page(search.roster(current_user, q, active), page_arg())
    return render_template("roster/index.html", page=page, q=q, status=status, confirm=ConfirmForm())


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.ROSTER_MANAGE)
def new():
    form = StaffForm()
    if form.validate_on_submit():
        password = form.password.data or accounts.generate_password()
        try:
            user = accounts.create_user(
                current_user,
                username=form.username.data.strip(),
                full_name=form.full_name.data,
                organisation=current_user.organisation,
                roles=[Role(form.role.data)],
                password=password,
                email=form.email.data or "",
                phone=form.phone.data or "",
                must_change_password=True,
                ip=client_ip(),
            )
        except InputError as err:
            attach_problems(form, err.problems)
        else:
            if form.password.data:
                flash_ok(_("Account %(username)s created.", username=user.username))
            else:
                flash_ok(
                    _(
                        "Account %(username)s created with the initial password %(password)s. "
                        "Hand it over in person; it must be changed at first sign-in.",
                        username=user.username,
                        password=password,
                    )
                )
            return redirect(url_for("roster.index"))
    return render_template("roster/form.html", form=form, member=None), 400 if form.errors else 200


@bp.route("/<id:user_id>/edit", methods=["GET", "POST"])
@require(Permission.ROSTER_MANAGE)
def edit(user_id: int):
    member = _member(user_id)
    form = StaffEditForm(obj=member)
    if request.method == "GET":
        form.role.data = (
            Role.ENTERPRISE_CONTACT if Role.ENTERPRISE_CONTACT in member.roles else Role.ENTERPRISE_STAFF
        ).value
    if form.validate_on_submit():
        try:
            accounts.update_user(
                current_user,
                member,
                full_name=form.full_name.data,
                email=form.email.data or "",
                phone=form.phone.data or "",
                roles=[Role(form.role.data)],
                ip=client_ip(),
            )
        except InputError as err:
            attach_problems(form, err.problems)
        else:
            flash_ok(_("Saved."))
            return redirect(url_for("roster.index"))
    return render_template("roster/form.html", form=form, member=member), 400 if form.errors else 200


@bp.route("/<id:user_id>/active", methods=["POST"])
@require(Permission.ROSTER_MANAGE)
def set_active(user_id: int):
    member = _member(user_id)
    if ConfirmForm().validate_on_submit():
        active = request.form.get("active") == "1"
        try:
            accounts.set_active(current_user, member, active, client_ip())
        except InputError as err:
            for text in flash_problems(err.problems):
                flash(text, "danger")
        else:
            flash_ok(
                _("%(name)s is active again.", name=member.full_name)
                if active
                else _("%(name)s has been deactivated and signed out.", name=member.full_name)
            )
    return redirect(url_for("roster.index"))


@bp.route("/<id:user_id>/reset-password", methods=["POST"])
@require(Permission.ROSTER_MANAGE)
def reset_password(user_id: int):
    member = _member(user_id)
    if ConfirmForm().validate_on_submit():
        password = accounts.reset_password(current_user, member, client_ip())
        flash_ok(
            _(
                "New initial password for %(username)s: %(password)s. It must be changed at first sign-in.",
                username=member.username,
                password=password,
            )
        )
    return redirect(url_for("roster.index"))


@bp.route("/import", methods=["GET", "POST"])
@require(Permission.ROSTER_MANAGE)
def import_file():
    form = UploadForm()
    errors: list[str] = []
    created = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = read_rows(
                upload.read(),
                upload.filename or "",
                headers=roster_rules.HEADERS,
                required=roster_rules.REQUIRED,
                max_rows=_max_rows(),
                max_unpacked_mb=current_app.config["IMPORT_MAX_UNPACKED_MB"],
            )
            records, problems = roster_rules.parse_staff_rows(rows, _min_length())
            if problems:
                raise InputError(problems)
            created = accounts.import_staff(current_user, current_user.organisation, records, client_ip())
        except InputError as err:
            errors = flash_problems(err.problems, roster_rules.HEADERS)
    elif form.errors:
        errors = [e for errs in form.errors.values() for e in errs]
    status = 400 if errors else 200
    return render_template("roster/import.html", form=form, errors=errors, created=created), status


@bp.route("/template.<fmt>")
@require(Permission.ROSTER_MANAGE)
def template(fmt: str):
    if fmt not in ("xlsx", "csv"):
        return redirect(url_for("roster.import_file"))
    data = template_bytes(roster_rules.HEADERS, TEMPLATE_EXAMPLE, fmt)
    mimetype = "text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        data, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename=roster-template.{fmt}"}
    )


def _max_rows() -> int:
    return current_app.config["IMPORT_MAX_ROWS"]


def _min_length() -> int:
    return current_app.config["PASSWORD_MIN_LENGTH"]
