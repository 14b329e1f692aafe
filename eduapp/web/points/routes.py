"""Study points (学法积分): my balance and ledger (and an enterprise contact's pool); for system
administrators the earning rules, adjustments and reversals. Trainings are in web/points/trainings.py.

The ledger is written by its services only (points, reservations, awards); these views read the request
and pick a template.
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eduapp.domain.ledger_lines import lines
from eduapp.domain.points import EXPIRING_SOON_DAYS, RULE_KINDS, SYSTEM_REASONS
from eduapp.domain.practice import china_day
from eduapp.domain.problems import InputError, Problem
from eduapp.domain.roles import Permission
from eduapp.i18n import attach_problems, message
from eduapp.models import utcnow
from eduapp.security import client_ip, require
from eduapp.services import accounts, awards, competitions, orgs, points, study
from eduapp.services.points import LedgerError
from eduapp.web.forms import ConfirmForm
from eduapp.web.helpers import flash_ok, page_arg
from eduapp.web.points import bp
from eduapp.web.points.forms import (
    ENTRY_KIND_LABELS,
    RULE_LABELS,
    RULE_NOTES,
    AdjustForm,
    ReverseForm,
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


# --- administrators ----------------------------------------------------------------------------------


@bp.route("/rules", methods=["GET", "POST"])
@require(ADMIN)
def rules():
    form = rules_form(awards.rules_table())
    if form.validate_on_submit():
        try:
            awards.save_rules(current_user, rule_values(form), client_ip())
        except InputError as err:
            attach_problems(form, err.problems)
        else:
            flash_ok(_("The earning rules are saved."))
            return redirect(url_for(".rules"))
    return render_template(
        "points/rules.html", form=form, kinds=RULE_KINDS, labels=RULE_LABELS, notes=RULE_NOTES,
        rule_fields=rule_fields, competitions=competitions.closed_competitions(), confirm=ConfirmForm(),
    ), 400 if form.errors else 200


@bp.route("/competitions/<id:exam_id>/award", methods=["POST"])
@require(ADMIN)
def award_competition(exam_id: int):
    if ConfirmForm().validate_on_submit():
        try:
            count = competitions.award_competition_placings(current_user, exam_id, ip=client_ip())
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
                awards.adjust(account, form.points.data, form.reason.data, current_user,
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
            awards.reverse(entry, form.reason.data, current_user, ip=client_ip())
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
