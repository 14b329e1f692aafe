"""Celery tasks: thin, they take ids (never ORM objects), call a service, and are safe to run twice.

Every periodic job is declared in one place: ``eduapp.celery_app.BEAT_SCHEDULE``.
"""

TASK_MODULES = ("eduapp.tasks.audit", "eduapp.tasks.exams", "eduapp.tasks.points", "eduapp.tasks.offsets",
                "eduapp.tasks.reminders")
