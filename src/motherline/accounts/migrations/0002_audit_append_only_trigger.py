"""The database itself refuses to change or remove a line of the audit trail.

The application already refuses (AuditEvent.save on an existing row, delete, and the
queryset's update and delete raise); these triggers stop anything else that talks to the
database through Django's connection: raw SQL, a shell, a bug.

- PostgreSQL: a BEFORE UPDATE OR DELETE trigger on each row raises an exception. TRUNCATE is
  not blocked: it needs the table owner's rights, and Django's test runner empties tables
  with it between transactional tests. Production should run the application as a role that
  is not the owner (see docs/deployment.md).
- SQLite: a BEFORE UPDATE trigger aborts. DELETE is not blocked there, because SQLite has
  no TRUNCATE and Django's test runner empties tables with DELETE; the application layer
  still refuses it.

Written by hand (the models cannot say it), after the migrations made from the models; the SQL
is here, so the migration does not depend on the application's code.
"""

# squash: keep (scripts/squash_migrations.py)

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION motherline_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit trail is append-only: % refused on accounts_auditevent', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""
PG_TRIGGER = """
CREATE TRIGGER motherline_audit_append_only
BEFORE UPDATE OR DELETE ON accounts_auditevent
FOR EACH ROW EXECUTE FUNCTION motherline_audit_append_only();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS motherline_audit_append_only ON accounts_auditevent;
DROP FUNCTION IF EXISTS motherline_audit_append_only();
"""
SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS motherline_audit_append_only
BEFORE UPDATE ON accounts_auditevent
BEGIN
    SELECT RAISE(ABORT, 'The audit trail is append-only: UPDATE refused on accounts_auditevent');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS motherline_audit_append_only;"


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # No parameters: the function body's % is plpgsql's, not a placeholder.
        schema_editor.execute(PG_FUNCTION, None)
        schema_editor.execute(PG_TRIGGER)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


class Migration(migrations.Migration):
    # A database migrated before the squash has the trigger from this migration's old name.
    replaces = [("accounts", "0004_audit_append_only_trigger")]

    dependencies = [("accounts", "0001_squashed")]

    operations = [migrations.RunPython(create, drop)]
