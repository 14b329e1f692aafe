"""Study points (学法积分): my balance and ledger (and an enterprise contact's pool); for system
administrators the earning rules, adjustments and reversals, and trainings with their attendance.

The ledger is written by services/points.py only; these views read the request and pick a template.
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eduapp.domain.ledger_lines import lines
from eduapp.domain.points import EXPIRING_SOON_DAYS, RULE_KINDS, SYSTEM_REASONS
from eduapp.domain.practice import china_day
from eduapp.domain.problems import N_, InputError, Problem
from eduapp.domain.roles import Permission
from eduapp.domain.typed_input import split_codes
from eduapp.models import utcnow
from eduapp.security import client_ip, require
from eduapp.services import accounts, orgs, points, reminder_pages, study
from eduapp.services.points import LedgerError
from eduapp.web.forms import ConfirmForm
from eduapp.web.helpers import flash_ok, page_arg
from eduapp.web.i18n import attach_problems, message
from eduapp.web.points import bp
from eduapp.web.points.forms import (
    ENTRY_KIND_LABELS,
    RULE_LABELS,
    RULE_NOTES,
    AdjustForm,
    AttendanceForm,
    ReverseForm,
    TrainingForm,
    rule_fields,
    rule_values,
    rules_form,
)

ADMIN = Permission.USERS_MANAGE


def reason_text(reason: str) -> str:
    """The reasons the system writes are message ids, shown in the reader's language; an
    administrator's reason is shown as written."""
    return _(reason) if reason in SYSTEM_REASONS else reason


def _ledger_context() -> dict:
    return {"kind_labels": ENTRY_KIND_LABELS, "reason_text": reason_text}


def _ledger_error(error: LedgerError) -> str:
    return message(Problem(error.msgid, error.params))


# --- learners and enterprise contacts ---------------------------------------------------------------


@bp.route("/")
@require(Permission.STUDY, ADMIN)
def mine():
    now = utcnow()
    account = points.person_account(current_user, create=False) if current_user.can(Permission.STUDY) else None
    soon = now + timedelta(days=EXPIRING_SOON_DAYS)
    pool = None
    organisation = current_user.organisation
    if current_user.can(Permission.ROSTER_MANAGE) and organisation.is_enterprise:
        pool_account = points.pool_account(organisation, create=False)
        pool_page = points.ledger(pool_account, page_arg("pool_page"), 20)
        pool = {"balance": points.balance(pool_account, now), "ledger": pool_page, "lines": lines(pool_page.items),
                "who": points.contributors(pool_page.items), "name": organisation.name}
    ledger = points.ledger(account, page_arg(), 20)
    return render_template(
        "points/mine.html",
        balance=points.balance(account, now),
        expiring=[(left, when) for left, when in points.lots_of(account, now) if when <= soon],
        ledger=ledger, ledger_lines=lines(ledger.items),
        pool=pool,
        learner=current_user.can(Permission.STUDY),
        study_minutes_today=study.seconds_on(current_user.id, china_day(now)) // 60,
        **_ledger_context(),
    )


@bp.route("/study/heartbeat", methods=["POST"])
@require(Permission.STUDY)
def study_heartbeat():
    """Sent every minute by a visible law-library page (static/js/study.js); CSRF-protected."""
    beat = study.heartbeat(current_user)
    return jsonify({"day": beat.day.isoformat(), "seconds": beat.seconds, "minutes": beat.seconds // 60,
                    "units_completed": beat.awarded_units})


@bp.route("/trainings/upcoming")
@require(Permission.STUDY)
def upcoming_trainings():
    return render_template("points/upcoming.html", trainings=reminder_pages.upcoming(current_user, utcnow()),
                           closed=None)


REGISTRATION_MESSAGES = {  # (action, changed) -> message
    ("register", True): N_("You are registered for “%(title)s”. You will get a reminder the day before."),
    ("register", False): N_("You were already registered for “%(title)s”."),
    ("unregister", True): N_("Your registration for “%(title)s” is cancelled."),
    ("unregister", False): N_("You were not registered for “%(title)s”."),
}


