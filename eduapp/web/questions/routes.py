"""The question-bank editor: list, search and filter, edit with preview, bulk status, history, import/export."""

from __future__ import annotations

import difflib
import json
import re
import secrets
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from eduapp.domain.formats import registry
from eduapp.domain.questions import (
    CHOICE_TYPES,
    QTYPES,
    STATUSES,
    QuestionData,
    answer_from_text,
    answer_to_text,
    validate,
)
from eduapp.domain.roles import Permission
from eduapp.domain.typed_input import split_list
from eduapp.extensions import db
from eduapp.i18n import attach_problems
from eduapp.models import Category, Question, QuestionVersion
from eduapp.security import client_ip, require
from eduapp.services import bureau_queries, question_bank
from eduapp.services.question_export import render
from eduapp.services.question_import import import_files
from eduapp.web.forms import ConfirmForm
from eduapp.web.helpers import Page, flash_ok, one_or_404, page_arg, whole_number
from eduapp.web.questions import bp
from eduapp.web.questions.forms import STATUS_LABELS, TYPE_LABELS, ImportQuestionsForm, QuestionForm

FIELD_OF_PROBLEM = {"type": "qtype", "id": "uid"}
MIME = {
    "yaml": "application/x-yaml",
    "gift": "text/plain",
    "aiken": "text/plain",
    "moodle-xml": "application/xml",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _filters() -> dict:
    args = request.args
    return {k: args.get(k, "").strip() for k in ("q", "law", "qtype", "difficulty", "status", "tag", "category")}


def _filtered_query(f: dict):
    """The page's filters read through the one question filter the API uses too (bureau_queries)."""
    return bureau_queries.questions(
        status=f["status"] if f["status"] in STATUSES else None,
        qtype=f["qtype"] if f["qtype"] in QTYPES else None,
        law=f["law"] or None,
        q=f["q"] or None,
        difficulty=whole_number(f["difficulty"]),
        tag=f["tag"] or None,
        category=f["category"] or None,
    )


@bp.route("/")
@require(Permission.QUESTIONS_EDIT)
def index():
    f = _filters()
    page = Page(_filtered_query(f), page_arg(), per_page=50)
    return render_template(
        "questions/index.html",
        page=page,
        f=f,
        types=TYPE_LABELS,
        statuses=STATUS_LABELS,
        confirm=ConfirmForm(),
        **_lists(),
    )


@bp.route("/bulk", methods=["POST"])
@require(Permission.QUESTIONS_EDIT)
def bulk():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    action = request.form.get("action")
    if action not in ("published", "retired", "draft"):
        abort(400)
    ids = [n for n in map(whole_number, request.form.getlist("ids")) if n]
    if not ids:
        flash(_("Select at least one question."), "warning")
    else:
        questions = db.session.execute(select(Question).where(Question.id.in_(ids))).unique().scalars().all()
        changed = question_bank.set_status(current_user, list(questions), action, client_ip())
        flash_ok(_("%(n)s questions changed to %(status)s.", n=changed, status=STATUS_LABELS[action]))
    return redirect(
        request.form.get("back")
        if (request.form.get("back") or "").startswith("/questions")
        else url_for("questions.index")
    )


def _form_to_data(form: QuestionForm) -> QuestionData:
    options = tuple(line.strip() for line in (form.options.data or "").splitlines() if line.strip())
    if form.qtype.data not in CHOICE_TYPES:
        options = ()
    answer = answer_from_text(form.qtype.data, form.answer.data or "", len(options))
    tags = tuple(split_list(form.tags.data, spaces=False))
    return QuestionData(
        qtype=form.qtype.data,
        stem=(form.stem.data or "").strip(),
        answer=answer if answer is not None else (),
        options=options,
        explanation=(form.explanation.data or "").strip(),
        law=(form.law.data or "").strip() or None,
        article=(form.article.data or "").strip() or None,
        difficulty=int(form.difficulty.data or 3),
        tags=tags,
        category=(form.category.data or "").strip().strip("/") or None,
        status=form.status.data,
        external_id=(form.uid.data or "").strip() or None,
    )


def _check(form: QuestionForm, q: QuestionData) -> bool:
    problems = validate(q)
    if q.answer == () and form.answer.data:
        from eduapp.domain.problems import N_, Problem

        problems.append(Problem(N_("This answer cannot be read for this type of question."), {}, "answer"))
    problems = [p.__class__(p.msgid, p.params, FIELD_OF_PROBLEM.get(p.field, p.field), p.row) for p in problems]
    attach_problems(form, problems)
    return not problems


def _fill(form: QuestionForm, q: QuestionData) -> None:
    form.uid.data = q.external_id
    form.qtype.data = q.qtype
    form.stem.data = q.stem
    form.options.data = "\n".join(q.options)
    form.answer.data = answer_to_text(q)
    form.explanation.data = q.explanation
    form.law.data = q.law or ""
    form.article.data = q.article or ""
    form.difficulty.data = str(q.difficulty)
    form.tags.data = "，".join(q.tags)
    form.category.data = q.category or ""
    form.status.data = q.status


def _lists():
    laws = (
        db.session.execute(
            select(QuestionVersion.law).where(QuestionVersion.law.is_not(None)).distinct().order_by(QuestionVersion.law)
        )
        .scalars()
        .all()
    )
    categories = db.session.execute(select(Category.path).order_by(Category.path)).scalars().all()
    return {"known_laws": laws, "known_categories": categories}


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.QUESTIONS_EDIT)
def new():
    form = QuestionForm()
    if request.method == "GET":  # prefilled from the coverage map: ?law=…&article=…
        form.law.data = request.args.get("law", "").strip()[:100]
        form.article.data = request.args.get("article", "").strip()[:32]
    if form.validate_on_submit():
        q = _form_to_data(form)
        if q.external_id and db.session.execute(select(Question.id).where(Question.uid == q.external_id)).scalar():
            form.uid.errors = [*form.uid.errors, _("The id “%(value)s” is taken.", value=q.external_id)]
        elif _check(form, q):
            question = question_bank.create(current_user, q, client_ip())
            flash_ok(_("Question %(uid)s created.", uid=question.uid))
            return redirect(url_for("questions.show", question_id=question.id))
    return render_template("questions/form.html", form=form, question=None, **_lists()), 400 if form.errors else 200


