"""Dates and numbers in the reader's language: the one helper that pages, PDFs, the readable
parts of exports and the sentences built in Python use.

CLDR's data through Babel: Khmer month names ("14 មករា 2026"), and each language's grouping
and decimal marks (English "16,300.00", Khmer "16.300,00"). English dates are written day,
month, year ("14 Jan 2026") as in Cambodia, never month first. The language is the one
active (`translation.override` for a PDF or an e-mail in another language).

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
from typing import Any

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal as _babel_decimal
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language

# The CLDR locale used for each language of the interface: British English writes the day
# before the month.
_LOCALES = {"en": "en_GB", "km": "km"}
# Khmer prose names the month and the year ("15 ខែ មិថុនា ឆ្នាំ 2026"), as the Khmer
# formats of Django and official letters do; tables use CLDR's shorter form.
_DAY_PATTERNS = {
    "en_GB": {"long": "d MMMM y", "short": "d MMM y"},
    "km": {"long": "d 'ខែ' MMMM 'ឆ្នាំ' y", "short": "d MMMM y"},
}


def _locale(language: str | None = None) -> str:
    code = (language or get_language() or "en").split("-")[0].lower()
    return _LOCALES.get(code, "en_GB")


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


def with_native_digits(text: str, language: str | None = None) -> str:
    """`text` with the reader's own digits when she asked for them (for numbers written into
    sentences by Python)."""
    return _digits(text, _locale(language))


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
        user: Any = getattr(request, "user", None)
        on = bool(user is not None and user.is_authenticated and user.native_digits)
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
    patterns = _DAY_PATTERNS[locale]
    return _digits(_babel_date(value, patterns.get(style, patterns["long"]), locale=locale), locale)


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


# How each language ends a sentence (Khmer: the khan).
_FULL_STOPS = {"en": ".", "km": "\u17d4"}


def sentence(text: object, language: str | None = None) -> str:
    """`text` ended as the reader's language ends a sentence, unless it already is: a
    caption built from a title and a source reads "... ។" in Khmer, not "... ."."""
    shown = str(text or "").rstrip()
    if not shown or shown[-1] in ".!?\u17d4\u17d5":
        return shown
    code = (language or get_language() or "en").split("-")[0].lower()
    return shown + _FULL_STOPS.get(code, ".")
