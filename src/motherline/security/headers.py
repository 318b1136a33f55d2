"""Headers on every answer of the application (static files are served before this runs).

- A strict Content-Security-Policy: scripts, styles, images, fonts and connections from the
  application's own origin only; no inline script, no inline style, no plugin, no framing. A
  document rendered for print (the statistics brief) may carry its own `<style>` block: the
  view lists it with `allow_inline_styles`, which adds the hash of exactly that block.
- `Cache-Control: no-store` (and `private`): pages, API answers, PDFs and exports carry names
  of people in custody; no browser or proxy cache keeps them."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

_STYLE_BLOCK = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)


def policy(extra_styles: list[str] | None = None) -> str:
    directives = {key: list(values) for key, values in POLICY.items()}
    directives["style-src"] += extra_styles or []
    return "; ".join(f"{key} {' '.join(values)}" for key, values in directives.items())


def allow_inline_styles(response: HttpResponse) -> HttpResponse:
    """Allow exactly the `<style>` blocks of this HTML answer (by their SHA-256 hash)."""
    html = response.content.decode(response.charset or "utf-8")
    hashes = [
        f"'sha256-{base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()}'"
        for block in _STYLE_BLOCK.findall(html)
    ]
    response["Content-Security-Policy"] = policy(hashes)
    return response


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy()
        add_never_cache_headers(response)
        return response