@bp.route("/<id:question_id>/edit", methods=["GET", "POST"])
@require(Permission.QUESTIONS_EDIT)
def edit(question_id: int):
    question = one_or_404(select(Question), Question, question_id)
    form = QuestionForm()
    if request.method == "GET":
        _fill(form, question_bank.as_data(question))
    elif form.validate_on_submit():
        q = _form_to_data(form).with_(external_id=question.uid)
        if _check(form, q):
            changed = question_bank.save_edit(current_user, question, q, client_ip())
            if q.status != question.status:
                question_bank.set_status(current_user, [question], q.status, client_ip())
                changed = True
            flash_ok(_("Saved as version %(n)s.", n=question.current.number) if changed else _("Nothing changed."))
            return redirect(url_for("questions.show", question_id=question.id))
    form.uid.render_kw = {"readonly": True}
    return render_template("questions/form.html", form=form, question=question, **_lists()), 400 if form.errors else 200


@bp.route("/preview", methods=["POST"])
@require(Permission.QUESTIONS_EDIT)
def preview():
    """The live preview of the edit form (fetched by static/js/question-preview.js)."""
    form = QuestionForm()
    form.validate()
    q = _form_to_data(form)
    problems = validate(q) if q.stem else []
    from eduapp.i18n import message

    return render_template("questions/_preview.html", q=q, problems=[message(p) for p in problems], types=TYPE_LABELS)


@bp.route("/<id:question_id>")
@require(Permission.QUESTIONS_EDIT)
def show(question_id: int):
    question = one_or_404(select(Question), Question, question_id)
    return render_template(
        "questions/show.html",
        question=question,
        q=question_bank.as_data(question),
        types=TYPE_LABELS,
        statuses=STATUS_LABELS,
        article=_article_link(question),
    )


def _article_link(question: Question):
    """(url, label) of the cited article when the law library has it."""
    version = question.current
    if not version or not version.law or not version.article:
        return None
    try:
        from eduapp.services import laws
    except ImportError:  # the law library is optional
        return None
    article = laws.article_for(version.law, version.article)
    if article is None:
        return None
    return url_for("laws.article", slug=article.law.slug, label=article.label), f"《{version.law}》{version.article}"


