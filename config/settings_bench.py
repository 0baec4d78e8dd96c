"""Production settings for the load benchmark: plain HTTP on loopback, and a query count on every response."""

from config.settings import *  # noqa: F403

# The benchmark talks plain HTTP to gunicorn on 127.0.0.1: secure-only cookies would never come back.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Outermost, so it counts every query any middleware or view makes.
MIDDLEWARE = ["config.bench_middleware.QueryCountMiddleware", *MIDDLEWARE]  # noqa: F405
