"""Exam managers: the list of exams, and creating or editing one (settings, blueprint, audience)."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from eduapp.domain.blueprint import Section
from eduapp.domain.exam_rules import AudienceEntry
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.domain.roles import Permission, Role
from eduapp.domain.typed_input import fold_width, split_list
from eduapp.extensions import db
from eduapp.i18n import message
from eduapp.models import Attempt, Exam, Organisation, User
from eduapp.security import client_ip, require
from eduapp.services import certificates, exams, misconduct
from eduapp.web.exam_admin import bp
from eduapp.web.exam_admin.forms import SECTION_ROWS, AnnulForm, CertificateAnnulForm, ExamForm
from eduapp.web.forms import choices
from eduapp.web.helpers import flash_ok, whole_number
from eduapp.web.labels import role_label

LOCAL = ZoneInfo("Asia/Shanghai")
LEARNER_ROLES = (Role.ENTERPRISE_STAFF, Role.ENTERPRISE_CONTACT, Role.CIVIL_SERVANT)


@bp.route("/")
@require(Permission.EXAMS_MANAGE)
def index():
    rows = db.session.execute(
        select(Exam, func.count(Attempt.id)).outerjoin(Attempt, Attempt.exam_id == Exam.id)
        .group_by(Exam.id).order_by(Exam.close_at.desc())
    ).all()
    return render_template("exam_admin/index.html", rows=rows)


def _form(exam: Exam | None) -> ExamForm:
    form = ExamForm()
    form.audience_roles.choices = choices((r.value, role_label(r)) for r in LEARNER_ROLES)
    orgs = db.session.execute(select(Organisation).where(Organisation.active.is_(True))
                              .order_by(Organisation.kind.desc(), Organisation.name)).scalars()
    form.audience_orgs.choices = choices((str(o.id), o.name) for o in orgs)
    return form


def _fill(form: ExamForm, exam: Exam) -> None:
    """The form's fields from a stored exam (GET of the edit page)."""
    for name in exams.SETTING_FIELDS:
        getattr(form, name).data = getattr(exam, name)
    form.open_at.data = exam.open_at.astimezone(LOCAL).replace(tzinfo=None)
    form.close_at.data = exam.close_at.astimezone(LOCAL).replace(tzinfo=None)
    for row, section in zip(form.sections, exam.sections, strict=False):
        row.form.title.data = section["title"]
        row.form.qtype.data = section["qtype"]
        row.form.count.data = section["count"]
        row.form.points.data = section["points"]
        row.form.difficulty_min.data = section["difficulty_min"]
        row.form.difficulty_max.data = section["difficulty_max"]
        row.form.categories.data = "、".join(section["categories"])
        row.form.laws.data = "、".join(section["laws"])
        row.form.tags.data = "、".join(section["tags"])
    form.audience_roles.data = [a.value for a in exam.audience if a.kind == "role"]
    form.audience_orgs.data = [a.value for a in exam.audience if a.kind == "org"]
    user_ids = [int(a.value) for a in exam.audience if a.kind == "user"]
    names = dict(db.session.execute(select(User.id, User.username).where(User.id.in_(user_ids))).all())
    form.audience_users.data = "\n".join(names[i] for i in user_ids if i in names)
    overrides = []
    for o in exam.overrides:
        user = db.session.get(User, o.user_id)
        if user is not None:
            overrides.append(f"{user.username} {o.extra_minutes} {o.extra_attempts}")
    form.overrides.data = "\n".join(overrides)


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(split_list(text, spaces=False))


