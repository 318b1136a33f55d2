"""`motherline rotate_field_key`: re-encrypt every encrypted field and uploaded document under
the current key and rebuild the blind index.

Procedure (docs/security.md): generate a key (`--generate`), restart the application with
MOTHERLINE_FIELD_KEY=<new> and MOTHERLINE_FIELD_KEY_PREVIOUS=<old> (it reads both, writes
with the new one, and search looks under both), run this command, then remove the old key.
It works table by table in batches, one transaction per batch: it can be interrupted and
run again, and continues where values are not yet under the new key.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motherline.core.commands import refusals
from motherline.people import search
from motherline.people.models import Woman
from motherline.vault import files, keys, rewrite


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field with MOTHERLINE_FIELD_KEY and rebuild the search "
        "index; old keys come from MOTHERLINE_FIELD_KEY_PREVIOUS or --previous."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--generate", action="store_true", help="print a new key and stop")
        parser.add_argument(
            "--previous", action="append", default=[], help="an old key (may be repeated)"
        )
        parser.add_argument("--batch", type=int, default=1000)

    def handle(self, *args: Any, generate: bool, previous: list[str], batch: int, **o: Any) -> None:
        if generate:
            self.stdout.write(keys.generate_key())
            return
        from django.conf import settings

        if keys.using_dev_key():
            raise CommandError("Set MOTHERLINE_FIELD_KEY to the new key before rotating.")
        if previous:
            settings.FIELD_KEY_PREVIOUS = [*previous, *settings.FIELD_KEY_PREVIOUS]
        with refusals(keys.FieldKeyError):
            self._rotate(batch)

    def _rotate(self, batch: int) -> None:
        def rotate(token: str) -> str:
            return token if keys.is_current(token) else keys.reencrypt(token)

        for label, fields in rewrite.ENCRYPTED_FIELDS.items():
            table = rewrite.table_of(label)
            on_batch = None
            if label == "people.Woman":
                # Her index rows are rebuilt in the same transaction as her names.
                def on_batch(ids: list[int]) -> None:
                    search.reindex(
                        Woman.objects.filter(pk__in=ids).only(
                            "pk", "name", "name_latin", "register_number", "merged_into"
                        )
                    )

            written = rewrite.rewrite_table(table, fields, rotate, batch=batch, on_batch=on_batch)
            self.stdout.write(f"{label}: {written} rows re-encrypted.")
        # Uploaded documents, one file at a time (each replaced whole when re-encrypted).
        moved = sum(files.reencrypt(name) for name in files.stored_names())
        self.stdout.write(f"Documents: {moved} files re-encrypted.")
        self.stdout.write(
            "Every encrypted field is under the current key; remove the old key from "
            "MOTHERLINE_FIELD_KEY_PREVIOUS."
        )
