"""Entry point for the Celery worker and beat: ``celery -A make_celery worker`` / ``celery -A make_celery beat``."""

from eduapp import beat_lock, create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
beat_lock.guard(flask_app.config["REDIS_URL"])  # exactly one beat runs: the others wait for its lock
