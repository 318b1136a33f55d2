"""Refuse the NUL character anywhere in an API request's JSON body or query string, with a
field error, before the endpoint reads or changes anything.

PostgreSQL cannot store NUL in text (psycopg raises, and the request would end in a server
error); SQLite would store it, invisible. The web forms refuse it already (Django's
CharField), and a URL path holding it is "not found" (`security.middleware`); this is the
same rule for every endpoint, in one place rather than on each field. A refused request is
HTTP 422 `{"errors": {"field": ["message"]}}`, like any other field error. It is checked after
the caller's role (401 and 403 come first, whatever was sent) and the request's schema.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.http.request import RawPostDataException
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
    try:
        body = request.body
    except RawPostDataException:
        return found  # read as a multipart form, where a JSON escape means nothing
    # JSON writes NUL as the escape \u0000 (a raw NUL byte is not valid JSON): look first.
    if body and b"\\u0000" in body:
        try:
            data = json.loads(body)
        except ValueError:
            return found  # not JSON: ninja answers 400 itself
        found += [".".join(path) or "__all__" for path in nul_paths(data)]
    return found


def refuse_nul(view: Callable[..., Any]) -> Callable[..., Any]:
    """API decorator of each endpoint's function (added once, on the whole API, in ninja's
    "operation" mode: after the auth and the parsing): a request holding NUL is refused."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        fields = request_nul_fields(request)
        if fields:
            message = _("Remove the invisible NUL character from this text.")
            return JsonResponse({"errors": {field: [message] for field in fields}}, status=422)
        return view(request, *args, **kwargs)

    return wrapper
