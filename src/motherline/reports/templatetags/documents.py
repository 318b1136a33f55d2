"""`{% inline_static "motherline/stats.css" %}`: a static file's text, for documents rendered
for print (PDF), which carry their stylesheet inside, while pages link the same file."""

from __future__ import annotations

from pathlib import Path

from django import template
from django.contrib.staticfiles import finders
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def inline_static(path: str) -> SafeString:
    found = finders.find(path)
    if not found:
        raise template.TemplateSyntaxError(f"no static file {path!r}")
    return mark_safe(Path(str(found)).read_text(encoding="utf-8"))
