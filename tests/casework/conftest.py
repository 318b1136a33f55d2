"""Fixtures of case work: a fixed today, a fresh field key and upload folder, a mother of
the NGO (shared with partners by consent) with a child in prison, and small real files."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from PIL import Image

from motherline.people.models import Child, Woman
from motherline.vault.keys import generate_key
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, children_of, reload

SECRET = "Sokha told us the guard took her food on Tuesday"


@pytest.fixture(autouse=True)
def _on_today(frozen_today):
    """Every test here runs on TODAY, on the root conftest's one clock."""


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Each test's uploads in its own folder, under its own field key."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FIELD_KEY = generate_key()
    settings.FIELD_KEY_PREVIOUS = []
    return settings.MEDIA_ROOT


@pytest.fixture
def mother(users, prisons) -> Woman:
    return reload(
        admit(
            users["monitor"],
            prisons["CC2"],
            admission_date=TODAY - timedelta(days=400),
            consent_scope="partners",
            children=[child_in_prison(date(2024, 8, 1), name="Dara")],
        )
    )


@pytest.fixture
def child(mother) -> Child:
    return children_of(mother)[0]


def pdf_bytes(text: str = SECRET) -> bytes:
    """A small, valid PDF whose content stream carries `text` in plain form."""
    stream = f"BT /F1 12 Tf 72 712 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
    out.write(trailer % (len(objects) + 1, xref))
    return out.getvalue()


def jpeg_with_location() -> bytes:
    """A photo whose EXIF names a camera and a GPS position, as a phone writes it."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "SecretCam 9"  # Model
    exif[0x8825] = {1: "N", 2: (11.0, 33.0, 0.0), 3: "E", 4: (104.0, 55.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_with_text() -> bytes:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Taken at the home of " + SECRET)
    out = io.BytesIO()
    Image.new("RGB", (32, 32), (0, 90, 200)).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def docx_bytes(text: str = SECRET) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"><Override PartName="/word/document.xml" ContentType="'
            'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"'
            "/></Types>",
        )
        archive.writestr("word/document.xml", f"<w:document><w:t>{text}</w:t></w:document>")
    return out.getvalue()
