"""Configuration: production refuses unsafe settings, passes the deploy check, and speaks en-GB."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import formats

from councils.cache import Cache
from councils.formatting import money

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "p" * 20 + "-production-secret-key-for-the-deploy-check-0123456789"


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="commissioner.example.gov.uk")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_development_secret_key():
    result = manage(
        "check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="django-insecure-" + "x" * 60, DJANGO_ALLOWED_HOSTS="a.example"
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_production_settings_pass_the_deploy_check_with_no_warnings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=STRONG_KEY,
        DJANGO_ALLOWED_HOSTS="commissioner.example.gov.uk",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_embedded_default_uses_sqlite_under_var_and_a_filesystem_broker():
    code = (
        "import django, os; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE']); print(s.DATABASES['default']['NAME']); "
        "print(s.CELERY_BROKER_URL); print(s.CACHES['default']['BACKEND'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "COMMISSIONER_VAR_DIR"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[0] == "django.db.backends.sqlite3"
    assert out[1] == str(ROOT / "var" / "commissioner.sqlite3")
    assert out[2] == "filesystem://"
    # Shared by the web server and the Celery worker (separate processes), so the page cache's
    # generations changed by a reminder are seen by the pages.
    assert out[3].endswith("FileBasedCache")


def test_database_and_redis_urls_switch_to_postgresql_and_redis():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE']); print(s.CELERY_BROKER_URL); print(s.CACHES['default']['BACKEND'])"
    )
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL="postgres://u:p@db.example:5432/commissioner",
        REDIS_URL="redis://cache.example:6379/0",
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [
        "django.db.backends.postgresql",
        "redis://cache.example:6379/0",
        "councils.cache.Cache",
    ]


def test_the_redis_cache_reuses_one_client_per_connection_pool():
    cache = Cache("redis://127.0.0.1:1/0", {})
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client
    assert client.connection_pool is cache._cache._get_connection_pool(True)


def test_dates_are_written_in_full_the_british_way(settings):
    assert settings.TIME_ZONE == "Europe/London"
    assert formats.date_format(date(2026, 11, 24)) == "24 November 2026"
    rendered = Template("{{ day|date }}").render(Context({"day": date(2026, 11, 24)}))
    assert rendered == "24 November 2026"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("20000"), "£20,000"),
        (Decimal("20000.00"), "£20,000"),
        (Decimal("1250.5"), "£1,250.50"),
        (1234567, "£1,234,567"),
        (Decimal("-500"), "-£500"),
        (None, ""),
    ],
)
def test_money_is_shown_in_pounds_with_separators(value, shown):
    assert money(value) == shown