def _parse(form: ExamForm) -> tuple[dict, list[Section], list[AudienceEntry], list[exams.Override], list[Problem]]:
    problems: list[Problem] = []
    fields = {name: getattr(form, name).data for name in exams.SETTING_FIELDS if name not in ("open_at", "close_at")}
    fields["description"] = fields["description"] or ""
    fields["open_at"] = form.open_at.data.replace(tzinfo=LOCAL).astimezone(UTC)
    fields["close_at"] = form.close_at.data.replace(tzinfo=LOCAL).astimezone(UTC)

    sections = []
    for number, row in enumerate(form.sections, start=1):
        f = row.form
        if not f.qtype.data:
            continue
        if not f.count.data or not f.points.data:
            problems.append(Problem(N_("Section %(n)s needs a number of questions and points for each."),
                                    {"n": number}, "sections", number))
            continue
        sections.append(Section(
            title=(f.title.data or "").strip() or _("Section %(n)s", n=number), qtype=f.qtype.data,
            count=f.count.data, points=f.points.data, difficulty_min=f.difficulty_min.data or 1,
            difficulty_max=f.difficulty_max.data or 5, categories=_split(f.categories.data),
            laws=_split(f.laws.data), tags=_split(f.tags.data),
        ))

    audience = [AudienceEntry("role", r) for r in form.audience_roles.data or []]
    audience += [AudienceEntry("org", o) for o in form.audience_orgs.data or []]
    for line_no, name in enumerate(fold_width(form.audience_users.data).splitlines(), start=1):
        if not name.strip():
            continue
        user = db.session.execute(select(User).where(User.username == name.strip())).scalar_one_or_none()
        if user is None:
            problems.append(Problem(N_("Line %(n)s: there is no account “%(name)s”."),
                                    {"n": line_no, "name": name.strip()}, "audience_users"))
        else:
            audience.append(AudienceEntry("user", str(user.id)))

    overrides = []
    for line_no, line in enumerate(fold_width(form.overrides.data).splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        user = db.session.execute(select(User).where(User.username == parts[0])).scalar_one_or_none()
        numbers = parts[1:3] + ["0"] * (3 - len(parts))
        if user is None or len(parts) > 3 or any(whole_number(n, 1440) is None for n in numbers):
            problems.append(Problem(N_("Line %(n)s: write a user name, extra minutes and extra attempts, like "
                                       "“zhang3 30 1”."), {"n": line_no}, "overrides"))
            continue
        overrides.append(exams.Override(user.id, int(numbers[0]), int(numbers[1])))
    return fields, sections, audience, overrides, problems


def _attach(form: ExamForm, problems: list[Problem]) -> None:
    for problem in problems:
        text = message(problem)
        field = getattr(form, problem.field, None) if problem.field else None
        if problem.field in ("qtype", "count", "points", "difficulty") and problem.row:
            row = form.sections[problem.row - 1].form if problem.row <= len(form.sections) else None
            target = getattr(row, "difficulty_min" if problem.field == "difficulty" else problem.field, None)
            if target is not None:
                target.errors = [*target.errors, text]
                continue
        if field is not None and hasattr(field, "errors") and problem.field != "sections":
            field.errors = [*field.errors, text]
        else:
            form.form_errors.append(text)


def _edit(exam: Exam | None):
    form = _form(exam)
    if exam is not None and not form.is_submitted():
        _fill(form, exam)
    status = 200
    if form.validate_on_submit():
        fields, sections, audience, overrides, problems = _parse(form)
        if not problems:
            try:
                saved = exams.save(current_user, exam, fields, sections, audience, overrides)
            except InputError as error:
                problems = error.problems
            else:
                flash_ok(_("Exam saved."))
                return redirect(url_for("exam_admin.edit", exam_id=saved.id))
        _attach(form, problems)
        status = 400
    elif form.is_submitted():
        status = 400
    while len(form.sections) < SECTION_ROWS:
        form.sections.append_entry()
    return render_template("exam_admin/form.html", form=form, exam=exam), status


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.EXAMS_MANAGE)
def new():
    return _edit(None)


@bp.route("/<id:exam_id>/edit", methods=["GET", "POST"])
@require(Permission.EXAMS_MANAGE)
def edit(exam_id: int):
    exam = exams.get(exam_id)
    if exam is None:
        abort(404)
    return _edit(exam)


# --- misconduct: annulling an attempt ------------------------------------------------------------------


def _exam_or_404(exam_id: int) -> Exam:
    exam = db.session.get(Exam, exam_id)
    if exam is None:
        abort(404)
    return exam


@bp.route("/<id:exam_id>/attempts")
@require(Permission.EXAMS_MANAGE)
def attempts(exam_id: int):
    exam = _exam_or_404(exam_id)
    q = request.args.get("q", "")[:100]
    return render_template("exam_admin/attempts.html", exam=exam, q=q, rows=misconduct.attempts_of_exam(exam.id, q),
                           form=AnnulForm(), certs=certificates.of_exam(exam.id), cert_form=CertificateAnnulForm())


@bp.route("/<id:exam_id>/attempts/<id:attempt_id>/annul", methods=["POST"])
@require(Permission.EXAMS_MANAGE)
def annul(exam_id: int, attempt_id: int):
    exam = _exam_or_404(exam_id)
    form = AnnulForm()
    if not form.validate_on_submit():
        for error in form.reason.errors:
            flash(error, "danger")
        return redirect(url_for("exam_admin.attempts", exam_id=exam.id))
    try:
        done = misconduct.annul(exam.id, attempt_id, current_user, form.reason.data, client_ip())
    except InputError as error:
        for problem in error.problems:
            flash(message(problem), "danger")
    except misconduct.MisconductError as error:
        if error.status == 404:
            abort(404)
        flash(message(misconduct.problem(error)), "danger")
    else:
        flash_ok(_("Attempt annulled; %(n)s study points reversed.", n=done.reversed_points))
        if done.not_reversed:
            flash(_("Some of its points were already spent or reserved and could not be reversed: adjust the "
                    "account by hand if needed."), "warning")
    return redirect(url_for("exam_admin.attempts", exam_id=exam.id))
