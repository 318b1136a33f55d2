"""The links of a list shown a page at a time: the cursor a request asks for, and the
next and first pages' addresses with the list's filters kept."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest


def cursor(request: HttpRequest) -> int | None:
    """The id after which the page starts (`?after=`), or None for the first page."""
    value = request.GET.get("after", "")
    return int(value) if value.isdigit() else None


def paging(request: HttpRequest, page: Any, **query: str) -> dict[str, Any]:
    """The page and the links to the next and the first page, keeping the filters given."""
    base = {k: v for k, v in query.items() if v}
    return {
        "page": page,
        "next_url": "?" + urlencode({**base, "after": page.next_cursor})
        if page.next_cursor
        else None,
        "first_url": "?" + urlencode(base) if request.GET.get("after") else None,
    }
