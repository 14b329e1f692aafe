"""Early-warning reminders (预警提醒) on the web: every user's inbox and channel preferences, and the
delivery log for system administrators (its paths under /admin/reminders/, next to the admin area)."""

from flask import Blueprint

bp = Blueprint("reminders", __name__)