def _version_lines(question: Question, version: QuestionVersion) -> list[str]:
    q = question_bank.as_data(question, version)
    lines = [f"{_('Type')}: {TYPE_LABELS[q.qtype]}", f"{_('Stem')}: {q.stem}"]
    lines += [f"{chr(65 + i)}. {o}" for i, o in enumerate(q.options)]
    lines += [
        f"{_('Answer')}: {answer_to_text(q)}",
        f"{_('Explanation')}: {q.explanation}",
        f"{_('Law')}: {q.law or ''} {q.article or ''}",
        f"{_('Difficulty')}: {q.difficulty}",
        f"{_('Tags')}: {'，'.join(q.tags)}",
    ]
    return lines


@bp.route("/<id:question_id>/versions/<id:number>")
@require(Permission.QUESTIONS_EDIT)
def version(question_id: int, number: int):
    question = one_or_404(select(Question), Question, question_id)
    versions = {v.number: v for v in question.versions}
    if number not in versions:
        abort(404)
    current = versions[number]
    previous = versions.get(number - 1)
    diff = None
    if previous is not None:
        diff = list(difflib.ndiff(_version_lines(question, previous), _version_lines(question, current)))
        diff = [line for line in diff if not line.startswith("?")]
    return render_template(
        "questions/version.html",
        question=question,
        version=current,
        previous=previous,
        q=question_bank.as_data(question, current),
        diff=diff,
        types=TYPE_LABELS,
    )


def _upload_dir() -> Path:
    path = Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


@bp.route("/import", methods=["GET", "POST"])
@require(Permission.QUESTIONS_EDIT)
def import_file():
    form = ImportQuestionsForm()
    report = token = None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        name = Path(upload.filename or "upload").name
        skip_invalid = bool(form.skip_invalid.data)
        report = import_files([(name, data)], fmt=form.fmt.data, category=form.category.data or None, dry_run=True)
        if (report.added or report.updated) and (skip_invalid or not report.rejected):
            token = secrets.token_urlsafe(16)
            (_upload_dir() / f"{token}.bin").write_bytes(data)
            (_upload_dir() / f"{token}.json").write_text(
                json.dumps(
                    {
                        "user": current_user.id,
                        "name": name,
                        "fmt": form.fmt.data,
                        "category": form.category.data or None,
                        "skip_invalid": skip_invalid,
                    }
                ),
                encoding="utf-8",
            )
    status = 400 if form.errors or (report and report.rejected and not token) else 200
    return render_template(
        "questions/import.html", form=form, report=report, token=token, done=False, confirm=ConfirmForm()
    ), status


@bp.route("/import/<token>", methods=["POST"])
@require(Permission.QUESTIONS_EDIT)
def import_confirm(token: str):
    if not re.fullmatch(r"[A-Za-z0-9_\-]{10,64}", token) or not ConfirmForm().validate_on_submit():
        abort(400)
    meta_path, data_path = _upload_dir() / f"{token}.json", _upload_dir() / f"{token}.bin"
    if not meta_path.exists():
        abort(404)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta["user"] != current_user.id:
        abort(404)
    report = import_files(
        [(meta["name"], data_path.read_bytes())],
        fmt=meta["fmt"],
        category=meta["category"],
        skip_invalid=meta.get("skip_invalid", False),
        actor=current_user,
    )
    meta_path.unlink(missing_ok=True)
    data_path.unlink(missing_ok=True)
    return render_template(
        "questions/import.html", form=ImportQuestionsForm(), report=report, token=None, done=True, confirm=ConfirmForm()
    ), 400 if report.rejected and not report.written else 200


@bp.route("/template.xlsx")
@require(Permission.QUESTIONS_EDIT)
def template():
    from eduapp.domain.formats import xlsx_format

    return Response(
        xlsx_format.template(),
        mimetype=MIME["xlsx"],
        headers={"Content-Disposition": "attachment; filename=question-template.xlsx"},
    )


@bp.route("/export")
@require(Permission.QUESTIONS_EDIT)
def export():
    fmt = request.args.get("format", "xlsx")
    if fmt not in registry.FORMATS:
        abort(404)
    f = _filters()
    questions = [
        question_bank.as_data(q)
        for q in db.session.execute(_filtered_query(f)).unique().scalars()
    ]
    data, left_out = render(fmt, questions)
    headers = {"Content-Disposition": f"attachment; filename=questions{registry.FILE_SUFFIX[fmt]}"}
    if left_out:
        headers["X-Eduapp-Left-Out"] = str(len(left_out))
    return Response(data, mimetype=MIME[fmt], headers=headers)
