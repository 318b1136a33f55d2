# A case study's second text is in the local language of its organisation's jurisdiction, not
# always Khmer: the columns are renamed, their (encrypted) data kept as it is.

import motherline.vault.fields
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("fieldwork", "0006_encrypted_texts"),
    ]

    operations = [
        migrations.RenameField(model_name="casestudy", old_name="title_km", new_name="title_local"),
        migrations.RenameField(
            model_name="casestudy", old_name="narrative_km", new_name="narrative_local"
        ),
        migrations.AlterField(
            model_name="casestudy",
            name="title_local",
            field=motherline.vault.fields.EncryptedCharField(
                blank=True, max_length=200, verbose_name="title (local language)"
            ),
        ),
        migrations.AlterField(
            model_name="casestudy",
            name="narrative_local",
            field=motherline.vault.fields.EncryptedTextField(
                blank=True, verbose_name="narrative (local language)"
            ),
        ),
    ]
