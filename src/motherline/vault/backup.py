"""Backups: a portable, encrypted, versioned archive of the database and uploaded files.

The archive (see `stream` for its encryption) holds gzip-compressed JSON Lines:

1. a header: format version, application version, the applied migrations, the tables;
2. per table, its rows in primary-key order as Django's serializer writes them (field
   values, encrypted fields in plaintext so that the archive restores under any field key
   and into any database Django supports), closed by the table's row count and SHA-256;
3. the uploaded files under MEDIA_ROOT, in base64 pieces, each closed by its size and SHA-256;
4. the manifest: every table's count and checksum and every file's size and checksum.

Left out, because the target rebuilds them: content types and permissions (made by
`migrate`; references to them are carried by natural key), sessions (everyone signs in
again) and the blind index (keyed by the target's field key).

A restore goes onto an empty, migrated instance with the same migrations, in one
transaction: each table is loaded, read back and checksummed again, so a restore that would
lose or change anything is rolled back as a whole.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import gzip
import hashlib
import io
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, BinaryIO

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.base import DeserializedObject
from django.db import connection, models, transaction
from django.db.migrations.loader import MigrationLoader

from motherline.accounts import audit
from motherline.accounts.models import AuditAction
from motherline.core.actors import Actor
from motherline.vault import files, keys
from motherline.vault.stream import (
    ArchiveError,
    DecryptingReader,
    EncryptingWriter,
    read_key_id,
)
from motherline.worklist import deadlines

FORMAT_VERSION = 1
BATCH = 1000
FILE_PIECE = 512 * 1024
CHUNK_READ = 1 << 16
# Rebuilt by the target instance rather than carried (see the module's docstring).
# Rebuilt by Django or derived from the register (the search index and the worklist's
# deadlines are recomputed after a restore).
EXCLUDED = frozenset(
    {
        "contenttypes.contenttype",
        "auth.permission",
        "sessions.session",
        "people.womansearchtoken",
        "people.womanmatchkey",
        "worklist.deadline",
        "worklist.staledeadlines",
    }
)


class RestoreError(Exception):
    """The archive cannot be restored here; nothing was changed."""


def app_version() -> str:
    try:
        return version("motherline")
    except PackageNotFoundError:
        return "unknown"


def backup_masters() -> list[bytes]:
    """The backup keys, the one to write with first: MOTHERLINE_BACKUP_KEY if set, then the
    keys derived from the current and previous field keys."""
    found = []
    if settings.BACKUP_KEY:
        found.append(keys.decode_key(settings.BACKUP_KEY, "MOTHERLINE_BACKUP_KEY"))
    return found + list(keys.keyring().backup_keys())


def backed_up_models() -> list[type[models.Model]]:
    """Every table that holds data, in the order of INSTALLED_APPS (parents before children
    mostly; foreign keys are checked at the end of the restore's transaction anyway)."""
    return [
        m
        for m in apps.get_models()
        if m._meta.managed
        and not m._meta.proxy
        and not m._meta.auto_created
        and m._meta.label_lower not in EXCLUDED
    ]


def applied_migrations() -> dict[str, list[str]]:
    """The migrations applied, as this version names them. A database migrated before the
    migrations were squashed also records the names they replaced: left out, so that its
    backup restores into a new instance, and a new instance's into it."""
    loader = MigrationLoader(connection)
    applied: dict[str, list[str]] = {}
    for app, name in sorted(loader.applied_migrations):
        if (app, name) in loader.graph.nodes:
            applied.setdefault(app, []).append(name)
    return applied


def _encode(value: Any) -> Any:
    # Full precision (DjangoJSONEncoder cuts datetimes to milliseconds).
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"Cannot back up a value of type {type(value).__name__}")


def _line(record: dict[str, Any]) -> bytes:
    return (
        json.dumps(
            record, default=_encode, ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )
        + "\n"
    ).encode("utf-8")


