"""WSGI entry point for gunicorn: ``gunicorn wsgi:app``."""

from eduapp import create_app

app = create_app()
