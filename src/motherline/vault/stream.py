"""An encrypted, authenticated stream for backup archives (AES-256-GCM in chunks).

Layout: a header (magic, format version, the key's public id, a random salt and nonce
prefix), then chunks of `[flag][length][ciphertext+tag]`. Each archive gets its own key,
derived by HKDF from the backup key and the salt. A chunk's nonce is the prefix and its
number, and its associated data is the header and its flag, so a reordered, removed,
altered or appended chunk, a changed header, or a cut-off archive (no final chunk) fails
authentication. Nothing is returned to the caller before its chunk is authenticated.
"""

from __future__ import annotations

import io
import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from motherline.vault.keys import key_id

MAGIC = b"MOTHERLINE-BACKUP\n"
STREAM_VERSION = 1
CHUNK = 1 << 20
_HEADER = struct.Struct(">B6s16s4s")  # version, key id, salt, nonce prefix
_CHUNK = struct.Struct(">BI")  # flag (1 = last), ciphertext length
LAST, MORE = 1, 0


class ArchiveError(Exception):
    """The archive cannot be opened: wrong key, damaged, altered or not a backup."""


def _archive_key(master: bytes, salt: bytes) -> AESGCM:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=salt, info=b"motherline backup archive v1"
    ).derive(master)
    return AESGCM(derived)


def _nonce(prefix: bytes, counter: int) -> bytes:
    return prefix + counter.to_bytes(8, "big")


class EncryptingWriter(io.RawIOBase):
    """A write-only file that encrypts what is written to `out`; `close()` seals it."""

    def __init__(self, out: BinaryIO, master: bytes) -> None:
        super().__init__()
        salt, self._prefix = os.urandom(16), os.urandom(4)
        self._header = MAGIC + _HEADER.pack(
            STREAM_VERSION, bytes.fromhex(key_id(master)), salt, self._prefix
        )
        self._aead = _archive_key(master, salt)
        self._out, self._buffer, self._counter = out, bytearray(), 0
        out.write(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), MORE)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, plain: bytes, flag: int) -> None:
        sealed = self._aead.encrypt(
            _nonce(self._prefix, self._counter), plain, self._header + bytes([flag])
        )
        self._out.write(_CHUNK.pack(flag, len(sealed)) + sealed)
        self._counter += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), LAST)
            self._buffer.clear()
        super().close()


def read_key_id(source: BinaryIO) -> tuple[bytes, str]:
    """The header and the public id of the key an archive needs."""
    header = source.read(len(MAGIC) + _HEADER.size)
    if not header.startswith(MAGIC) or len(header) < len(MAGIC) + _HEADER.size:
        raise ArchiveError("This file is not a Motherline backup.")
    version, kid, _salt, _prefix = _HEADER.unpack(header[len(MAGIC) :])
    if version != STREAM_VERSION:
        raise ArchiveError(f"This backup's encryption format {version} is not known here.")
    return header, kid.hex()


class DecryptingReader(io.RawIOBase):
    """A read-only file of an archive's plaintext, authenticated chunk by chunk."""

    def __init__(self, source: BinaryIO, header: bytes, master: bytes) -> None:
        super().__init__()
        _version, _kid, salt, self._prefix = _HEADER.unpack(header[len(MAGIC) :])
        self._source, self._header = source, header
        self._aead = _archive_key(master, salt)
        self._counter, self._pending, self._pos, self._done = 0, b"", 0, False

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> None:
        head = self._source.read(_CHUNK.size)
        if len(head) < _CHUNK.size:
            raise ArchiveError("The backup is cut short: its end is missing.")
        flag, length = _CHUNK.unpack(head)
        sealed = self._source.read(length)
        if len(sealed) < length or flag not in (LAST, MORE):
            raise ArchiveError("The backup is cut short or damaged.")
        try:
            self._pos = 0
            self._pending = self._aead.decrypt(
                _nonce(self._prefix, self._counter), sealed, self._header + bytes([flag])
            )
        except InvalidTag:
            raise ArchiveError(
                f"The backup was altered or damaged (part {self._counter + 1} fails its "
                "authentication check). Nothing was restored from it."
            ) from None
        self._counter += 1
        if flag == LAST:
            if self._source.read(1):
                raise ArchiveError("The backup has data after its end: it was altered.")
            self._done = True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while self._pos >= len(self._pending) and not self._done:
            self._next_chunk()
        n = min(len(buffer), len(self._pending) - self._pos)
        buffer[:n] = self._pending[self._pos : self._pos + n]
        self._pos += n
        return n
