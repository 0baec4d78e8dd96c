"""On PostgreSQL, refuse UPDATE and DELETE on performance assessments and scrutiny notes at the
database itself: both are kept as history and never rewritten, whatever the code path."""

from django.db import migrations

TABLES = ("monitoring_performanceassessment", "monitoring_scrutinynote")


def _create(table: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_append_only();
"""


def _drop(table: str) -> str:
    return f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}; DROP FUNCTION IF EXISTS {table}_append_only();"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(_create(table))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(_drop(table))


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0004_returns_scrutiny_exports")]

    operations = [migrations.RunPython(forwards, backwards)]
