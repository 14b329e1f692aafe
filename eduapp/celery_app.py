"""Celery bound to the Flask app, as the Flask docs describe: every task runs in an app context.

Without EDUAPP_REDIS_URL tasks run in-process (eager); with it, a worker
(``celery -A make_celery worker``) runs them and one beat (``celery -A make_celery beat``) starts the
periodic ones listed in BEAT_SCHEDULE.
"""

from __future__ import annotations

from celery import Celery, Task
from celery.schedules import crontab
from celery.signals import worker_process_init
from flask import Flask

from eduapp.config import task_rate
from eduapp.tasks import TASK_MODULES

# Every periodic job, in one place (times in Asia/Shanghai).
BEAT_SCHEDULE = {
    "offsets-expire-overdue": {"task": "eduapp.offsets.expire_overdue", "schedule": crontab(minute=10)},
    # An anchor of the audit chain (count, head hash) outside the database, every hour on the hour.
    "audit-anchor-hourly": {"task": "eduapp.audit.write_anchor", "schedule": crontab(minute=0)},
    "audit-verify-nightly": {"task": "eduapp.audit.verify_chain", "schedule": crontab(hour=2, minute=30)},
    "exams-finalise-overdue": {"task": "eduapp.exams.finalise_overdue", "schedule": 60.0},
    # Papers of exams opening within EXAM_PREPARE_MINUTES, drawn ahead of the opening minute's rush.
    "exams-prepare-papers": {"task": "eduapp.exams.prepare_papers", "schedule": 60.0},
    # Lots expire at the end of a day in China: write them off just after midnight.
    "points-expire-daily": {"task": "eduapp.points.expire", "schedule": crontab(hour=0, minute=5)},
    # Competition placings, once a closed competition has no attempt left running.
    # Early-warning reminders: scan every half hour (a reminder is written once, whenever the scan
    # runs); the sweep re-queues sends whose task was lost or that waited for the end of quiet hours.
    "reminders-scan": {"task": "eduapp.reminders.scan", "schedule": crontab(minute="5,35")},
    "reminders-sweep": {"task": "eduapp.reminders.sweep", "schedule": 300.0},
    "points-award-competitions": {"task": "eduapp.points.award_competitions", "schedule": crontab(minute="*/10")},
}


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask, include=list(TASK_MODULES))
    # The limits are in messages; a send task carries up to REMINDER_SEND_BATCH of them.
    batch = app.config.get("REMINDER_SEND_BATCH", 1)
    rate_limits = {"eduapp.reminders.send_email": {"rate_limit": task_rate(app.config.get("EMAIL_RATE_LIMIT"), batch)},
                   "eduapp.reminders.send_sms": {"rate_limit": task_rate(app.config.get("SMS_RATE_LIMIT"), batch)}}
    celery_app.config_from_object({**app.config["CELERY"], "beat_schedule": BEAT_SCHEDULE,
                                   "task_annotations": rate_limits})
    celery_app.set_default()
    app.extensions["celery"] = celery_app

    @worker_process_init.connect(weak=False)
    def _fresh_connections_after_fork(**_):
        # A forked pool process must not share the parent's database connections.
        from eduapp.extensions import db

        with app.app_context():
            db.engine.dispose(close=False)

    return celery_app
