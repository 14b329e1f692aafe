"""Learners' exam pages, phone first: my exams, taking an exam, the result, the certificate.

The exam page works without JavaScript (each page of questions is a form that saves); with it,
static/js/exam.js saves every answer as it changes through the API, queues answers while the
network is down, and counts down from the server's clock.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from eduapp.domain.problems import InputError
from eduapp.domain.questions import FILL_BLANK, MULTIPLE, SINGLE, TRUE_FALSE
from eduapp.domain.roles import Permission
from eduapp.i18n import message
from eduapp.models import utcnow
from eduapp.request_time import received_at
from eduapp.security import require
from eduapp.services import attempts, exams, laws
from eduapp.services.attempts import AttemptError
from eduapp.web.exams import bp
from eduapp.web.forms import ConfirmForm
from eduapp.web.helpers import whole_number


def _own_attempt(attempt_id: int):
    attempt = attempts.for_user(current_user, attempt_id)
    if attempt is None:
        abort(404)
    return attempt


def _attempt_message(error: AttemptError) -> str:
    from eduapp.domain.problems import Problem

    return message(Problem(error.msgid, error.params))


@bp.route("/")
@require(Permission.STUDY)
def index():
    now = utcnow()
    summaries = [attempts.summary(exam, current_user, now) for exam in exams.visible_exams(current_user)]
    groups = {
        "open": [s for s in summaries if s.state == "open"],
        "upcoming": [s for s in summaries if s.state == "upcoming"],
        "closed": [s for s in summaries if s.state == "closed"],
    }
    return render_template("exams/index.html", groups=groups, confirm=ConfirmForm())


@bp.route("/<id:exam_id>/start", methods=["POST"])
@require(Permission.STUDY)
def start(exam_id: int):
    exam = exams.get_for_start(exam_id)
    if exam is None or not exams.may_take(current_user, exam) or not ConfirmForm().validate_on_submit():
        abort(404)
    try:
        attempt = attempts.start(current_user, exam)
    except AttemptError as error:
        flash(_attempt_message(error), "warning")
        return redirect(url_for("exams.index"))
    return redirect(url_for("exams.take", attempt_id=attempt.id))


def _integer(text: str) -> int | None:
    """An option id as the form sends it (a minus sign allowed: check_response refuses it by name)."""
    number = whole_number(text.removeprefix("-"))
    return None if number is None else (-number if text.startswith("-") else number)


def _response_from_form(item, form) -> object:
    """A response as the plain form sends it, in the API's shape (check_response validates it)."""
    key = f"q{item.id}"
    qtype = item.version.qtype
    if qtype == SINGLE:
        value = form.get(key, "")
        return _integer(value) if _integer(value) is not None else (None if value == "" else value)
    if qtype == MULTIPLE:
        values = form.getlist(key)
        return [_integer(v) if _integer(v) is not None else v for v in values] or None
    if qtype == TRUE_FALSE:
        value = form.get(key, "")
        return {"true": True, "false": False}.get(value, None if value == "" else value)
    if qtype == FILL_BLANK:
        values = form.getlist(key)
        return None if not any(v.strip() for v in values) else values
    return None


@bp.route("/attempts/<id:attempt_id>", methods=["GET", "POST"])
@require(Permission.STUDY)
def take(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    now = utcnow()
    # A page of answers that reached us before the deadline is saved even if processed after it.
    arrived = received_at(now) if request.method == "POST" else now
    if attempt.state == attempts.IN_PROGRESS and arrived > attempt.deadline:
        attempts.submit(attempt, now=attempt.deadline, by="deadline")
    if attempt.state != attempts.IN_PROGRESS:
        return redirect(url_for("exams.result", attempt_id=attempt.id))
    items = attempt.items
    show_all = request.values.get("all") == "1" and attempt.exam.navigation == "free"
    try:
        position = min(max(int(request.values.get("q", 1)), 1), len(items))
    except ValueError:
        position = 1
    if attempt.exam.navigation == "sequential":
        reached = max((i.position for i in items if i.seq > 0), default=1)
        position = max(position, reached)

    errors: dict[int, str] = {}
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        shown = items if request.form.get("all") == "1" else [i for i in items if i.position == position]
        for item in shown:
            flagged = request.form.get(f"flag{item.id}") == "1"
            try:
                attempts.save_answer(attempt, item.id, _response_from_form(item, request.form), item.seq + 1,
                                     now=now, flagged=flagged, received_at=arrived)
            except InputError as error:
                errors[item.position] = message(error.problems[0])
            except AttemptError as error:
                flash(_attempt_message(error), "warning")
                return redirect(url_for("exams.result", attempt_id=attempt.id))
        if not errors:
            target = request.form.get("go", "")
            if target == "submit":
                return redirect(url_for("exams.confirm_submit", attempt_id=attempt.id))
            if whole_number(target) is not None:
                return redirect(url_for("exams.take", attempt_id=attempt.id, q=whole_number(target)))
            return redirect(url_for("exams.take", attempt_id=attempt.id, q=position, all="1" if show_all else None))

    shown = items if show_all else [i for i in items if i.position == position]
    return render_template(
        "exams/take.html", attempt=attempt, exam=attempt.exam, items=items, shown=shown, position=position,
        show_all=show_all, now=now, errors=errors, confirm=ConfirmForm(),
    ), 400 if errors else 200


@bp.route("/attempts/<id:attempt_id>/submit", methods=["GET", "POST"])
@require(Permission.STUDY)
def confirm_submit(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.state != attempts.IN_PROGRESS:
        return redirect(url_for("exams.result", attempt_id=attempt.id))
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        attempts.submit(attempt, received_at=received_at())
        return redirect(url_for("exams.result", attempt_id=attempt.id))
    return render_template("exams/submit.html", attempt=attempt, unanswered=attempts.unanswered(attempt),
                           flagged=sum(1 for i in attempt.items if i.flagged), confirm=form)


@bp.route("/attempts/<id:attempt_id>/result")
@require(Permission.STUDY)
def result(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    now = utcnow()
    if attempt.state == attempts.IN_PROGRESS:
        if now <= attempt.deadline:
            return redirect(url_for("exams.take", attempt_id=attempt.id))
        attempts.submit(attempt, now=attempt.deadline, by="deadline")
    reveal = attempts.may_review(attempt, now)
    links = {}
    if reveal:
        for item in attempt.items:
            v = item.version
            if v.law and v.article and (v.law, v.article) not in links:
                article = laws.article_for(v.law, v.article)
                links[(v.law, v.article)] = (
                    url_for("laws.article", slug=article.law.slug, label=article.label) if article else None
                )
    return render_template("exams/result.html", attempt=attempt, exam=attempt.exam, reveal=reveal, links=links,
                           paper=attempts.paper(attempt, reveal))
