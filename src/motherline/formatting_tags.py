"""Template filters for `motherline.formatting`, loaded in every template (`builtins` in the
settings), so that pages and PDFs format dates and numbers the same way."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils.html import format_html, format_html_join

from motherline import formatting

register = template.Library()


@register.filter
def day(value: date | datetime | str | None, style: str = "long") -> str:
    """`{{ d|day }}` "14 January 2026"; `{{ d|day:"short" }}` "14 Jan 2026"."""
    return formatting.format_day(value, style)


@register.filter
def month(value: date | None) -> str:
    """`{{ d|month }}` "January 2026"."""
    return formatting.format_month(value)


@register.filter
def moment(value: datetime | None, precision: str = "") -> str:
    """`{{ t|moment }}` "14 Jan 2026, 09:30" in local time; `{{ t|moment:"seconds" }}`."""
    return formatting.format_moment(value, seconds=precision == "seconds")


@register.filter
def number(value: int | float | Decimal | str | None, decimals: int | str | None = None) -> str:
    """`{{ n|number }}` "16,300"; `{{ n|number:2 }}` "16,300.00" (in Khmer "16.300,00")."""
    places = None if decimals in (None, "") else int(decimals)
    return formatting.format_number(value, places)


@register.filter
def money(value: int | float | Decimal | None, currency: str = "") -> str:
    """`{{ amount|money:grant.currency }}` "16,300.00 USD"."""
    return formatting.format_money(value, currency)


@register.filter(is_safe=True)
def sentence(value: object) -> str:
    """`{{ title|sentence }}` "Women in prison." / "ស្ត្រីក្នុងពន្ធនាគារ។"."""
    return formatting.sentence(value)


@register.filter
def citation(value: object) -> str:
    """`{{ rule.citation|citation }}`: a legal source in the reader's language where the
    pack has its rendering."""
    from motherline.jurisdictions.reference import citation_label

    return citation_label(str(value or ""))


@register.filter
def autonym(code: object) -> str:
    """`{{ code|autonym }}`: a language named in itself ("ខ្មែរ", "ไทย"), as a language
    switch shows it (Django's own `language_name` filter, from the i18n library, names it in
    English)."""
    from motherline.jurisdictions.local import language_name as name

    return name(str(code or ""))


@register.simple_tag
def language_fonts() -> list[tuple[str, str]]:
    """`{% language_fonts as fonts %}`: (language, font) of every pack that names a font
    for its local language, for the `:lang()` rules of a page or a PDF."""
    from motherline.jurisdictions.local import fonts

    return fonts()


@register.filter
def language_label(code: object) -> str:
    """`{{ code|language_label }}`: a language named in the page's language ("Khmer",
    "ខ្មែរ"), for a heading or a button."""
    from motherline.jurisdictions.local import language_label as label

    return label(str(code or ""))


@register.simple_tag
def column_heads(*labels: str) -> str:
    """`{% column_heads _("Job") _("Result") %}`: a table's head, a column a label (each
    translated where the template names it)."""
    cells = format_html_join("", '<th scope="col">{}</th>', ((label,) for label in labels))
    return format_html("<thead><tr>{}</tr></thead>", cells)
