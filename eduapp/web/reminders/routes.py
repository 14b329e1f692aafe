"""The inbox (every signed-in user's reminders), the channel preferences, and the delivery log with
its resend button for system administrators.

The inbox shows only the signed-in person's own reminders: reminder_sending's queries take the user's
id, and another person's reminder is not found.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

from flask import Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from eduapp.domain import reminders as rules
from eduapp.domain.practice import CHINA, china_day
from eduapp.domain.roles import Permission
from eduapp.models import utcnow
from eduapp.security import client_ip, require, signed_in
from eduapp.services import reminder_sending
from eduapp.services.reminders import configured_leads
from eduapp.tasks import reminders as reminder_tasks
from eduapp.web.forms import ConfirmForm
from eduapp.web.helpers import Paged, flash_ok, page_arg, safe_next
from eduapp.web.reminders import bp
from eduapp.web.reminders.forms import PreferencesForm
from eduapp.web.reminders.log_table import channel_label, count_table, export_xlsx, kind_label, status_label

log = logging.getLogger(__name__)

ADMIN = Permission.USERS_MANAGE
PER_PAGE = 20
PERIOD_DAYS = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def unread_badge() -> int | None:
    """The signed-in person's unread reminders for the navigation bar: one COUNT a page, none when
    signed out. A database that fails here (say, on an error page) only hides the badge."""
    if not current_user.is_authenticated:
        return None
    if "inbox_unread" not in g:
        try:
            g.inbox_unread = reminder_sending.unread_count(current_user.id)
        except SQLAlchemyError:
            log.warning("could not count unread reminders", exc_info=True)
            g.inbox_unread = None
    return g.inbox_unread


# --- the inbox -----------------------------------------------------------------------------------------


def _rendered(reminder, locale: str) -> tuple[str, str]:
    """Subject and text; a reminder whose stored params no longer fit its template still shows its
    kind rather than breaking the whole inbox."""
    try:
        return reminder_sending.render(reminder, locale)
    except (KeyError, ValueError, TypeError):
        log.warning("reminder %s does not render", reminder.id, exc_info=True)
        return kind_label(reminder.kind), ""


def _show_arg() -> str:
    return "unread" if request.args.get("show") == "unread" else "all"


@bp.route("/inbox/")
@signed_in
def inbox():
    show = _show_arg()
    page = max(page_arg(), 1)
    items, total = reminder_sending.inbox(current_user.id, page, PER_PAGE, unread_only=show == "unread")
    last = max((total + PER_PAGE - 1) // PER_PAGE, 1)
    if page > last:
        page = last
        items, total = reminder_sending.inbox(current_user.id, page, PER_PAGE, unread_only=show == "unread")
    locale = str(get_locale())
    return render_template(
        "reminders/inbox.html", page=Paged(items, total, page, PER_PAGE), show=show,
        rendered={r.id: _rendered(r, locale) for r in items}, kind_label=kind_label,
        unread=unread_badge() or 0,
    )


def _local_path(link: str | None) -> str | None:
    """A reminder's link is a path on this site; anything else is not followed."""
    if link and link.startswith("/") and not link.startswith("//") and "\\" not in link:
        return link
    return None


@bp.route("/inbox/<id:reminder_id>/read", methods=["POST"])
@signed_in
def open_reminder(reminder_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    reminder = reminder_sending.mark_read(current_user.id, reminder_id)
    if reminder is None:
        abort(404)
    return redirect(_local_path(reminder.link) or url_for(".inbox"))


@bp.route("/inbox/read-all", methods=["POST"])
@signed_in
def read_all():
    if ConfirmForm().validate_on_submit():
        count = reminder_sending.mark_read(current_user.id)
        flash_ok(_("%(n)s reminders marked read.", n=count) if count else _("There was nothing unread."))
    return redirect(url_for(".inbox", show=_show_arg()))


@bp.route("/inbox/preferences", methods=["GET", "POST"])
@signed_in
def preferences():
    saved = reminder_sending.preference(current_user.id)
    form = PreferencesForm(data={"email": saved.email, "sms": saved.sms})
    if form.validate_on_submit():
        reminder_sending.save_preference(current_user._get_current_object(), form.email.data, form.sms.data)
        flash_ok(_("Your reminder settings are saved."))
        return redirect(url_for(".preferences"))
    quiet_start, quiet_end = current_app.config["SMS_QUIET_HOURS"]
    return render_template("reminders/preferences.html", form=form, email=current_user.email,
                           phone=current_user.phone, quiet_start=quiet_start.strftime("%H:%M"),
                           quiet_end=quiet_end.strftime("%H:%M")), 400 if form.errors else 200


# --- the delivery log (system administrators) ------------------------------------------------------------


def _parse_day(name: str, label: str, default: date, problems: list[str]) -> date:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or not 2000 <= day.year <= 2999:
        problems.append(_("“%(field)s” is not a date like 2026-03-01: showing the default instead.", field=label))
        return default
    return day


def _period() -> tuple[date, date, list[str]]:
    """From and to (China days, both included); by default the last 30 days. A bad date is named in a
    message and replaced by its default."""
    today = china_day(utcnow())
    default_start = today - timedelta(days=PERIOD_DAYS - 1)
    problems: list[str] = []
    start = _parse_day("from", _("From"), default_start, problems)
    end = _parse_day("to", _("To"), today, problems)
    if end < start:
        problems.append(_("“To” is before “From”: showing the last 30 days instead."))
        start, end = default_start, today
    return start, end, problems


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time(), CHINA), datetime.combine(end + timedelta(days=1), time(), CHINA)


@bp.route("/admin/reminders/")
@require(ADMIN)
def delivery_log():
    start, end, problems = _period()
    for text in problems:
        flash(text, "warning")
    since, until = _bounds(start, end)
    leads = configured_leads()
    return render_template(
        "reminders/log.html", start=start, end=end, table=count_table(reminder_sending.counts(since, until)),
        statuses=rules.STATUSES, kind_label=kind_label, channel_label=channel_label, status_label=status_label,
        leads=[(kind, leads[kind]) for kind in rules.KINDS], problems=reminder_sending.problems(since, until),
    )


@bp.route("/admin/reminders/log.xlsx")
@require(ADMIN)
def delivery_log_xlsx():
    start, end, _problems = _period()
    since, until = _bounds(start, end)
    table = count_table(reminder_sending.counts(since, until))
    return Response(export_xlsx(table, start, end), mimetype=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="reminder-deliveries-{start}-{end}.xlsx"'})


@bp.route("/admin/reminders/deliveries/<id:delivery_id>/resend", methods=["POST"])
@require(ADMIN)
def resend(delivery_id: int):
    back = safe_next(url_for(".delivery_log"))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    delivery = reminder_sending.resend(delivery_id, current_user._get_current_object(), client_ip())
    if delivery is None:
        abort(404)
    if reminder_tasks.queue([delivery.id]):  # after resend's commit, so the send task finds it queued
        flash_ok(_("Delivery #%(id)s is queued to be sent again.", id=delivery.id))
    else:  # the broker is down: it stays queued in the database for the sweep
        flash(_("The task queue cannot be reached: delivery #%(id)s stays queued and the periodic sweep sends "
                "it once the queue is back.", id=delivery.id), "warning")
    return redirect(back)
