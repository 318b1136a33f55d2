"""`motherline backup --output FILE`: an encrypted archive of the database and uploads."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motherline.accounts import audit
from motherline.accounts.models import AuditAction
from motherline.vault.backup import write_backup
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
        partial = path.with_name(path.name + ".partial")
        try:
            # Owner-only from the start: the archive is encrypted, but need not be readable.
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                manifest = write_backup(out)
            partial.replace(path)
        except FieldKeyError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(str(exc)) from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        rows = sum(t["rows"] for t in manifest.tables.values())
        audit.record(
            None,
            AuditAction.EXPORT,
            object_type="backup",
            object_ref=path.name,
            changes={"tables": len(manifest.tables), "rows": rows, "files": len(manifest.files)},
        )
        self.stdout.write(
            f"Wrote {path}: {rows} rows in {len(manifest.tables)} tables, "
            f"{len(manifest.files)} files."
        )
