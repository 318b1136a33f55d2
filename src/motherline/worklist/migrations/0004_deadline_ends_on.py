"""A deadline may stop asking for anything on a day (a birth registration, once the child
is 18). The births' deadlines change with the pack's registration period, so every
deadline is marked to be recomputed (`motherline migrate` does it)."""

from django.db import migrations, models


def mark_every_deadline(apps, schema_editor):
    apps.get_model("worklist", "StaleDeadlines").objects.create(woman_id=None)


class Migration(migrations.Migration):
    dependencies = [
        ("worklist", "0003_deadline_bytewise_index"),
        ("jurisdictions", "0005_jurisdiction_stated_rules"),
        ("people", "0004_child_birth_registration_record"),
    ]

    operations = [
        migrations.AddField(
            model_name="deadline",
            name="ends_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(mark_every_deadline, migrations.RunPython.noop),
    ]
