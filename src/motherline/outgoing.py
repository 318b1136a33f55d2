"""What leaves the system by e-mail: full links (the deployment's address, then the path),
and dates and numbers written as the reader's language writes them."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.utils import translation

from motherline import formatting
from motherline.jurisdictions.local import conventions


def site_link(path: str) -> str:
    """`path` under MOTHERLINE_SITE_URL (https://motherline.example.org/worklist/); the path
    alone when the deployment has not set its address."""
    base = getattr(settings, "MOTHERLINE_SITE_URL", "")
    return f"{base}{path}" if base else path


def _digits(text: str) -> str:
    """Digits as the language writes them in a letter: a pack may give its own (Khmer)."""
    written = conventions(translation.get_language() or "")
    if not written or not written.digits:
        return text
    return text.translate(str.maketrans("0123456789", written.digits))


def number(value: int) -> str:
    """A count in the active language: grouped (1,234 in English), Khmer digits in Khmer."""
    return _digits(formatting.format_number(value))


def day(value: date) -> str:
    """A date in the active language's long form: 2 December 2026, ២ ធ្នូ ២០២៦."""
    return _digits(formatting.format_day(value))


def moment(value: datetime) -> str:
    return _digits(formatting.format_moment(value))
