"""Production settings for the load benchmark: plain HTTP on loopback, and a query count on every response."""

import os

from config.settings import *  # noqa: F403

# The benchmark talks plain HTTP to gunicorn on 127.0.0.1: secure-only cookies would never come back.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Outermost, so it counts every query any middleware or view makes.
MIDDLEWARE = ["config.bench_middleware.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405

# `make bench-cluster` gives each Celery worker its own folder for the file email backend, to count
# who sent what (DJANGO_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend).
if os.environ.get("BENCH_EMAIL_DIR"):
    EMAIL_FILE_PATH = os.environ["BENCH_EMAIL_DIR"]
