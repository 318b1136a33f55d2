"""On PostgreSQL, the worklist orders a kind's deadlines by due date and then by reference
compared byte by byte (`COLLATE "C"`, as the page's cursor compares them): an index in that
order lets a page read its first rows without sorting a whole group. SQLite compares
bytewise already, so the model's index serves it."""

from django.db import migrations

INDEX = "deadline_by_due_bytewise"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON worklist_deadline "
            '(kind, due_date, reference COLLATE "C")'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("worklist", "0002_stored_deadlines")]

    operations = [migrations.RunPython(create, drop)]
