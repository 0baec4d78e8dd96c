"""DATABASE_REPLICA_URLS in the settings, and nothing changed without it (councils.replicas; the
routing itself is tested in test_replicas.py, which adds a replica alias for its whole module)."""

from __future__ import annotations

import subprocess
import sys

from django.conf import settings
from django.urls import reverse

from councils import replicas

HEADER = "X-Commissioner-Database"


def test_with_no_replicas_nothing_changes(settings, client, db):
    assert list(settings.DATABASES) == ["default"]
    assert not getattr(settings, "DATABASE_ROUTERS", [])
    assert "councils.replicas.ReplicaMiddleware" not in settings.MIDDLEWARE
    response = client.get(reverse("opportunities:list"))
    assert response.status_code == 200
    assert HEADER not in response
    assert replicas.PIN_COOKIE not in client.post(reverse("opportunities:list"), {}).cookies


def test_database_replica_urls_add_mirrored_aliases_and_the_router():
    """config/settings.py with DATABASE_REPLICA_URLS set (a fresh interpreter: settings are read once)."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup();"
        "from django.conf import settings as s; d = s.DATABASES;"
        "print(sorted(d)); print(d['replica_2']['HOST'], d['replica_2']['PORT'], d['replica_2']['OPTIONS']);"
        "print(d['replica_1']['TEST']['MIRROR']); print(s.DATABASE_ROUTERS);"
        "print(s.MIDDLEWARE.index('councils.replicas.ReplicaMiddleware') < "
        "s.MIDDLEWARE.index('councils.middleware.CurrentCouncilMiddleware'))"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": "postgres://app@db-primary:5432/commissioner",
        "DATABASE_REPLICA_URLS": "postgres://app@db-replica-1:5432/commissioner, postgres://app@db-replica-2:5433/commissioner",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    result = subprocess.run(  # noqa: S603 (this interpreter, our own code)
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    )
    assert result.stdout.splitlines() == [
        "['default', 'replica_1', 'replica_2']",
        "db-replica-2 5433 {'connect_timeout': 2}",
        "default",
        "['councils.replicas.ReplicaRouter']",
        "True",
    ]
