"""Rules of case work as plain functions: when a note may still be corrected, and what kind
of file an upload is, read from its content (never from its name or the type the browser
claims)."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from motherline.casework.models import DocumentType

# A DOCX is a zip: bound what opening it could cost (a "zip bomb" expands enormously).
DOCX_MAX_ENTRIES = 2000
DOCX_MAX_EXPANDED = 200 * 1024 * 1024
# Pillow refuses images above this many pixels (a small file can decode to gigabytes).
IMAGE_MAX_PIXELS = 60_000_000


def correction_deadline(created_at: datetime, hours: int) -> datetime:
    return created_at + timedelta(hours=hours)


def may_correct(created_at: datetime, now: datetime, hours: int) -> bool:
    """Whether a note written at `created_at` may still be corrected in place at `now`."""
    return now < correction_deadline(created_at, hours)


def _is_pdf(data: bytes) -> bool:
    # The header may follow a few bytes of junk (the PDF standard allows 1024); the end
    # marker must be near the end: a truncated PDF lacks it.
    return b"%PDF-" in data[:1024] and b"%%EOF" in data[-2048:]


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > DOCX_MAX_ENTRIES:
                return False
            if sum(e.file_size for e in entries) > DOCX_MAX_EXPANDED:
                return False
            names = {e.filename for e in entries}
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                return False
            types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return False
    return b"wordprocessingml.document.main+xml" in types


def sniff_type(data: bytes) -> DocumentType | None:
    """The type of a file from its content: PDF, JPEG, PNG or DOCX, else None."""
    if data.startswith(b"\xff\xd8\xff"):
        return DocumentType.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return DocumentType.PNG
    if data.startswith(b"PK\x03\x04"):
        return DocumentType.DOCX if _is_docx(data) else None
    if _is_pdf(data):
        return DocumentType.PDF
    return None


def type_error(data: bytes, found: DocumentType | None) -> str | None:
    """Why an upload is refused for its content, or None."""
    if not data:
        return _("The file is empty.")
    if found is None:
        return _(
            "This file is not a PDF, JPEG, PNG or Word (DOCX) document: its content was "
            "checked, whatever its name says."
        )
    return None


def safe_file_name(name: str, file_type: DocumentType) -> str:
    """The name to give the file when it is downloaded: the uploaded name without any
    folder, control characters or a misleading extension, ending in the real type's."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>:|?*')
    stem = base.rsplit(".", 1)[0].strip(" .") if "." in base else base.strip(" .")
    return f"{(stem or 'document')[:150]}.{file_type.value if file_type != 'jpeg' else 'jpg'}"