class _References:
    """Content types and permissions by natural key: their ids differ between instances."""

    def __init__(self) -> None:
        self.ct_key = {ct.pk: [ct.app_label, ct.model] for ct in ContentType.objects.all()}
        self.ct_id = {tuple(v): k for k, v in self.ct_key.items()}
        perms = Permission.objects.select_related("content_type")
        self.perm_key = {
            p.pk: [p.codename, p.content_type.app_label, p.content_type.model] for p in perms
        }
        self.perm_id = {tuple(v): k for k, v in self.perm_key.items()}

    @staticmethod
    def _fields(model: type[models.Model]) -> Iterator[tuple[str, type[models.Model], bool]]:
        for f in model._meta.get_fields():
            if f.concrete and f.is_relation and f.related_model in (ContentType, Permission):
                yield f.name, f.related_model, bool(f.many_to_many)

    def out(self, model: type[models.Model], fields: dict[str, Any]) -> None:
        for name, target, many in self._fields(model):
            table = self.ct_key if target is ContentType else self.perm_key
            value = fields.get(name)
            if many:
                fields[name] = [table[v] for v in value or []]
            elif value is not None:
                fields[name] = table[value]

    def back(self, model: type[models.Model], fields: dict[str, Any]) -> None:
        for name, target, many in self._fields(model):
            table = self.ct_id if target is ContentType else self.perm_id
            value = fields.get(name)
            try:
                if many:
                    fields[name] = [table[tuple(v)] for v in value or []]
                elif value is not None:
                    fields[name] = table[tuple(value)]
            except KeyError as exc:
                raise RestoreError(
                    f"{model._meta.label}.{name} refers to {exc.args[0]}, which this "
                    "instance does not have."
                ) from None


def table_records(
    model: type[models.Model], refs: _References
) -> Iterator[tuple[dict[str, Any], bytes]]:
    """Each row of a table as the archive stores it, in primary-key order."""
    qs = model._base_manager.order_by("pk")
    m2m = [f.name for f in model._meta.many_to_many]
    if m2m:
        qs = qs.prefetch_related(*m2m)
    for obj in qs.iterator(chunk_size=BATCH):
        (record,) = serializers.serialize("python", [obj])
        refs.out(model, record["fields"])
        yield record, _line(record)


def table_digest(model: type[models.Model], refs: _References) -> tuple[int, str]:
    digest, rows = hashlib.sha256(), 0
    for _record, line in table_records(model, refs):
        digest.update(line)
        rows += 1
    return rows, digest.hexdigest()


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


@dataclass
class Manifest:
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """The rows of every table in the archive."""
        return sum(table["rows"] for table in self.tables.values())


def _snapshot() -> None:
    """Read every table as of one moment (PostgreSQL; SQLite's transaction already is)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")


def write_backup(out: BinaryIO) -> Manifest:
    """Write the archive to `out` and return its manifest."""
    manifest = Manifest()
    writer = EncryptingWriter(out, backup_masters()[0])
    with gzip.GzipFile(fileobj=writer, mode="wb", compresslevel=6) as gz, transaction.atomic():
        _snapshot()
        models_ = backed_up_models()
        gz.write(
            _line(
                {
                    "type": "header",
                    "format": FORMAT_VERSION,
                    "app_version": app_version(),
                    "created_at": dt.datetime.now(dt.UTC),
                    "database": connection.vendor,
                    "migrations": applied_migrations(),
                    "tables": [m._meta.label_lower for m in models_],
                }
            )
        )
        refs = _References()
        for model in models_:
            label = model._meta.label_lower
            gz.write(_line({"type": "table", "model": label}))
            digest, rows = hashlib.sha256(), 0
            for _record, line in table_records(model, refs):
                gz.write(line)
                digest.update(line)
                rows += 1
            entry = {"rows": rows, "sha256": digest.hexdigest()}
            manifest.tables[label] = entry
            gz.write(_line({"type": "end_table", "model": label, **entry}))
        root = Path(settings.MEDIA_ROOT)
        for path in media_files():
            rel = path.relative_to(root).as_posix()
            digest, size = hashlib.sha256(), 0
            # Documents are carried in plain form inside the encrypted archive, like the
            # encrypted columns, so that the archive restores under any field key.
            opened = files.open_plain_at(path) if files.is_document(rel) else path.open("rb")
            with opened as source:
                while piece := source.read(FILE_PIECE):
                    digest.update(piece)
                    size += len(piece)
                    data = base64.b64encode(piece).decode("ascii")
                    gz.write(_line({"type": "file", "path": rel, "data": data}))
            entry = {"size": size, "sha256": digest.hexdigest()}
            manifest.files[rel] = entry
            gz.write(_line({"type": "end_file", "path": rel, **entry}))
        gz.write(_line({"type": "manifest", "tables": manifest.tables, "files": manifest.files}))
    writer.close()
    return manifest


def open_archive(source: BinaryIO) -> Iterator[dict[str, Any]]:
    """The archive's records, decrypted and authenticated as they are read."""
    header, kid = read_key_id(source)
    master = next((m for m in backup_masters() if keys.key_id(m) == kid), None)
    if master is None:
        raise ArchiveError(
            f"This backup was encrypted with another key (key id {kid}). Set "
            "MOTHERLINE_BACKUP_KEY, or MOTHERLINE_FIELD_KEY / MOTHERLINE_FIELD_KEY_PREVIOUS, "
            "to the key in use when it was made."
        )
    reader = io.BufferedReader(DecryptingReader(source, header, master), CHUNK_READ)
    try:
        with gzip.GzipFile(fileobj=reader, mode="rb") as gz:
            for raw in gz:
                yield json.loads(raw)
    except (OSError, EOFError, json.JSONDecodeError) as exc:
        raise ArchiveError(f"The backup's contents are damaged: {exc}") from None


