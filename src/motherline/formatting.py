"""Dates and numbers in the reader's language: the one helper that pages, PDFs, the readable
parts of exports and the sentences built in Python use.

CLDR's data through Babel: each language's month names ("14 មករា 2026", "14 ม.ค. 2026"), and
its grouping and decimal marks (English "16,300.00", Khmer "16.300,00"). English dates are
written day, month, year ("14 Jan 2026"), never month first. Where CLDR does not say how a
local language is written (how a Khmer letter writes a date, the mark that ends a sentence),
its pack does (`[language]` in pack.toml, read by `jurisdictions.local.conventions`). The
language is the one active (`translation.override` for a PDF or an e-mail in another one).

Templates use the filters of `motherline.formatting_tags` (loaded everywhere):
`{{ day|day }}`, `{{ day|day:"short" }}`, `{{ month|month }}`, `{{ n|number }}`,
`{{ amount|number:2 }}`, `{{ amount|money:currency }}`. Machine-readable values (`<time
datetime>`, form values, CSV/JSON columns) stay ISO.

A reader may prefer the digits of her language (Khmer "១៦.៣០០" rather than "16.300"):
`User.native_digits`, put in force for the request by `ReaderDigitsMiddleware` (and for a PDF
or an e-mail by `native_digits(True)`). CLDR says which digits a language calls its own; for
a language without any (English) the preference changes nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal as _babel_decimal
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

from motherline.jurisdictions.local import conventions

# British English writes the day before the month: the CLDR locale of English.
ENGLISH = "en_GB"
_ENGLISH_PATTERNS = {"long": "d MMMM y", "short": "d MMM y"}


@cache
def _known(code: str) -> bool:
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return False
    return True


def _locale(language: str | None = None) -> str:
    """The CLDR locale of a language: British English for English and any language CLDR
    does not know, else the language itself."""
    code = (language or get_language() or "en").split("-")[0].lower()
    return code if code != "en" and _known(code) else ENGLISH


def _day_pattern(locale: str, style: str) -> str:
    """English's own patterns; a local language's from its pack, else CLDR's long and
    medium forms."""
    if locale == ENGLISH:
        return _ENGLISH_PATTERNS.get(style, _ENGLISH_PATTERNS["long"])
    written = conventions(locale)
    pattern = (written.day_short if style == "short" else written.day_long) if written else ""
    return pattern or ("medium" if style == "short" else "long")


# Whether the reader asked for the digits of her language (see the module's note).
_NATIVE_DIGITS: ContextVar[bool] = ContextVar("motherline_native_digits", default=False)
# CLDR's numbering systems whose digits Unicode names by script.
_DIGIT_SCRIPTS = {
    "khmr": "KHMER",
    "thai": "THAI",
    "laoo": "LAO",
    "mymr": "MYANMAR",
    "beng": "BENGALI",
    "deva": "DEVANAGARI",
    "arab": "ARABIC-INDIC",
}


@cache
def _native_table(locale: str) -> dict[int, str]:
    """ASCII digit -> the locale's own digit, empty when CLDR names none (or only Latin)."""
    system = Locale.parse(locale).other_numbering_systems.get("native", "latn")
    script = _DIGIT_SCRIPTS.get(system)
    if script is None:
        return {}
    zero = ord(unicodedata.lookup(f"{script} DIGIT ZERO"))
    return {ord("0") + n: chr(zero + n) for n in range(10)}


def _digits(text: str, locale: str) -> str:
    return text.translate(_native_table(locale)) if _NATIVE_DIGITS.get() else text


@contextmanager
def native_digits(on: bool) -> Iterator[None]:
    """Write digits the reader's way within the block (a PDF or an e-mail for one user)."""
    token = _NATIVE_DIGITS.set(bool(on))
    try:
        yield
    finally:
        _NATIVE_DIGITS.reset(token)


class ReaderDigitsMiddleware:
    """Put the signed-in user's choice of digits in force for her request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Her preference, when a user is signed in (no one else has one): this layer stands
        # below the accounts and does not name their User.
        on = bool(getattr(getattr(request, "user", None), "native_digits", False))
        with native_digits(on):
            return self.get_response(request)


def format_day(
    value: date | datetime | str | None, style: str = "long", language: str | None = None
) -> str:
    """A calendar day as the reader writes it: "14 January 2026" (long) or "14 Jan 2026"
    (short); in Khmer "14 ខែ មករា ឆ្នាំ 2026" and "14 មករា 2026". Empty for none;
    an ISO day kept as text in a snapshot is read as the day it names."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    locale = _locale(language)
    return _digits(_babel_date(value, _day_pattern(locale, style), locale=locale), locale)


def format_month(value: date | None, language: str | None = None) -> str:
    """A month of a year: "January 2026", "មករា 2026"."""
    if value is None or value == "":
        return ""
    locale = _locale(language)
    return _digits(_babel_date(value, "LLLL y", locale=locale), locale)


def format_month_name(month: int, language: str | None = None) -> str:
    """The name of a month (1-12) alone, for a column heading: "Jan", "មករា"."""
    return _babel_date(date(2000, month, 1), "LLL", locale=_locale(language))


def format_moment(
    value: datetime | None, seconds: bool = False, language: str | None = None
) -> str:
    """A moment in local time: "14 Jan 2026, 09:30" (with `seconds`, "09:30:05")."""
    if value is None or value == "":
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    locale = _locale(language)
    clock = value.strftime("%H:%M:%S" if seconds else "%H:%M")
    return _digits(f"{_babel_date(value.date(), 'd MMM y', locale=locale)}, {clock}", locale)


def format_number(
    value: int | float | Decimal | str | None,
    decimals: int | None = None,
    language: str | None = None,
) -> str:
    """A number grouped with the reader's marks ("16,300" / "16.300"); `decimals` fixes the
    digits after the mark ("16,300.00" / "16.300,00"); without it, a whole number shows none
    and a fraction as many as it has (at most 2). Text that is not a number is returned as is."""
    if value is None or value == "" or isinstance(value, bool):
        return "" if value in (None, "") else str(value)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if decimals is None:
        pattern = "#,##0.##"
    elif decimals <= 0:
        pattern = "#,##0"
    else:
        pattern = "#,##0." + "0" * decimals
    locale = _locale(language)
    return _digits(_babel_decimal(number, format=pattern, locale=locale), locale)


def format_money(
    value: int | float | Decimal | None, currency: str = "", language: str | None = None
) -> str:
    """An amount with two decimals and its currency code after it: "16,300.00 USD"."""
    if value is None or value == "":
        return ""
    amount = format_number(value, 2, language)
    return f"{amount} {currency}".strip()


def sentence(text: object, language: str | None = None) -> str:
    """`text` ended as the reader's language ends a sentence, unless it already is: a
    caption built from a title and a source reads "... ។" in Khmer (the pack's full stop),
    not "... ."; a language whose pack gives no mark (Thai) adds none."""
    shown = str(text or "").rstrip()
    written = conventions((language or get_language() or "en").split("-")[0].lower())
    full_stop = written.full_stop if written else "."
    if not shown or shown[-1] in ".!?" or (full_stop and shown.endswith(full_stop)):
        return shown
    return shown + full_stop
