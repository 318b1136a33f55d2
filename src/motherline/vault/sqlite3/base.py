"""Django's SQLite backend, with the database file private to the account that runs
Motherline: the file is created 0600 (SQLite gives its -wal and -shm files the same mode) and
the directory holding it 0700. A file or directory found with wider permissions is narrowed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


def private_directory(directory: Path) -> None:
    """Create the directory 0700, or narrow it to 0700."""
    directory.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    if directory.stat().st_mode & 0o077:
        directory.chmod(DIRECTORY_MODE)


def make_private(path: Path) -> None:
    """Create the directory (0700) and an empty database file (0600) if missing; narrow
    their modes if they are wider."""
    private_directory(path.parent)
    descriptor = os.open(path, os.O_CREAT | os.O_RDWR, FILE_MODE)  # SQLite takes an empty file
    os.close(descriptor)
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if name.exists() and name.stat().st_mode & 0o077:
            name.chmod(FILE_MODE)


def is_file_database(name: Any) -> bool:
    text = str(name)
    return bool(text) and text != ":memory:" and not text.startswith("file:")


class DatabaseWrapper(SQLiteDatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        name = conn_params.get("database", "")
        if is_file_database(name):
            make_private(Path(name))
        return super().get_new_connection(conn_params)
