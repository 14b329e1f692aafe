"""Forms and labels of the reminder pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField

from eduapp.domain import reminders as rules

CHANNEL_LABELS = {rules.INBOX: _l("Inbox"), rules.EMAIL: _l("E-mail"), rules.SMS: _l("SMS")}
STATUS_LABELS = {
    rules.QUEUED: _l("Queued"),
    rules.SENT: _l("Sent"),
    rules.RETRYING: _l("Retrying"),
    rules.DEFERRED: _l("Deferred"),
    rules.FAILED: _l("Failed"),
    rules.SKIPPED: _l("Skipped"),
}


class PreferencesForm(FlaskForm):
    email = BooleanField(_l("Send my reminders by e-mail as well"))
    sms = BooleanField(_l("Send my reminders by text message (SMS) as well"))
