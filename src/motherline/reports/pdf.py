"""Documents as PDF: an HTML template rendered by Django, laid out by WeasyPrint.

WeasyPrint shapes text with Pango and HarfBuzz, so Khmer and Thai are correct in HTML text.
They are not inside SVG `<text>`: charts in a PDF carry their labels as HTML beside
label-free shapes. Text in a local language is set in the font its pack names (`[language]
font`, `jurisdictions.local.fonts`), by `:lang()` rules of `reports/base_pdf.html` (its
`language_fonts` tag): the
Khmer font is bundled (Noto Sans Khmer, the web pages' own), so a Khmer PDF needs neither the
internet nor an installed font; Thai uses Debian's fonts-thai-tlwg (Loma), installed with the
application's Debian packages (`scripts/_venv.sh`).
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

STATIC_ROOT = Path(__file__).resolve().parent.parent / "static"
FONTS = {"regular": "NotoSansKhmer-Regular", "bold": "NotoSansKhmer-Bold"}


def pdf_fonts() -> dict[str, str]:
    """`_pdf_fonts`, written again if the cache was cleared since."""
    found = _pdf_fonts()
    if not all(Path(url.removeprefix("file://")).exists() for url in found.values()):
        _pdf_fonts.cache_clear()
        found = _pdf_fonts()
    return found


@functools.cache
def _pdf_fonts() -> dict[str, str]:
    """The bundled Khmer fonts as TrueType files for WeasyPrint, by weight: decompressed
    from the WOFF2 once into the data directory's cache (named by the WOFF2's digest), since
    WeasyPrint would otherwise decompress them for every document (about half a second on a
    busy 2-core server, an eighth of the national brief)."""
    from fontTools.ttLib import woff2

    directory = Path(settings.DATA_DIR) / "cache" / "fonts"
    directory.mkdir(parents=True, exist_ok=True)
    found = {}
    for weight, name in FONTS.items():
        source = STATIC_ROOT / "motherline" / "fonts" / f"{name}.woff2"
        content = source.read_bytes()
        target = directory / f"{name}-{hashlib.sha256(content).hexdigest()[:16]}.ttf"
        if not target.exists():
            partial = target.with_suffix(f".{os.getpid()}.part")
            with source.open("rb") as compressed, partial.open("wb") as out:
                woff2.decompress(compressed, out)
            partial.replace(target)  # atomic: another process may be writing the same file
        found[weight] = target.as_uri()
    return found


def render_html(
    template_name: str, context: dict[str, Any], language: str, for_browser: bool = False
) -> str:
    """The document's HTML in `language` (English or a pack's local language), as the PDF
    will lay it out; with `for_browser`, its fonts are linked by their static URL (a PDF
    reads them from disk)."""
    with translation.override(language):
        return render_to_string(
            template_name,
            {
                **context,
                "LANGUAGE_CODE": language,
                "for_browser": for_browser,
                "pdf_fonts": {} if for_browser else pdf_fonts(),
            },
        )


def render_pdf(template_name: str, context: dict[str, Any], language: str) -> bytes:
    """The document as PDF bytes. Templates extend `reports/base_pdf.html`, whose stylesheet
    and fonts are read from the package's static files (`base_url`), never from a network."""
    return html_to_pdf(render_html(template_name, context, language))


def html_to_pdf(html: str) -> bytes:
    """Lay out a whole HTML document (relative URLs resolve against the static files)."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    return HTML(string=html, base_url=str(STATIC_ROOT)).write_pdf(font_config=fonts)
