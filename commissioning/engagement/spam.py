"""Spam protection for the public comment form: a limit on comments per address per hour, kept in
the cache (django-axes guards sign-in only). The honeypot field is on the form itself."""

from __future__ import annotations

from django.core.cache import cache

from councils.sessions import client_address

COMMENTS_PER_HOUR = 10
WINDOW_SECONDS = 3600


def _key(request) -> str:
    return f"engagement:comments:{client_address(request) or 'unknown'}"


def over_limit(request) -> bool:
    return (cache.get(_key(request)) or 0) >= COMMENTS_PER_HOUR


def count(request) -> None:
    key = _key(request)
    if not cache.add(key, 1, WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW_SECONDS)
