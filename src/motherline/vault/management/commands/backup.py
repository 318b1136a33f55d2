"""`motherline backup --output FILE`: an encrypted archive of the database and uploads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motherline.core.actors import SystemActor
from motherline.core.commands import refusals
from motherline.vault.backup import write_recorded_backup
from motherline.vault.keys import FieldKeyError


class Command(BaseCommand):
    help = (
        "Write an encrypted, versioned backup of the database and the uploaded files. "
        "The key is MOTHERLINE_BACKUP_KEY, or one derived from MOTHERLINE_FIELD_KEY."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", required=True, help="the archive to write")
        parser.add_argument("--force", action="store_true", help="overwrite an existing file")

    def handle(self, *args: Any, output: str, force: bool, **options: Any) -> None:
        path = Path(output)
        if path.exists() and not force:
            raise CommandError(f"{path} exists; choose another name or pass --force.")
        with refusals(FieldKeyError):
            manifest = write_recorded_backup(path, SystemActor("backup"))
        self.stdout.write(
            f"Wrote {path}: {manifest.rows} rows in {len(manifest.tables)} tables, "
            f"{len(manifest.files)} files."
        )
