"""Uploaded documents, encrypted on disk under the field key.

A document is written once, as the backup archives are (`vault.stream`: AES-256-GCM in
authenticated chunks, a random salt per file), under a key HKDF derives from the field key
for this purpose alone. Its header names the key's public id, so a file is opened with the
current or a previous field key, and `rotate_field_key` re-encrypts the files not yet under
the current one. Nothing plain is ever written to disk: the upload handler keeps the bytes
in memory (`vault.uploads`), and this module writes only ciphertext, to a temporary name
that is renamed into place when complete.

Files live under MEDIA_ROOT/documents/, named by a random token that says nothing about
whom they are about. Backups carry them decrypted inside the encrypted archive, and a
restore encrypts them again under the target's key, like the encrypted columns.
"""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from motherline.vault import keys
from motherline.vault.stream import (
    CHUNK,
    ArchiveError,
    DecryptingReader,
    EncryptingWriter,
    read_key_id,
)

DOCUMENTS_DIR = "documents"
READ_PIECE = 1 << 16


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / DOCUMENTS_DIR


def is_document(relative: str) -> bool:
    """Whether a path relative to MEDIA_ROOT is an encrypted document."""
    return relative.startswith(DOCUMENTS_DIR + "/")


def path_of(name: str) -> Path:
    """The file of a stored name; a name that would leave the folder is refused."""
    base = root().resolve()
    target = (base / name).resolve()
    if base not in target.parents:
        raise ValueError("A document's name must stay inside the documents folder.")
    return target


def new_name() -> str:
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}.mld"


class Writer:
    """A new encrypted file at `target`, written piece by piece; in place only when
    `close()` completes it (a `.part` file until then, removed by `abort()`)."""

    def __init__(self, target: Path, key: bytes | None = None) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        self.target = target
        self._partial = target.with_name(target.name + ".part")
        self._out = self._partial.open("xb")
        self._encrypting = EncryptingWriter(self._out, key or keys.keyring().file_keys()[0])

    def write(self, piece: bytes | memoryview) -> None:
        self._encrypting.write(piece)

    def close(self) -> None:
        self._encrypting.close()
        self._out.flush()
        os.fsync(self._out.fileno())
        self._out.close()
        self._partial.replace(self.target)

    def abort(self) -> None:
        self._out.close()
        self._partial.unlink(missing_ok=True)


def _write(target: Path, pieces: Iterable[bytes | memoryview], key: bytes) -> None:
    writer = Writer(target, key)
    try:
        for piece in pieces:
            writer.write(piece)
        writer.close()
    except BaseException:
        writer.abort()
        raise


def store(pieces: Iterable[bytes], name: str | None = None) -> str:
    """Encrypt the plaintext pieces into a new file under the current key; its name."""
    name = name or new_name()
    _write(path_of(name), _in_chunks(pieces), keys.keyring().file_keys()[0])
    return name


def _in_chunks(pieces: Iterable[bytes]) -> Iterator[memoryview]:
    # Views of a chunk each, so that a large piece is not copied whole into the writer's
    # buffer (the encrypting writer seals a chunk at a time).
    for piece in pieces:
        view = memoryview(piece)
        for start in range(0, len(view), CHUNK):
            yield view[start : start + CHUNK]


def _key_for(header: bytes, kid: str) -> bytes:
    for key in keys.keyring().file_keys():
        if keys.key_id(key) == kid:
            return key
    raise keys.FieldKeyError(
        f"A document was encrypted with a field key that is not configured (key id {kid}): "
        "set MOTHERLINE_FIELD_KEY_PREVIOUS to the key in use when it was stored."
    )


def open_plain(name: str) -> BinaryIO:
    """The document's plaintext as a file to read, authenticated chunk by chunk."""
    return open_plain_at(path_of(name))


def open_plain_at(path: Path) -> BinaryIO:
    source = path.open("rb")
    try:
        header, kid = read_key_id(source)
        reader = DecryptingReader(source, header, _key_for(header, kid))
    except BaseException:
        source.close()
        raise
    return _Closing(reader, source)


def read_plain(name: str) -> Iterator[bytes]:
    with open_plain(name) as plain:
        while piece := plain.read(READ_PIECE):
            yield piece


def is_current(name: str) -> bool:
    with path_of(name).open("rb") as source:
        _header, kid = read_key_id(source)
    return kid == keys.key_id(keys.keyring().file_keys()[0])


def reencrypt(name: str) -> bool:
    """Encrypt the document again under the current key, if it is not; whether it was."""
    if is_current(name):
        return False
    target = path_of(name)
    with open_plain(name) as plain:
        _write(
            target.with_name(target.name + ".new"),
            iter(lambda: plain.read(READ_PIECE), b""),
            keys.keyring().file_keys()[0],
        )
    target.with_name(target.name + ".new").replace(target)
    return True


def stored_names() -> list[str]:
    base = root()
    if not base.is_dir():
        return []
    return sorted(p.relative_to(base).as_posix() for p in base.rglob("*.mld"))


def delete(name: str) -> None:
    path_of(name).unlink(missing_ok=True)


class _Closing(io.BufferedReader):
    """The decrypting reader, closing the underlying file with it."""

    def __init__(self, reader: DecryptingReader, source: BinaryIO) -> None:
        super().__init__(reader, READ_PIECE)
        self._source = source

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._source.close()


__all__ = ["ArchiveError", "delete", "open_plain", "read_plain", "reencrypt", "store"]
