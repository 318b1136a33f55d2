from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("jurisdictions", "0004_merge_statistics_and_screening"),
    ]

    operations = [
        migrations.AddField(
            model_name="jurisdiction",
            name="stated_rules",
            field=models.JSONField(blank=True, default=dict, verbose_name="stated rules"),
        ),
    ]