def _change_registration(action: str, training_id: int):
    """Register or cancel, idempotently. Learners reach only trainings still to come: one that has
    started is not found for them, and the page says why."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    now = utcnow()
    change = reminder_pages.register if action == "register" else reminder_pages.unregister
    try:
        result = change(current_user._get_current_object(), training_id, now, client_ip())
    except reminder_pages.RegistrationClosed as closed:
        return render_template("points/upcoming.html", trainings=reminder_pages.upcoming(current_user, now),
                               closed=closed.training), 404
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


# --- administrators ----------------------------------------------------------------------------------


@bp.route("/rules", methods=["GET", "POST"])
@require(ADMIN)
def rules():
    form = rules_form(points.rules_table())
    if form.validate_on_submit():
        try:
            points.save_rules(current_user, rule_values(form), client_ip())
        except InputError as err:
            attach_problems(form, err.problems)
        else:
            flash_ok(_("The earning rules are saved."))
            return redirect(url_for(".rules"))
    return render_template(
        "points/rules.html", form=form, kinds=RULE_KINDS, labels=RULE_LABELS, notes=RULE_NOTES,
        rule_fields=rule_fields, competitions=points.closed_competitions(), confirm=ConfirmForm(),
    ), 400 if form.errors else 200


@bp.route("/competitions/<id:exam_id>/award", methods=["POST"])
@require(ADMIN)
def award_competition(exam_id: int):
    if ConfirmForm().validate_on_submit():
        try:
            count = points.award_competition_placings(current_user, exam_id, ip=client_ip())
        except LedgerError as error:
            if error.status == 404:
                abort(404)
            flash(_ledger_error(error), "danger")
        else:
            flash_ok(_("Placing points awarded to %(n)s people.", n=count))
    return redirect(url_for(".rules"))


def _resolve_account(form: AdjustForm):
    ref = form.account.data.strip()
    if form.owner_kind.data == "enterprise":
        organisation = orgs.find(ref)
        if organisation is None or not organisation.is_enterprise:
            form.account.errors.append(_("There is no enterprise with this name or credit code."))
            return None
        return points.pool_account(organisation)
    user = accounts.find_by_username(ref)
    if user is None:
        form.account.errors.append(_("There is no account with this username."))
        return None
    return points.person_account(user)


@bp.route("/adjust", methods=["GET", "POST"])
@require(ADMIN)
def adjust():
    form = AdjustForm()
    if request.method == "GET" and request.args.get("account"):
        form.account.data = request.args["account"]
        form.owner_kind.data = request.args.get("kind", "person")
    if form.validate_on_submit():
        account = _resolve_account(form)
        if account is not None:
            try:
                points.adjust(account, form.points.data, form.reason.data, current_user,
                              valid_months=form.valid_months.data, ip=client_ip())
            except InputError as err:
                attach_problems(form, err.problems)
            else:
                flash_ok(_("The adjustment is recorded."))
                return redirect(url_for(".account", account_id=account.id))
    return render_template("points/adjust.html", form=form), 400 if form.errors else 200


def _owner(account) -> tuple[str, str]:
    """The owner's name as shown, and as the adjustment form takes it."""
    owner = points.owner_of(account)
    if owner is None:
        return "—", ""
    if account.owner_kind == "person":
        return f"{owner.full_name} ({owner.username})", owner.username
    return owner.name, owner.name


@bp.route("/accounts/<id:account_id>")
@require(ADMIN)
def account(account_id: int):
    found = points.get_account(account_id)
    if found is None:
        abort(404)
    page = points.ledger(found, page_arg(), 20)
    owner, owner_ref = _owner(found)
    return render_template(
        "points/account.html", account=found, owner=owner, owner_ref=owner_ref, balance=points.balance(found),
        ledger=page, ledger_lines=lines(page.items), reversed=points.reversed_ids([e.id for e in page.items]),
        reversible=points.REVERSIBLE,
        who=points.contributors(page.items), **_ledger_context(),
    )


@bp.route("/entries/<id:entry_id>/reverse", methods=["GET", "POST"])
@require(ADMIN)
def reverse(entry_id: int):
    entry = points.get_entry(entry_id)
    if entry is None:
        abort(404)
    form = ReverseForm()
    error = None
    if form.validate_on_submit():
        try:
            points.reverse(entry, form.reason.data, current_user, ip=client_ip())
        except InputError as err:
            attach_problems(form, err.problems)
        except LedgerError as err:
            error = _ledger_error(err)
        else:
            flash_ok(_("The entry is reversed."))
            return redirect(url_for(".account", account_id=entry.account_id))
    status = 400 if form.errors else (409 if error else 200)
    return render_template("points/reverse.html", entry=entry, form=form, error=error,
                           done=bool(points.reversed_ids([entry.id])), reversible=points.REVERSIBLE,
                           **_ledger_context()), status


@bp.route("/trainings", methods=["GET", "POST"])
@require(ADMIN)
def trainings():
    form = TrainingForm()
    if request.method == "GET":
        form.points.data = points.rule_for("training").points
    if form.validate_on_submit():
        try:
            training = points.create_training(current_user, form.title.data, form.held_on.data, form.points.data,
                                              client_ip())
        except InputError as err:
            attach_problems(form, err.problems)
        else:
            flash_ok(_("The training is saved. Now record who attended."))
            return redirect(url_for(".training", training_id=training.id))
    return render_template("points/trainings.html", form=form, trainings=points.trainings()), \
        400 if form.errors else 200


@bp.route("/trainings/<id:training_id>", methods=["GET", "POST"])
@require(ADMIN)
def training(training_id: int):
    found = points.get_training(training_id)
    if found is None:
        abort(404)
    form = AttendanceForm()
    if form.validate_on_submit():
        names = split_codes(form.usernames.data)
        try:
            result = points.record_attendance(current_user, found, names, ip=client_ip())
        except InputError as err:
            attach_problems(form, err.problems)
        else:
            if result.added:
                flash_ok(_("Attendance recorded for %(n)s people.", n=len(result.added)))
            if result.already:
                flash(_("Already recorded: %(names)s", names="、".join(result.already)), "info")
            return redirect(url_for(".training", training_id=found.id))
    return render_template("points/training.html", training=found, form=form,
                           attendees=points.attendees(found)), 400 if form.errors else 200
