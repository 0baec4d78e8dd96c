"""On PostgreSQL, refuse UPDATE and DELETE on the audit table at the database itself, so no code
path (queryset.update, raw SQL, a shell session) can rewrite history."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION councils_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER councils_auditevent_append_only
    BEFORE UPDATE OR DELETE ON councils_auditevent
    FOR EACH ROW EXECUTE FUNCTION councils_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS councils_auditevent_append_only ON councils_auditevent;
DROP FUNCTION IF EXISTS councils_auditevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("councils", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
