"""Refuse the NUL character anywhere in an API request's JSON body or query string, with a
field error, before the request is parsed into a schema.

PostgreSQL cannot store NUL in text (psycopg raises, and the request would end in a server
error); SQLite would store it, invisible. The web forms refuse it already (Django's
CharField), and a URL path holding it is "not found" (`security.middleware`); this is the
same rule for every endpoint, in one place rather than on each field. A refused request is
HTTP 422 `{"errors": {"field": ["message"]}}`, like any other field error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"


def nul_paths(value: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Where in a decoded JSON value a string (a value or an object's key) holds NUL."""
    if isinstance(value, str):
        return [path] if NUL in value else []
    found: list[tuple[str, ...]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            name = str(key)
            if NUL in name:
                found.append((*path, name.replace(NUL, "")))
            else:
                found += nul_paths(item, (*path, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += nul_paths(item, (*path, str(index)))
    return found


def request_nul_fields(request: HttpRequest) -> list[str]:
    """The fields of the request (dotted, as `api.errors` names them) that hold NUL."""
    found = [
        key.replace(NUL, "")
        for key, values in request.GET.lists()
        if NUL in key or any(NUL in v for v in values)
    ]
    body = request.body
    # JSON writes NUL as the escape \u0000 (a raw NUL byte is not valid JSON): look first.
    if body and b"\\u0000" in body:
        try:
            data = json.loads(body)
        except ValueError:
            return found  # not JSON: ninja answers 400 itself
        found += [".".join(path) or "__all__" for path in nul_paths(data)]
    return found


def refuse_nul(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """API decorator (added once, on the whole API): a request holding NUL is refused.
    Anonymous requests pass through, so that they are answered 401 first."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            fields = request_nul_fields(request)
            if fields:
                message = _("Remove the invisible NUL character from this text.")
                return JsonResponse({"errors": {field: [message] for field in fields}}, status=422)
        return view(request, *args, **kwargs)

    return wrapper
