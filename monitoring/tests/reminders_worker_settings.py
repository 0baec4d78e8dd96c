"""Settings for the Celery worker that `test_reminders_worker` starts: the real settings (database and
Redis from the environment), with emails written as files into the directory the test reads."""

import os

from config.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["COMMISSIONER_TEST_EMAIL_DIR"]
