"""WSGI entry point: ``gunicorn wsgi:app``."""

from signals import create_app

app = create_app()
