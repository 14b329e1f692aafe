"""Practice (练习): by law, category or tag; the daily set (每日一练); the wrong-answer book (错题本).

Plain forms, one question per page, no JavaScript needed. The rules live in domain/practice.py, the
loading and storing in services/practice.py; these views read the request and pick a template.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eduapp.domain.practice import BOOK, CASE_STUDY, CATEGORY, LAW, RIGHT, TAG, WRONG, Scope, parse_scope
from eduapp.domain.problems import Problem
from eduapp.domain.questions import LETTERS, MULTIPLE
from eduapp.domain.roles import Permission
from eduapp.i18n import message
from eduapp.security import require
from eduapp.services import practice
from eduapp.services.practice import AnswerProblem
from eduapp.web.practice import bp
from eduapp.web.practice.forms import FIELD_LABELS, TF_LABELS, AnswerForm
from eduapp.web.questions.forms import TYPE_LABELS


def _problem_text(problem: Problem) -> str:
    label = FIELD_LABELS.get(problem.field or "")
    text = message(problem)
    return _("%(field)s: %(message)s", field=label, message=text) if label else text


def _scope_title(scope: Scope) -> str:
    if scope.kind == BOOK:
        return _("Wrong-answer book")
    if scope.kind == CATEGORY:
        return scope.value.replace("/", " › ")
    if scope.kind == TAG:
        return f"#{scope.value}"
    if scope.kind == CASE_STUDY:
        from eduapp.services import case_studies

        study = case_studies.published_one(int(scope.value))
        return _("Case study: %(title)s", title=study.title) if study else _("Case study")
    return scope.value


def _scope_url(scope: Scope, token: str | None = None) -> str:
    return url_for(".question", kind=scope.kind, value=scope.value or None, round=token)


def _problem_page(problem: Problem, status: int = 400):
    return render_template("practice/problem.html", error=_problem_text(problem)), status


def _question_page(
    question,
    form: AnswerForm,
    header: dict,
    status: int = 200,
    error: str | None = None,
    values: list[str] | None = None,
    notice: str | None = None,
):
    version = question.current
    form.question_id.data = str(question.id)
    form.version_id.data = str(version.id)
    return render_template(
        "practice/question.html",
        question=question,
        version=version,
        form=form,
        header=header,
        error=error,
        notice=notice,
        values=values or [],
        blanks=practice.blanks_of(version),
        types=TYPE_LABELS,
        letters=LETTERS,
        tf=TF_LABELS,
    ), status


def _round_header(step: practice.Step | None, scope: Scope) -> dict:
    header = {"title": _scope_title(scope), "action": url_for(".answer"), "back": url_for(".index")}
    if step is not None and step.progress.total:
        header.update(
            position=step.progress.position,
            total=step.progress.total,
            done=step.progress.answered,
            counter=_("Question %(n)s of %(total)s", n=step.progress.position, total=step.progress.total),
        )
    return header


def _daily_header(today: practice.Daily) -> dict:
    return {
        "title": _("Daily practice"),
        "action": url_for(".daily_answer"),
        "back": url_for(".index"),
        "position": today.position,
        "total": len(today.question_ids),
        "done": len(today.answered),
        "counter": _("Answered %(done)s of %(total)s", done=len(today.answered), total=len(today.question_ids)),
    }


def _result_page(outcome: practice.Outcome, header: dict, next_url: str, next_label: str, notice: str | None = None):
    marks = outcome.option_marks
    partly = outcome.version.qtype == MULTIPLE and not outcome.correct and WRONG not in marks and RIGHT in marks
    return render_template(
        "practice/result.html",
        outcome=outcome,
        version=outcome.version,
        header=header,
        partly=partly,
        next_url=next_url,
        next_label=next_label,
        notice=notice,
        types=TYPE_LABELS,
        letters=LETTERS,
        tf=TF_LABELS,
    )


@bp.route("/")
@require(Permission.STUDY)
def index():
    home = practice.home(current_user)
    return render_template(
        "practice/index.html",
        home=home,
        law_kind=LAW,
        category_kind=CATEGORY,
        tag_kind=TAG,
        book_kind=BOOK,
    )


@bp.route("/question")
@require(Permission.STUDY)
def question():
    scope, problem = parse_scope(request.args.get("kind"), request.args.get("value"))
    if problem is not None:
        return _problem_page(problem)
    step = practice.step(current_user, scope, request.args.get("round", ""))
    if step is None:
        return redirect(_scope_url(scope, practice.new_round(current_user)))
    if step.question is None:
        empty = step.progress.total == 0 and scope.kind != BOOK
        return render_template(
            "practice/round_done.html", step=step, title=_scope_title(scope), again=_scope_url(scope)
        ), (404 if empty else 200)
    form = AnswerForm(kind=scope.kind, value=scope.value, round=step.token)
    return _question_page(step.question, form, _round_header(step, scope))


@bp.route("/answer", methods=["POST"])
@require(Permission.STUDY)
def answer():
    form = AnswerForm()
    scope, problem = parse_scope(form.kind.data, form.value.data)
    if problem is not None:
        return _problem_page(problem)
    values = request.form.getlist("response")
    try:
        outcome = practice.answer(current_user, form.question_id.data, form.version_id.data, values)
    except AnswerProblem as err:
        if err.question is None:
            return _problem_page(err.problem, err.status)
        step = practice.step(current_user, scope, form.round.data or "")
        if step is None:
            form.round.data = practice.new_round(current_user)
        keep = values if err.status == 400 else []
        return _question_page(
            err.question, form, _round_header(step, scope), err.status, _problem_text(err.problem), keep
        )
    step = practice.step(current_user, scope, form.round.data or "")
    token = step.token if step is not None else practice.new_round(current_user)
    label = _("See the summary") if step is not None and step.question is None else _("Next question")
    return _result_page(outcome, _round_header(step, scope), _scope_url(scope, token), label)


@bp.route("/daily")
@require(Permission.STUDY)
def daily():
    today = practice.daily(current_user)
    if today.question is None:
        return render_template("practice/daily_done.html", today=today, items=practice.daily_questions(today))
    return _question_page(today.question, AnswerForm(), _daily_header(today))


@bp.route("/daily/answer", methods=["POST"])
@require(Permission.STUDY)
def daily_answer():
    form = AnswerForm()
    values = request.form.getlist("response")
    try:
        outcome, today = practice.daily_answer(current_user, form.question_id.data, form.version_id.data, values)
    except AnswerProblem as err:
        if err.question is None:
            return _problem_page(err.problem, err.status)
        today = practice.daily(current_user)
        keep = values if err.status == 400 else []
        return _question_page(err.question, form, _daily_header(today), err.status, _problem_text(err.problem), keep)
    notice = None if outcome.stored else _("You had already answered this question today: this answer was not counted.")
    label = _("See today's results") if today.finished else _("Next question")
    return _result_page(outcome, _daily_header(today), url_for(".daily"), label, notice)


@bp.route("/book")
@require(Permission.STUDY)
def book():
    return render_template("practice/book.html", entries=practice.book(current_user), book_kind=BOOK)