def non_empty_tables() -> dict[str, int]:
    found = {}
    for model in backed_up_models():
        n = model._base_manager.count()
        if n:
            found[model._meta.label_lower] = n
    return found


def _insert(model: type[models.Model], objects: list[Any]) -> None:
    """INSERT the rows exactly as given: raw, so auto_now fields keep their stored values."""
    if not objects:
        return
    fields = [f for f in model._meta.concrete_fields]
    size = connection.ops.bulk_batch_size(fields, [o.object for o in objects]) or len(objects)
    for start in range(0, len(objects), size):
        batch = [o.object for o in objects[start : start + size]]
        model._base_manager._insert(batch, fields=fields, raw=True)  # type: ignore[attr-defined]
    for f in model._meta.many_to_many:
        through = getattr(model, f.name).through
        source, target = f.m2m_field_name(), f.m2m_reverse_field_name()
        rows = [
            through(**{f"{source}_id": o.object.pk, f"{target}_id": pk})
            for o in objects
            for pk in o.m2m_data.get(f.name, [])
        ]
        through._base_manager.bulk_create(rows, batch_size=BATCH)


def _load_table(model: type[models.Model], lines: list[dict[str, Any]], refs: _References) -> None:
    pending: list[DeserializedObject] = []
    for record in lines:
        refs.back(model, record["fields"])
        pending.extend(serializers.deserialize("python", [record], ignorenonexistent=False))
        if len(pending) >= BATCH:
            _insert(model, pending)
            pending = []
    _insert(model, pending)


