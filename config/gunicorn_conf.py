"""gunicorn settings for a production web server: `gunicorn -c config/gunicorn_conf.py config.wsgi`.

Every web server is the same and keeps nothing of its own (sessions, cache, page cache, login
throttling and Celery's queue are in Redis and PostgreSQL; uploads in the configured storage), so a
deployment runs as many as it needs behind any proxy. Each setting can be overridden on the command
line or with GUNICORN_* variables read here.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the app does its waiting on PostgreSQL and Redis, and each worker keeps one persistent
# connection to each (DATABASE_CONN_MAX_AGE). Two per core, plus one.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then (with jitter, so they do not all restart at once).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Behind the TLS proxy (DJANGO_BEHIND_TLS_PROXY): trust its forwarded headers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def post_worker_init(worker):
    """The app is loaded: keep the garbage collector away from what start-up left behind."""
    from config.workers import settle  # noqa: PLC0415 (gunicorn reads this file before the app's path is set up)

    settle()
