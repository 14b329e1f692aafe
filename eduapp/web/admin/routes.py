"""System administration: every account, and the audit trail."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from eduapp.domain.problems import InputError
from eduapp.domain.roles import Permission, Role
from eduapp.domain.typed_input import fold_width
from eduapp.extensions import db
from eduapp.i18n import attach_problems
from eduapp.models import AuditRecord, Organisation, User, UserRole
from eduapp.security import client_ip, require
from eduapp.services import accounts, audit, tenancy
from eduapp.services.search import contains
from eduapp.web.admin import bp
from eduapp.web.admin.forms import UserForm
from eduapp.web.forms import ConfirmForm, choices
from eduapp.web.helpers import Page, flash_ok, flash_problems, one_or_404, page_arg
from eduapp.web.history import rows as history_rows


def _org_choices():
    orgs = db.session.execute(select(Organisation).order_by(Organisation.kind.desc(), Organisation.name)).scalars()
    return choices((o.id, o.name) for o in orgs)


@bp.route("/users")
@require(Permission.USERS_MANAGE)
def users():
    query = tenancy.visible_users(current_user)
    q = request.args.get("q", "").strip()
    if q:
        query = query.where(or_(contains(User.username, fold_width(q).strip()), contains(User.full_name, q)))
    role = request.args.get("role", "")
    if role in {r.value for r in Role}:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    page = Page(query.order_by(User.username), page_arg())
    return render_template("admin/users.html", page=page, q=q, role=role, roles=list(Role), confirm=ConfirmForm())


@bp.route("/users/new", methods=["GET", "POST"])
@require(Permission.USERS_MANAGE)
def new_user():
    form = UserForm()
    form.organisation_id.choices = _org_choices()
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data)
        password = form.password.data or accounts.generate_password()
        try:
            user = accounts.create_user(
                current_user,
                username=form.username.data.strip(),
                full_name=form.full_name.data,
                organisation=organisation,
                roles=[Role(r) for r in form.roles.data],
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
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None), 400 if form.errors else 200


@bp.route("/users/<id:user_id>/edit", methods=["GET", "POST"])
@require(Permission.USERS_MANAGE)
def edit_user(user_id: int):
    user = one_or_404(tenancy.visible_users(current_user), User, user_id)
    form = UserForm(obj=user)
    del form.username
    del form.password
    form.organisation_id.choices = _org_choices()
    if request.method == "GET":
        form.roles.data = sorted(r.value for r in user.roles)
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data)
        try:
            accounts.update_user(
                current_user,
                user,
                full_name=form.full_name.data,
                email=form.email.data or "",
                phone=form.phone.data or "",
                roles=[Role(r) for r in form.roles.data],
                organisation=organisation,
                ip=client_ip(),
            )
        except InputError as err:
            attach_problems(form, err.problems)
        else:
            flash_ok(_("Saved."))
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user), 400 if form.errors else 200


@bp.route("/users/<id:user_id>/active", methods=["POST"])
@require(Permission.USERS_MANAGE)
def set_user_active(user_id: int):
    user = one_or_404(tenancy.visible_users(current_user), User, user_id)
    if ConfirmForm().validate_on_submit():
        try:
            accounts.set_active(current_user, user, request.form.get("active") == "1", client_ip())
        except InputError as err:
            for text in flash_problems(err.problems):
                flash(text, "danger")
        else:
            flash_ok(_("Saved."))
    return redirect(url_for("admin.users"))


@bp.route("/users/<id:user_id>/reset-password", methods=["POST"])
@require(Permission.USERS_MANAGE)
def reset_user_password(user_id: int):
    user = one_or_404(tenancy.visible_users(current_user), User, user_id)
    if ConfirmForm().validate_on_submit():
        password = accounts.reset_password(current_user, user, client_ip())
        flash_ok(
            _(
                "New initial password for %(username)s: %(password)s. It must be changed at first sign-in.",
                username=user.username,
                password=password,
            )
        )
    return redirect(url_for("admin.users"))


@bp.route("/audit")
@require(Permission.AUDIT_VIEW)
def audit_log():
    query = select(AuditRecord)
    action = request.args.get("action", "").strip()
    if action:
        query = query.where(AuditRecord.action.startswith(action))
    actor = request.args.get("actor", "").strip()
    if actor:
        query = query.where(AuditRecord.actor == actor)
    page = Page(query.order_by(AuditRecord.id.desc()), page_arg(), per_page=50)
    return render_template("admin/audit.html", page=page, rows=history_rows(page.items), action=action, actor=actor,
                           confirm=ConfirmForm())


@bp.route("/audit/verify", methods=["POST"])
@require(Permission.AUDIT_VIEW)
def audit_verify():
    if ConfirmForm().validate_on_submit():
        try:
            checked, broken = audit.verify()
        except audit.AnchorFileError as error:
            flash(_("The audit anchors cannot be read: %(reason)s", reason=_(error.msgid, **error.params)), "danger")
            return redirect(url_for("admin.audit_log"))
        if broken is None:
            flash_ok(_("The audit chain is intact: %(n)s records checked.", n=checked))
        elif broken.kind == "missing":
            flash(_("The audit trail has been truncated: %(reason)s", reason=_(broken.msgid, **broken.params)),
                  "danger")
        else:
            flash(
                _("The audit chain is broken at record #%(id)s: %(reason)s", id=broken.record_id,
                  reason=_(broken.msgid, **broken.params)),
                "danger",
            )
    return redirect(url_for("admin.audit_log"))
