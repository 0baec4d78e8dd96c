"""Backup and restore: a round trip on PostgreSQL loses nothing (row counts, sampled rows, files),
and a restore refuses a database holding data (without --force), a backup that does not match its
manifest, and a backup taken with other migrations. SQLite is refused with what to do instead."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from councils.models import AuditEvent, Council, Membership, Role, User
from councils.tests.factories import CouncilFactory, MembershipFactory

ON_POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "private" / "bids").mkdir(parents=True)
    return settings.MEDIA_ROOT


def sample() -> dict:
    return {
        "users": list(User.objects.order_by("pk").values_list("pk", "email", "full_name", "password")),
        "councils": list(Council.objects.order_by("pk").values_list("pk", "name", "key_decision_threshold")),
        "memberships": list(Membership.objects.order_by("pk").values_list("pk", "user_id", "council_id", "role")),
        "events": list(AuditEvent.objects.order_by("pk").values_list("pk", "event_type", "extra", "created_at")),
    }


@pytest.mark.skipif(not ON_POSTGRESQL, reason="pg_dump and pg_restore: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_a_backup_and_restore_round_trip_loses_nothing(media, tmp_path):
    council = CouncilFactory(name="Kirkby Moor City Council")
    for role in (Role.LEAD_COMMISSIONER, Role.COUNCIL_ADMIN):
        MembershipFactory(council=council, role=role)
    AuditEvent.objects.create(council=council, event_type="council.updated", extra={"fields": ["name"]})
    document = media / "private" / "bids" / "plan.pdf"
    document.write_bytes(b"%PDF-1.4 the delivery plan")
    before = sample()

    backup = tmp_path / "backup"
    call_command("backup", str(backup))
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["tables"]["councils_user"] == len(before["users"])
    assert manifest["files"].keys() == {"private/bids/plan.pdf"}
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(backup))

    # The database holds data: a restore needs --force.
    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore", str(backup))

    # Things change after the backup; the restore puts everything back as it was.
    CouncilFactory(name="Wyvern Borough Council")
    User.objects.filter(pk=before["users"][0][0]).update(full_name="Changed")
    document.write_bytes(b"overwritten")
    call_command("restore", str(backup), "--force")

    assert sample() == before
    assert document.read_bytes() == b"%PDF-1.4 the delivery plan"
    with connection.cursor() as cursor:
        for table, count in manifest["tables"].items():
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (names from the manifest we wrote)
            assert cursor.fetchone()[0] == count, table
    # The append-only trigger came back with the data.
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=before["events"][0][0]).delete()


@pytest.mark.skipif(not ON_POSTGRESQL, reason="pg_dump and pg_restore: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_a_restore_refuses_a_tampered_backup_or_other_migrations(media, tmp_path):
    CouncilFactory()
    (media / "private" / "bids" / "a.pdf").write_bytes(b"%PDF-1.4 a")
    backup = tmp_path / "backup"
    call_command("backup", str(backup))

    manifest_path = backup / "manifest.json"
    original = manifest_path.read_text()
    manifest = json.loads(original)
    manifest["migrations"] = manifest["migrations"][:-1]
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="different migrations"):
        call_command("restore", str(backup), "--force")

    manifest_path.write_text(original)
    (backup / "media" / "private" / "bids" / "a.pdf").write_bytes(b"tampered")
    with pytest.raises(CommandError, match="do not match the manifest"):
        call_command("restore", str(backup), "--force")
    assert Council.objects.count() == 1  # nothing was restored


@pytest.mark.skipif(ON_POSTGRESQL, reason="what SQLite is told")
@pytest.mark.django_db
def test_on_sqlite_backup_says_what_to_do_instead(tmp_path):
    with pytest.raises(CommandError, match=r"sqlite3 .*\.backup"):
        call_command("backup", str(tmp_path / "backup"))
    with pytest.raises(CommandError, match="need PostgreSQL"):
        call_command("restore", str(tmp_path / "backup"))
