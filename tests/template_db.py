"""Migrate once per test run, not once per xdist worker.

Each worker has its own test database (pytest-django names them test_…_gw0, test_…_gw1). Migrating
all of them from scratch is most of a worker's start on PostgreSQL, and two migrations at once on a
two-core machine take about as long as one after the other. So the first worker (under a file lock
the others wait on) migrates one template database, test_…_template, and every worker's database is
then made from it with PostgreSQL's `CREATE DATABASE … TEMPLATE`; pytest-django's own setup still
runs `migrate` on it (nothing left to apply; post_migrate still runs). With --reuse-db the template
is kept and only migrated forward, like the workers' databases; --create-db makes it again.

Migrating takes about half a minute of one core (Django renders the models' states operation by
operation), while the other waits. So `scripts/test.sh` runs this module on its own first
(`python -m tests.template_db`), in the background while the assets build and the linters run: the
workers then find the template migrated and only check it.

Not used without xdist, nor on SQLite.
"""

from __future__ import annotations

import fcntl
import os

import pytest
from django.conf import settings
from django.db import connections

ALIAS = "default"


def _migrate_template(keepdb: bool) -> str:
    """Create (or with `keepdb`, migrate forward) the template database; return its name."""
    connection = connections[ALIAS]
    test_settings = connection.settings_dict["TEST"]
    worker_name = test_settings.get("NAME")
    original_name = connection.settings_dict["NAME"]
    template = f"test_{original_name}_template"
    test_settings["NAME"] = template
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=keepdb)
    finally:
        # create_test_db points the connection (and settings) at the database it made: undo that, and
        # leave no session on the template (PostgreSQL copies a database only while nobody is in it).
        connection.close()
        connection.settings_dict["NAME"] = original_name
        settings.DATABASES[ALIAS]["NAME"] = original_name
        test_settings["NAME"] = worker_name
    return template


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix,
    django_db_blocker,
    django_db_keepdb,
    django_db_createdb,
    tmp_path_factory,
    request,
):
    """pytest-django's hook to change database settings before the test databases are made."""
    connection = connections[ALIAS]
    if not hasattr(request.config, "workerinput") or connection.vendor != "postgresql":
        return
    # One folder for the whole run, shared by its workers.
    folder = tmp_path_factory.getbasetemp().parent
    marker = folder / "template-db-migrated"
    with open(folder / "template-db.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists():
            template = marker.read_text()
        else:
            with django_db_blocker.unblock():
                template = _migrate_template(keepdb=django_db_keepdb and not django_db_createdb)
            marker.write_text(template)
    connection.settings_dict["TEST"]["TEMPLATE"] = template


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    if connections[ALIAS].vendor == "postgresql":
        print(f"template_db: {_migrate_template(keepdb=True)} migrated")
