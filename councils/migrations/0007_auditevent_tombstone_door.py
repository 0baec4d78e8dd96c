"""On PostgreSQL, the append-only trigger lets one kind of UPDATE through: a retention or erasure
tombstone (`councils.tombstone`), only inside a transaction that set ``commissioner.tombstone``, and
only if the event keeps its type, time, council, subject and states and carries a tombstone. DELETE
is still refused, always."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION councils_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND coalesce(current_setting('commissioner.tombstone', true), '') = 'on'
       AND NEW.id = OLD.id
       AND NEW.event_type = OLD.event_type
       AND NEW.created_at = OLD.created_at
       AND NEW.council_id IS NOT DISTINCT FROM OLD.council_id
       AND NEW.content_type_id IS NOT DISTINCT FROM OLD.content_type_id
       AND NEW.object_id = OLD.object_id
       AND NEW.from_state = OLD.from_state
       AND NEW.to_state = OLD.to_state
       AND NEW.actor_id IS NULL
       AND NEW.extra ? 'tombstone'
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""

# Back to the trigger of 0002, which refuses every UPDATE.
RESTORE = """
CREATE OR REPLACE FUNCTION councils_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESTORE)


class Migration(migrations.Migration):
    dependencies = [("councils", "0006_council_max_agreement_years")]

    operations = [migrations.RunPython(forwards, backwards)]
