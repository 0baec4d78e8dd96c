"""On PostgreSQL, refuse UPDATE and DELETE on agreement variations at the database itself: an
agreement's history is never rewritten, whatever the code path."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION monitoring_agreementvariation_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'agreement variations are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER monitoring_agreementvariation_append_only
    BEFORE UPDATE OR DELETE ON monitoring_agreementvariation
    FOR EACH ROW EXECUTE FUNCTION monitoring_agreementvariation_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS monitoring_agreementvariation_append_only ON monitoring_agreementvariation;
DROP FUNCTION IF EXISTS monitoring_agreementvariation_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
