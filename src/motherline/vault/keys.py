"""The field key: where it comes from, and the keys derived from it.

One master key (32 random bytes, URL-safe base64, as `Fernet.generate_key()` prints) is read
from `settings.FIELD_KEY` (environment `MOTHERLINE_FIELD_KEY`). Older master keys, still
accepted for reading while a rotation runs, come from `settings.FIELD_KEY_PREVIOUS`
(`MOTHERLINE_FIELD_KEY_PREVIOUS`, comma-separated). From each master key HKDF derives
separate keys for separate jobs (field encryption, blind index, backups), so that knowing
one derived key says nothing about another.

Without `MOTHERLINE_FIELD_KEY` (development and the demo) a key is generated once into
`DATA_DIR/field.key` with mode 0600 and used from there; `check --deploy` warns about it.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEV_KEY_FILE = "field.key"


class FieldKeyError(ImproperlyConfigured):
    """A stored value cannot be decrypted with any configured key, or a key is malformed."""


def generate_key() -> str:
    """A new master key, printable and ready for MOTHERLINE_FIELD_KEY."""
    return Fernet.generate_key().decode("ascii")


def decode_key(text: str, name: str = "MOTHERLINE_FIELD_KEY") -> bytes:
    """The 32 bytes of a key written in URL-safe base64; a clear error for anything else."""
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise FieldKeyError(f"{name} is not URL-safe base64: {exc}") from None
    if len(raw) != 32:
        raise FieldKeyError(
            f"{name} must be 32 bytes in URL-safe base64 (make one with "
            f"`motherline rotate_field_key --generate`); it is {len(raw)} bytes."
        )
    return raw


def dev_key_path() -> Path:
    return Path(settings.DATA_DIR) / DEV_KEY_FILE


def _dev_key() -> str:
    return _dev_key_at(str(settings.DATA_DIR))


@functools.lru_cache(maxsize=4)
def _dev_key_at(data_dir: str) -> str:
    """The development key in the data directory, created with mode 0600 on first use."""
    path = Path(data_dir) / DEV_KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(generate_key() + "\n")
    return path.read_text(encoding="ascii").strip()


def using_dev_key() -> bool:
    return not getattr(settings, "FIELD_KEY", "")


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"motherline " + purpose
    ).derive(master)


def _fernet(master: bytes) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(master, b"field encryption v1")))


@dataclass(frozen=True)
class KeyRing:
    """The current master key first, then the previous ones, and what derives from them."""

    masters: tuple[bytes, ...]

    @functools.cached_property
    def fernet(self) -> MultiFernet:
        """Encrypts with the current key; decrypts with any."""
        return MultiFernet([_fernet(m) for m in self.masters])

    @functools.cached_property
    def current_fernet(self) -> Fernet:
        return _fernet(self.masters[0])

    @functools.cached_property
    def index_keys(self) -> tuple[bytes, ...]:
        """Blind-index keys, current first."""
        return tuple(_derive(m, b"blind index v1") for m in self.masters)

    def backup_keys(self) -> tuple[bytes, ...]:
        return tuple(_derive(m, b"backup v1") for m in self.masters)

    def file_keys(self) -> tuple[bytes, ...]:
        """Keys of uploaded documents (`vault.files`), current first."""
        return tuple(_derive(m, b"file encryption v1") for m in self.masters)


@functools.lru_cache(maxsize=8)
def _ring(current: str, previous: tuple[str, ...]) -> KeyRing:
    masters = [decode_key(current)]
    masters += [decode_key(p, "MOTHERLINE_FIELD_KEY_PREVIOUS") for p in previous]
    return KeyRing(tuple(masters))


def keyring() -> KeyRing:
    """The key ring from the settings (cached per setting values, so tests may override)."""
    current = getattr(settings, "FIELD_KEY", "") or _dev_key()
    previous = tuple(getattr(settings, "FIELD_KEY_PREVIOUS", ()) or ())
    return _ring(current, previous)


def encrypt(value: str) -> str:
    """A Fernet token (AES-128-CBC + HMAC-SHA256, random IV) of a non-empty string; '' stays ''."""
    if not value:
        return value
    return keyring().fernet.encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str, what: str = "a value") -> str:
    if not token:
        return token
    try:
        return keyring().fernet.decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeEncodeError):
        raise FieldKeyError(
            f"Cannot decrypt {what}: it was not encrypted with MOTHERLINE_FIELD_KEY nor with a "
            "key in MOTHERLINE_FIELD_KEY_PREVIOUS (wrong key, or the value is not encrypted)."
        ) from None


def is_current(token: str) -> bool:
    """Whether a stored value is encrypted under the current key (or empty)."""
    if not token:
        return True
    try:
        keyring().current_fernet.decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        return False
    return True


def reencrypt(token: str) -> str:
    """The same plaintext under the current key (MultiFernet.rotate)."""
    if not token:
        return token
    try:
        return keyring().fernet.rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError):
        raise FieldKeyError(
            "Cannot re-encrypt a value: neither MOTHERLINE_FIELD_KEY nor any key in "
            "MOTHERLINE_FIELD_KEY_PREVIOUS opens it."
        ) from None


def blind_digest(key: bytes, kind: str, text: str) -> int:
    """A keyed digest of a normalised search token, as a signed 64-bit integer (compact and
    fast to index; 64 bits make a false match between two different tokens negligible)."""
    mac = hmac.digest(key, f"{kind}\x1f{text}".encode(), hashlib.sha256)
    return int.from_bytes(mac[:8], "big", signed=True)


def key_id(key: bytes) -> str:
    """A short public name of a key, to tell which key a backup needs without revealing it."""
    return hmac.digest(key, b"motherline key id", hashlib.sha256)[:6].hex()
