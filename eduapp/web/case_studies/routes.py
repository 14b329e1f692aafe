"""Typical cases (以案释法): learners read the published ones (reading counts as study time) and practise
their questions; editors draft them (from a decided case or blank), submit, review and publish (another
editor than the author), retire, import and export them. docs/case-studies.md."""

from __future__ import annotations

from pathlib import Path

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eduapp.domain import case_studies as rules
from eduapp.domain.practice import CASE_STUDY
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Permission
from eduapp.domain.typed_input import split_list
from eduapp.extensions import db
from eduapp.i18n import attach_problems, message
from eduapp.models import PenaltyCase
from eduapp.security import require
from eduapp.services import case_studies, case_study_files
from eduapp.web.case_studies import bp
from eduapp.web.case_studies.forms import CaseStudyForm, ConfirmImportForm, FromCaseForm, ImportCaseStudiesForm
from eduapp.web.forms import ConfirmForm, choices
from eduapp.web.helpers import flash_ok

MAX_UPLOAD = 1_000_000


# --- learners -----------------------------------------------------------------------------------------------


@bp.route("/")
@require(Permission.STUDY)
def index():
    return render_template("case_studies/index.html", studies=case_studies.published())


@bp.route("/<id:study_id>")
@require(Permission.STUDY)
def read(study_id: int):
    study = case_studies.published_one(study_id)
    if study is None:
        abort(404)
    return _study_page(study, preview=False)


def _study_page(study, preview: bool):
    questions = case_studies.questions_of(study)
    return render_template(
        "case_studies/read.html", study=study, preview=preview, articles=case_studies.linked_articles(study),
        questions=questions, minutes=rules.reading_minutes(study.facts, study.decision, study.lesson),
        practise=url_for("practice.question", kind=CASE_STUDY, value=str(study.id)) if questions else None,
        penalty=rules.PENALTY)


# --- editors ------------------------------------------------------------------------------------------------


@bp.route("/manage")
@require(Permission.QUESTIONS_EDIT)
def manage():
    status = request.args.get("status") or None
    form = FromCaseForm()
    form.case_id.choices = choices((str(c.id), f"{c.case_number} · {c.enterprise.name}")
                                   for c in case_studies.decided_cases())
    return render_template("case_studies/manage.html", studies=case_studies.listing(status), status=status,
                           statuses=rules.STATUS_LABELS, form=form)


@bp.route("/manage/from-case", methods=["POST"])
@require(Permission.QUESTIONS_EDIT)
def from_case():
    form = FromCaseForm()
    form.case_id.choices = []
    if not form.validate_on_submit():
        abort(400)  # no CSRF token: the form was not sent from our page
    raw = (form.case_id.data or "").strip()
    case = db.session.get(PenaltyCase, int(raw)) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None
    if case is None:
        return render_template("case_studies/problem.html", errors=[_("%(field)s: %(message)s", field=_(
            "Decided case"), message=_("Choose a case."))]), 400
    try:
        study = case_studies.create_from_case(current_user, case)
    except InputError as err:
        return render_template("case_studies/problem.html", errors=[message(p) for p in err.problems]), 400
    flash_ok(_("A draft was made from the case; people's names are masked. Check it and write the lesson."))
    return redirect(url_for(".edit", study_id=study.id))


def _draft(form: CaseStudyForm, uid: str | None) -> tuple[rules.Draft, list]:
    problems, articles = [], []
    for line in (form.articles.data or "").splitlines():
        if line.strip():
            found, problem = rules.parse_article_line(line)
            problems.extend([problem] if problem else [])
            articles.extend([found] if found else [])
    draft = rules.Draft(title=form.title.data or "", facts=form.facts.data or "", decision=form.decision.data or "",
                        lesson=form.lesson.data or "", articles=articles,
                        question_uids=split_list(form.questions.data or ""), uid=uid,
                        enterprise=form.enterprise.data or "")
    return draft, problems


def _fill(form: CaseStudyForm, study) -> None:
    form.title.data, form.enterprise.data = study.title, study.enterprise
    form.facts.data, form.decision.data, form.lesson.data = study.facts, study.decision, study.lesson
    form.articles.data = "\n".join(rules.article_line(a) for a in case_studies.articles_of(study))
    form.questions.data = ", ".join(study.question_uids or [])


