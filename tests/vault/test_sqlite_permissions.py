"""The SQLite database is private to the account running Motherline: the file (and its WAL
and shared-memory files) 0600, the data directory 0700, also when they existed wider."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from django.conf import settings

from motherline.vault.sqlite3.base import DatabaseWrapper


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def open_database(path: Path) -> Any:
    wrapper = DatabaseWrapper(
        {
            "ENGINE": "motherline.vault.sqlite3",
            "NAME": str(path),
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;"},
            "TIME_ZONE": None,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
            "TEST": {},
        }
    )
    # The backend's own connection (the test database guard stands in front of cursor()).
    connection = wrapper.get_new_connection(wrapper.get_connection_params())
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE IF NOT EXISTS t (x integer)")
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()
    return connection


def test_a_new_database_is_private(tmp_path):
    path = tmp_path / "var" / "motherline.sqlite3"
    wrapper = open_database(path)
    try:
        assert mode(path.parent) == 0o700
        assert mode(path) == 0o600
        assert Path(f"{path}-wal").exists() and mode(Path(f"{path}-wal")) == 0o600
        assert mode(Path(f"{path}-shm")) == 0o600
    finally:
        wrapper.close()


def test_a_database_found_world_readable_is_narrowed(tmp_path):
    directory = tmp_path / "var"
    directory.mkdir(mode=0o755)
    directory.chmod(0o755)
    path = directory / "motherline.sqlite3"
    path.touch()
    path.chmod(0o644)
    wrapper = open_database(path)
    wrapper.close()
    assert (mode(directory), mode(path)) == (0o700, 0o600)


def test_the_default_database_uses_the_private_backend():
    if "sqlite" in settings.DATABASES["default"]["ENGINE"]:
        assert settings.DATABASES["default"]["ENGINE"] == "motherline.vault.sqlite3"
