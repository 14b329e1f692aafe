"""Trainings on the points blueprint: learners see upcoming trainings and register or cancel (until a
training starts; not once it is full); administrators create trainings (kind, day, time, place,
capacity) and record attendance, seeing who registered.

The work is in services/trainings.py and services/training_registrations.py.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eduapp.domain import trainings as rules
from eduapp.domain.problems import N_, InputError
from eduapp.domain.roles import Permission
from eduapp.domain.typed_input import split_codes
from eduapp.i18n import attach_problems
from eduapp.models import utcnow
from eduapp.security import client_ip, require
from eduapp.services import awards, training_registrations, trainings
from eduapp.services.training_registrations import RegistrationRefused
from eduapp.web.forms import ConfirmForm
from eduapp.web.helpers import flash_ok
from eduapp.web.points import bp
from eduapp.web.points.forms import AttendanceForm, TrainingForm

ADMIN = Permission.USERS_MANAGE

REGISTRATION_MESSAGES = {  # (action, changed) -> message
    ("register", True): N_("You are registered for “%(title)s”. You will get a reminder the day before."),
    ("register", False): N_("You were already registered for “%(title)s”."),
    ("unregister", True): N_("Your registration for “%(title)s” is cancelled."),
    ("unregister", False): N_("You were not registered for “%(title)s”."),
}


def refusal_message(error: RegistrationRefused) -> str:
    return _(rules.REFUSALS[error.code], title=error.training.title, capacity=error.training.capacity)


def _context() -> dict:
    return {"kind_labels": rules.KIND_LABELS}


@bp.route("/trainings/upcoming")
@require(Permission.STUDY)
def upcoming_trainings():
    return render_template("points/upcoming.html", trainings=training_registrations.upcoming(current_user, utcnow()),
                           refused=None, **_context())


def _change_registration(action: str, training_id: int):
    """Register or cancel, idempotently. A training that has started (or is full, for registering)
    is refused with 409 and the page says why."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    now = utcnow()
    change = training_registrations.register if action == "register" else training_registrations.unregister
    try:
        result = change(current_user._get_current_object(), training_id, now, client_ip())
    except RegistrationRefused as refused:
        return render_template("points/upcoming.html", trainings=training_registrations.upcoming(current_user, now),
                               refused=refusal_message(refused), **_context()), 409
    if result is None:
        abort(404)
    training, changed = result
    flash_ok(_(REGISTRATION_MESSAGES[(action, changed)], title=training.title))
    return redirect(url_for(".upcoming_trainings"))


@bp.route("/trainings/<id:training_id>/register", methods=["POST"])
@require(Permission.STUDY)
def register_training(training_id: int):
    return _change_registration("register", training_id)


@bp.route("/trainings/<id:training_id>/unregister", methods=["POST"])
@require(Permission.STUDY)
def unregister_training(training_id: int):
    return _change_registration("unregister", training_id)


@bp.route("/trainings", methods=["GET", "POST"], endpoint="trainings")
@require(ADMIN)
def trainings_page():
    form = TrainingForm()
    if request.method == "GET":
        form.points.data = awards.rule_for("training").points
    if form.validate_on_submit():
        try:
            training = trainings.create_training(
                current_user, form.title.data, form.held_on.data, form.points.data, client_ip(),
                kind=form.kind.data, at=form.at.data, place=form.place.data, capacity=form.capacity.data)
        except InputError as err:
            attach_problems(form, err.problems)
        else:
            flash_ok(_("The training is saved. Now record who attended."))
            return redirect(url_for(".training", training_id=training.id))
    return render_template("points/trainings.html", form=form, trainings=trainings.trainings(), **_context()), \
        400 if form.errors else 200


@bp.route("/trainings/<id:training_id>", methods=["GET", "POST"])
@require(ADMIN)
def training(training_id: int):
    found = trainings.get_training(training_id) or abort(404)
    form = AttendanceForm()
    if form.validate_on_submit():
        names = split_codes(form.usernames.data)
        try:
            result = trainings.record_attendance(current_user, found, names, ip=client_ip())
        except InputError as err:
            attach_problems(form, err.problems)
        else:
            if result.added:
                flash_ok(_("Attendance recorded for %(n)s people.", n=len(result.added)))
            if result.already:
                flash(_("Already recorded: %(names)s", names="、".join(result.already)), "info")
            return redirect(url_for(".training", training_id=found.id))
    registrants = trainings.registrants(found)
    pending = [user.username for user, _row, came in registrants if not came]
    return render_template("points/training.html", training=found, form=form, attendees=trainings.attendees(found),
                           registrants=registrants, pending=pending, **_context()), 400 if form.errors else 200
