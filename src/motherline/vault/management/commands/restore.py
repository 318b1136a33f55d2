"""`motherline restore FILE`: bring a backup back onto an empty instance, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motherline.accounts import audit
from motherline.accounts.models import AuditAction
from motherline.core.actors import SystemActor
from motherline.core.commands import refusals
from motherline.vault.backup import RestoreError, restore_backup
from motherline.vault.keys import FieldKeyError
from motherline.vault.stream import ArchiveError


class Command(BaseCommand):
    help = (
        "Restore a backup made by `motherline backup` onto an empty instance (a new database "
        "after `migrate`). Every table is checked against the backup's checksums; on any "
        "difference nothing is restored."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive")

    def handle(self, *args: Any, archive: str, **options: Any) -> None:
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        with refusals(ArchiveError, RestoreError, FieldKeyError), path.open("rb") as source:
            manifest = restore_backup(source)
        rows = manifest.rows
        audit.record(
            SystemActor("restore"),
            AuditAction.CREATE,
            object_type="backup",
            object_ref=path.name,
            changes={"restored_rows": rows, "tables": len(manifest.tables)},
        )
        self.stdout.write(
            f"Restored {rows} rows in {len(manifest.tables)} tables and "
            f"{len(manifest.files)} files; every checksum matches."
        )
