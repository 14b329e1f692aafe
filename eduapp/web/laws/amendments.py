"""Amendments in the law library: the learners' 新法速递 (what changed, both texts; time on it is study
time) and the editors' review page (the article-by-article diff and the questions waiting for review)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from eduapp.domain.law_amendments import ADDED, CHANGED, KINDS, REMOVED, RENUMBERED
from eduapp.domain.laws import version_of
from eduapp.domain.problems import InputError
from eduapp.domain.roles import Permission
from eduapp.models import Question
from eduapp.security import client_ip, require, signed_in
from eduapp.services import law_amendments
from eduapp.web.helpers import one_or_404
from eduapp.web.laws import bp

# What the 新法速递 shows: what a reader must learn anew (unchanged and renumbered articles are counted only).
LEARNER_KINDS = (CHANGED, ADDED, REMOVED)


def _amendment_or_404(amendment_id: int):
    amendment = law_amendments.amendment_by_id(amendment_id)
    if amendment is None:
        abort(404)
    return amendment


@bp.route("/amendments/")
@signed_in
def amendments():
    return render_template("laws/amendments.html", amendments=law_amendments.list_amendments(),
                           version=version_of)


@bp.route("/amendments/<id:amendment_id>")
@signed_in
def amendment(amendment_id: int):
    found = _amendment_or_404(amendment_id)
    return render_template("laws/amendment.html", amendment=found, version=version_of,
                           rows=law_amendments.diff_rows(found, LEARNER_KINDS),
                           renumbered=law_amendments.diff_rows(found, (RENUMBERED,)))


@bp.route("/amendments/<id:amendment_id>/review")
@require(Permission.QUESTIONS_EDIT)
def amendment_review(amendment_id: int):
    found = _amendment_or_404(amendment_id)
    return render_template("laws/amendment_review.html", amendment=found, version=version_of,
                           rows=law_amendments.diff_rows(found, KINDS), waiting=law_amendments.waiting(found))


@bp.route("/amendments/<id:amendment_id>/questions/<id:question_id>/review", methods=["POST"])
@require(Permission.QUESTIONS_EDIT)
def amendment_question_review(amendment_id: int, question_id: int):
    found = _amendment_or_404(amendment_id)
    question = one_or_404(select(Question), Question, question_id)
    if question.review_amendment_id not in (None, found.id):
        abort(404)
    try:
        law_amendments.review(current_user, question, ip=client_ip())
    except InputError:
        flash(_("Question %(uid)s is not waiting for review.", uid=question.uid), "warning")
    else:
        flash(_("Question %(uid)s is reviewed and may be drawn in new papers again.", uid=question.uid), "success")
    return redirect(url_for("laws.amendment_review", amendment_id=found.id))
