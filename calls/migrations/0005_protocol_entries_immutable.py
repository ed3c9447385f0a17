"""The receipt lives in the protocol register now, and the register cannot change.

The database refuses to change an entry (save for attaching its receipt, once) and, on
PostgreSQL, to delete one; SQLite gets the update guard only, because Django's test flush
empties tables with DELETE there (PostgreSQL's TRUNCATE does not fire row triggers)."""

from django.db import migrations

POSTGRES_GUARD = """
CREATE OR REPLACE FUNCTION calls_protocolentry_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'protocol entry % cannot be deleted', OLD.number;
    END IF;
    IF OLD.receipt_sha256 <> ''
        OR NEW.number IS DISTINCT FROM OLD.number
        OR NEW.year IS DISTINCT FROM OLD.year
        OR NEW.sequence IS DISTINCT FROM OLD.sequence
        OR NEW.registered_at IS DISTINCT FROM OLD.registered_at
        OR NEW.kind IS DISTINCT FROM OLD.kind
        OR NEW.submission_id IS DISTINCT FROM OLD.submission_id
        OR NEW.registered_by_id IS DISTINCT FROM OLD.registered_by_id
        OR NEW.content::text IS DISTINCT FROM OLD.content::text THEN
        RAISE EXCEPTION 'protocol entry % cannot change', OLD.number;
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER calls_protocolentry_immutable BEFORE UPDATE OR DELETE ON calls_protocolentry
    FOR EACH ROW EXECUTE FUNCTION calls_protocolentry_immutable();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS calls_protocolentry_immutable ON calls_protocolentry;
DROP FUNCTION IF EXISTS calls_protocolentry_immutable();
"""
SQLITE_GUARD = """
CREATE TRIGGER calls_protocolentry_immutable BEFORE UPDATE ON calls_protocolentry
WHEN OLD.receipt_sha256 <> ''
    OR NEW.number IS NOT OLD.number
    OR NEW.year IS NOT OLD.year
    OR NEW.sequence IS NOT OLD.sequence
    OR NEW.registered_at IS NOT OLD.registered_at
    OR NEW.kind IS NOT OLD.kind
    OR NEW.submission_id IS NOT OLD.submission_id
    OR NEW.registered_by_id IS NOT OLD.registered_by_id
    OR NEW.content IS NOT OLD.content
BEGIN
    SELECT RAISE(ABORT, 'protocol entries cannot change');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS calls_protocolentry_immutable;"


def guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_GUARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_GUARD, params=None)


def unguard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("calls", "0004_protocol_entries_from_submissions")]

    operations = [
        migrations.RemoveField(model_name="submission", name="receipt_pdf"),
        migrations.RemoveField(model_name="submission", name="receipt_sha256"),
        migrations.RunPython(guard, unguard),
    ]
