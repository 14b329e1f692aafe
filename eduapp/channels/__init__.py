"""Reminder delivery channels: e-mail (SMTP, or the console) and SMS (an HTTP webhook gateway, or
the console), configured from ``current_app.config`` (see eduapp.config.reminder_channel_settings).

Every send either returns (the message was handed over) or raises a DeliveryError whose
``transient`` says whether a retry may help. See docs/reminders.md, "Channels".
"""

from eduapp.channels.console import OutboxMessage, clear_console_outbox, console_outbox
from eduapp.channels.mail import send_email
from eduapp.channels.sms import send_sms
from eduapp.domain.delivery import DeliveryError, PermanentDeliveryError, TransientDeliveryError

__all__ = [
    "DeliveryError",
    "OutboxMessage",
    "PermanentDeliveryError",
    "TransientDeliveryError",
    "clear_console_outbox",
    "console_outbox",
    "send_email",
    "send_sms",
]