@transaction.atomic
def restore_backup(source: BinaryIO) -> Manifest:
    """Restore an archive onto this (empty) instance; all or nothing."""
    from motherline.people import search

    records = open_archive(source)
    header = next(records, None)
    if not header or header.get("type") != "header":
        raise ArchiveError("The backup has no header.")
    if header["format"] != FORMAT_VERSION:
        raise RestoreError(f"This backup's format {header['format']} is not known here.")
    if header["migrations"] != applied_migrations():
        raise RestoreError(
            "This backup was made by a version of Motherline with other database migrations "
            f"(version {header['app_version']}). Install that version, or migrate this "
            "instance to the same migrations, before restoring."
        )
    busy = non_empty_tables()
    media = media_files()
    if busy or media:
        sample = ", ".join(f"{label} ({n} rows)" for label, n in list(busy.items())[:5])
        raise RestoreError(
            "This instance is not empty"
            + (f": {sample}" if sample else f": {len(media)} uploaded files")
            + ". Restore only onto a new instance (a new database after `migrate`)."
        )
    by_label = {m._meta.label_lower: m for m in backed_up_models()}
    unknown = set(header["tables"]) - set(by_label)
    if unknown:
        raise RestoreError(f"This instance has no tables for {', '.join(sorted(unknown))}.")
    refs = _References()
    manifest = Manifest()
    staging = Path(settings.DATA_DIR) / ".restore-files"
    shutil.rmtree(staging, ignore_errors=True)
    current: tuple[type[models.Model], list[dict[str, Any]]] | None = None
    file_digest, file_out = None, None
    try:
        for record in records:
            kind = record.get("type")
            if kind == "table":
                current = (by_label[record["model"]], [])
            elif "model" in record and kind is None and current is not None:
                current[1].append(record)
                if len(current[1]) >= BATCH:
                    _load_table(current[0], current[1], refs)
                    current[1].clear()
            elif kind == "end_table" and current is not None:
                model, rest = current
                _load_table(model, rest, refs)
                rows, digest = table_digest(model, refs)
                if (rows, digest) != (record["rows"], record["sha256"]):
                    raise RestoreError(
                        f"{model._meta.label}: the restored table differs from the backup "
                        f"({rows} rows, {record['rows']} expected). Nothing was restored."
                    )
                manifest.tables[record["model"]] = {"rows": rows, "sha256": digest}
                current = None
            elif kind == "file":
                target = (staging / record["path"]).resolve()
                if staging.resolve() not in target.parents:
                    raise ArchiveError("The backup names a file outside the uploads folder.")
                if file_out is None:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    # A document is encrypted again under this instance's key as it arrives:
                    # never plain on disk, even in the staging folder.
                    file_out = (
                        files.Writer(target)
                        if files.is_document(record["path"])
                        else target.open("wb")
                    )
                    file_digest = hashlib.sha256()
                piece = base64.b64decode(record["data"])
                file_out.write(piece)
                file_digest.update(piece)  # type: ignore[union-attr]
            elif kind == "end_file":
                if file_out is not None:
                    file_out.close()
                    file_out = None
                got = file_digest.hexdigest() if file_digest else hashlib.sha256().hexdigest()
                if got != record["sha256"]:
                    raise RestoreError(f"The file {record['path']} differs from the backup.")
                manifest.files[record["path"]] = {"size": record["size"], "sha256": got}
            elif kind == "manifest":
                if record["tables"] != manifest.tables or record["files"] != manifest.files:
                    raise RestoreError("The backup's manifest does not match its contents.")
                break
            else:
                raise ArchiveError("The backup's contents are out of order: it is damaged.")
        else:
            raise ArchiveError("The backup has no manifest: it is incomplete.")
        _finish(list(by_label.values()))
        search.reindex_all()
        # Recomputed right after the commit (or by the first read of a worklist).
        deadlines.touch_all()
        transaction.on_commit(lambda: _publish_files(staging))
    except BaseException:
        if file_out is not None:
            getattr(file_out, "abort", file_out.close)()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _finish(models_: list[type[models.Model]]) -> None:
    """Check every foreign key and move the id sequences past the restored rows."""
    tables = [m._meta.db_table for m in models_]
    connection.check_constraints(table_names=tables)
    statements = connection.ops.sequence_reset_sql(no_style(), models_)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _publish_files(staging: Path) -> None:
    if not staging.is_dir():
        return
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    for path in sorted(staging.rglob("*")):
        if path.is_file():
            target = root / path.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            path.replace(target)
    shutil.rmtree(staging, ignore_errors=True)


def write_backup_file(path: Path) -> Manifest:
    """Write the archive to `path`, owner-only, through a `.partial` file renamed at the
    end: a crash or a full disk leaves no half archive under the final name."""
    partial = path.with_name(path.name + ".partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            manifest = write_backup(out)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


def write_recorded_backup(path: Path, actor: Actor) -> Manifest:
    """`write_backup_file`, and its EXPORT row on the audit trail: who took it (a person's
    command or the scheduler), the file's name and how much it holds."""
    manifest = write_backup_file(path)
    audit.record(
        actor,
        AuditAction.EXPORT,
        object_type="backup",
        object_ref=path.name,
        changes={
            "tables": len(manifest.tables),
            "rows": manifest.rows,
            "files": len(manifest.files),
        },
    )
    return manifest


# The scheduled backups' names: the time they were taken, so that names sort by age.
SCHEDULED_PREFIX = "motherline-"
SCHEDULED_SUFFIX = ".backup"


def scheduled_backup_name(at: dt.datetime) -> str:
    return f"{SCHEDULED_PREFIX}{at:%Y%m%d-%H%M%S}{SCHEDULED_SUFFIX}"


def rotate_backups(directory: Path, keep: int) -> list[Path]:
    """Delete the oldest scheduled backups in `directory` beyond the newest `keep`; other
    files there are left alone. Returns the deleted paths."""
    if keep < 1:
        raise ValueError("keep at least one backup")
    scheduled = sorted(
        p
        for p in directory.glob(f"{SCHEDULED_PREFIX}*{SCHEDULED_SUFFIX}")
        if p.is_file() and len(p.name) == len(scheduled_backup_name(dt.datetime(2000, 1, 1)))
    )
    old = scheduled[:-keep]
    for path in old:
        path.unlink()
    return old
