"""Test settings: the real settings, with fast password hashing and captured email."""

import os
import tempfile

os.environ.setdefault("COMMISSIONER_VAR_DIR", os.path.join(tempfile.gettempdir(), "commissioner-test-var"))

from config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
MEDIA_ROOT = VAR_DIR / "media"  # noqa: F405

# The live server for browser tests serves static files straight from static/ (no collectstatic).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = VAR_DIR / "staticfiles"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# One cache per test process (xdist workers must not share cached pages or generations); the root
# conftest empties it before each test.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Every kept statement (`councils.compiled`) is checked against its queryset built afresh, on every run.
COMMISSIONER_CHECK_STATEMENTS = True
