"""A URL whose path holds the NUL character names no record: "not found", before any view
looks it up (PostgreSQL refuses NUL in a query, which would be a server error)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse


class RefuseNulPathMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if "\x00" in request.path or any("\x00" in str(v) for v in view_kwargs.values()):
            raise Http404
        return None