@bp.route("/manage/new", methods=["GET", "POST"])
@require(Permission.QUESTIONS_EDIT)
def new():
    form = CaseStudyForm()
    if form.validate_on_submit():
        draft, problems = _draft(form, None)
        try:
            if problems:
                raise InputError(problems)
            study = case_studies.create(current_user, draft)
        except InputError as err:
            attach_problems(form, err.problems)
        else:
            flash_ok(_("Saved."))
            return redirect(url_for(".edit", study_id=study.id))
    return render_template("case_studies/edit.html", form=form, study=None, confirm=ConfirmForm()), \
        400 if form.errors or form.form_errors else 200


@bp.route("/manage/<id:study_id>", methods=["GET", "POST"])
@require(Permission.QUESTIONS_EDIT)
def edit(study_id: int):
    study = case_studies.get(study_id)
    if study is None:
        abort(404)
    form = CaseStudyForm()
    if request.method == "GET":
        _fill(form, study)
    elif form.validate_on_submit():
        draft, problems = _draft(form, study.uid)
        try:
            if problems:
                raise InputError(problems)
            case_studies.update(current_user, study, draft)
        except InputError as err:
            db.session.rollback()
            attach_problems(form, err.problems)
        else:
            flash_ok(_("Saved."))
            return redirect(url_for(".edit", study_id=study.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("case_studies/edit.html", form=form, study=study, confirm=ConfirmForm(),
                           labels=rules.STATUS_LABELS, ACTIONS=rules.ACTIONS), status


@bp.route("/manage/<id:study_id>/preview")
@require(Permission.QUESTIONS_EDIT)
def preview(study_id: int):
    study = case_studies.get(study_id)
    if study is None:
        abort(404)
    return _study_page(study, preview=True)


@bp.route("/manage/<id:study_id>/<action>", methods=["POST"])
@require(Permission.QUESTIONS_EDIT)
def act(study_id: int, action: str):
    study = case_studies.get(study_id)
    if study is None or action not in rules.ACTIONS:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        case_studies.act(current_user, study, action)
    except InputError as err:
        db.session.rollback()
        return render_template("case_studies/problem.html", errors=[message(p) for p in err.problems],
                               back=url_for(".edit", study_id=study.id)), 400
    done = {rules.SUBMIT: _("Submitted for review."), rules.PUBLISH: _("Published."),
            rules.RETURN: _("Returned to draft."), rules.RETIRE: _("Retired.")}
    flash_ok(done[action])
    return redirect(url_for(".edit", study_id=study.id))


@bp.route("/manage/export")
@require(Permission.QUESTIONS_EDIT)
def export():
    status = request.args.get("status")
    text, _count = case_study_files.export(status if status in rules.STATUSES else None)
    return Response(text, mimetype="application/yaml",
                    headers={"Content-Disposition": "attachment; filename=case-studies.yaml"})


@bp.route("/manage/import", methods=["GET", "POST"])
@require(Permission.QUESTIONS_EDIT)
def import_file():
    """Upload: a dry run first (every problem with its line); the preview's button writes it."""
    form, confirm = ImportCaseStudiesForm(), ConfirmImportForm()
    report, content, name = None, None, None
    if form.validate_on_submit():
        data = form.file.data.read(MAX_UPLOAD + 1)
        name = Path(form.file.data.filename or "upload.yaml").name
        if len(data) > MAX_UPLOAD:
            form.file.errors = [*form.file.errors, _("The file is larger than 1 MB.")]
        else:
            report = case_study_files.import_files([(name, data)], dry_run=True)
            content = data.decode("utf-8", errors="replace") if not report.problems else None
    elif confirm.content.data and confirm.validate_on_submit():
        name = Path(confirm.name.data or "upload.yaml").name
        report = case_study_files.import_files([(name, confirm.content.data.encode()[:MAX_UPLOAD])],
                                               actor=current_user)
        if report.written:
            flash_ok(_("Imported: %(added)s added, %(updated)s updated, %(unchanged)s unchanged.",
                       **report.counts()))
            return redirect(url_for(".manage"))
    errors = [f"{file}:{p.row}: {message(p)}" if p.row else f"{file}: {message(p)}"
              for file, p in (report.problems if report else [])]
    if content is not None:
        confirm.content.data, confirm.name.data = content, name
    status = 400 if form.errors or errors else 200
    return render_template("case_studies/import.html", form=form, confirm=confirm, report=report, errors=errors,
                           content=content), status
