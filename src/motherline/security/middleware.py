"""Requests refused before any view runs: a URL whose path holds the NUL character names no
record ("not found": PostgreSQL refuses NUL in a query, which would be a server error), and a
page asked with a method it does not serve (405)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed


class ViewMiddleware:
    """A middleware that only looks at a request before its view runs (`process_view`, which
    each one defines): the response passes through untouched."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)


class RefuseNulPathMiddleware(ViewMiddleware):
    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if "\x00" in request.path or any("\x00" in str(v) for v in view_kwargs.values()):
            raise Http404
        return None


# The methods a browser page is served with; a view that only shows refuses POST itself
# (`require_safe`). The API's paths declare their own methods (django-ninja answers 405).
PAGE_METHODS = ("GET", "HEAD", "POST")


class RefuseUnservedMethodsMiddleware(ViewMiddleware):
    """PUT, PATCH, DELETE, TRACE, OPTIONS and any other method on a page: 405, before the
    view runs (so before it reads a record or writes an audit row)."""

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is not None and "api" in match.namespaces:
            return None
        if request.method not in PAGE_METHODS:
            return HttpResponseNotAllowed(PAGE_METHODS)
        return None
