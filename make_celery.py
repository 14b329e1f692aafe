"""Entry point for the Celery worker and beat: ``celery -A make_celery worker`` / ``celery -A make_celery beat``."""

from eduapp import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
