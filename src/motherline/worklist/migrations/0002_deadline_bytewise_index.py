"""On PostgreSQL, the worklist orders a kind's deadlines by due date and then by reference
compared byte by byte (`COLLATE "C"`, as the page's cursor compares them): an index in that
order lets a page read its first rows without sorting a whole group. SQLite compares
bytewise already, so the model's index serves it.

Written by hand (the collation is PostgreSQL's; SQLite needs no such index), after
the migrations made from the models."""

# squash: keep (scripts/squash_migrations.py)

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

INDEX = "deadline_by_due_bytewise"


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON worklist_deadline "
            '(kind, due_date, reference COLLATE "C")'
        )


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    # A database migrated before the squash has the index from this migration's old name.
    replaces = [("worklist", "0003_deadline_bytewise_index")]

    dependencies = [("worklist", "0001_squashed")]

    operations = [migrations.RunPython(create, drop)]
