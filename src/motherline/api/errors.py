"""How the API reports errors, in one shape a client can show beside its fields.

A refused change is HTTP 422 `{"errors": {"field": ["message", ...]}}`, whether the service
refused it (a Django ValidationError) or the request did not parse (ninja's pydantic errors);
a child's field of an admission is `children.0.date_of_birth`, an error about the whole
request is `__all__`. A change to a record that someone else changed after the version the
client read is HTTP 409 in the same shape, under `__all__`. Everything else is
`{"detail": "message"}`. Both shapes are the one `Error` schema of the OpenAPI document, which
`document_errors` declares on every operation for each status it can answer with.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as RequestValidationError
from ninja.parser import Parser

from motherline.core.versions import StaleVersion

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("django.request")

# Where ninja says a parameter came from; not part of the field's name for the client.
_SOURCES = {"body", "query", "path", "form", "cookie", "header", "file"}
# Every endpoint names its request body `payload`.
_BODY_PARAMETER = "payload"


class NotAnObject(ValueError):
    """A JSON body that is an array, a string or a number: every endpoint takes an object."""


class ObjectBodyParser(Parser):
    """ninja's JSON parser, refusing a body that is not an object: pydantic would otherwise
    read an array as an empty object where every field of the schema has a default, and an
    endpoint would act on a request that said nothing."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise NotAnObject(type(data).__name__)
        return data


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as field -> messages."""
    if hasattr(exc, "error_dict"):
        return {key: [str(m) for m in messages] for key, messages in exc.message_dict.items()}
    return {NON_FIELD_ERRORS: [str(m) for m in exc.messages]}


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if parts and parts[0] == _BODY_PARAMETER:
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or NON_FIELD_ERRORS


def _message(error: dict[str, Any]) -> str:
    """A translatable sentence for a pydantic error (pydantic's own are English only)."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("enum", "literal_error"):
        return _("This is not one of the allowed values.")
    if kind.startswith("date"):
        return _("Enter a date as YYYY-MM-DD.")
    if kind.startswith("int"):
        return _("Enter a whole number.")
    if kind.startswith("bool"):
        return _("Enter true or false.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("Enter a number of at least %(limit)s.") % {"limit": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("Enter a number of at most %(limit)s.") % {"limit": ctx.get("le", ctx.get("lt"))}
    if kind in ("string_too_short", "not_null"):
        return _("This field cannot be blank.")
    if kind == "string_too_long":
        return _("Enter at most %(max_length)s characters.") % {"max_length": ctx.get("max_length")}
    if kind == "string_type":
        return _("Enter text.")
    if kind == "list_type":
        return _("Enter a list.")
    if kind in ("json_invalid", "model_attributes_type", "dict_type", "model_type"):
        return _("The request body is not a valid JSON object.")
    return _("This value is not valid.")


def request_field_errors(exc: RequestValidationError) -> dict[str, list[str]]:
    """ninja's request errors as field -> messages, in the same shape as a service's."""
    out: dict[str, list[str]] = {}
    for error in exc.errors:
        out.setdefault(_field_name(error.get("loc", ())), []).append(_message(error))
    return out


# The one schema of every error answer: `detail` (a sentence) or `errors` (field -> messages).
ERROR_SCHEMA_NAME = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "title": ERROR_SCHEMA_NAME,
    "type": "object",
    "description": (
        "A refused request: `detail`, a sentence; or `errors`, the messages of each field "
        "(`__all__` for the whole request)."
    ),
    "properties": {
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "minProperties": 1,
    "additionalProperties": False,
}
_ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_SCHEMA_NAME}"}
_ERROR_DESCRIPTIONS = {
    400: "The request body is not a JSON object, or not a multipart upload.",
    401: "Not signed in.",
    403: "The role may not use this operation, or the CSRF check failed.",
    404: "No such record, or not one the user may see.",
    409: "The record changed after the version sent: read it again.",
    422: "A refused value: the messages of each field.",
}


def _error_statuses(method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses an operation can answer with, from what it takes."""
    statuses = []
    if operation.get("security"):
        statuses += [401, 403]
    body = operation.get("requestBody", {}).get("content", {})
    if body or any(p.get("in") == "path" for p in operation.get("parameters", [])):
        statuses.append(404)  # the record of the path, or one the body names (a woman, a visit)
    if "application/json" in body or "multipart/form-data" in body:
        statuses.append(400)  # a body that is not JSON, or not a multipart upload
    if operation.get("parameters") or body:
        statuses.append(422)
    if method != "get" and any(p.get("in") == "path" for p in operation.get("parameters", [])):
        statuses.append(409)  # a change to an existing record, checked against its version
    return statuses


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with each operation's error answers declared, all in the one
    `Error` schema; where an operation declares its own 422 body (an import's rows), either
    shape is declared, since a file that cannot be read at all is refused as a field error."""
    schema.setdefault("components", {}).setdefault("schemas", {})[ERROR_SCHEMA_NAME] = ERROR_SCHEMA
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in _error_statuses(method, operation):
                declared = responses.get(status) or responses.get(str(status))
                if declared is None:
                    responses[status] = {
                        "description": _ERROR_DESCRIPTIONS[status],
                        "content": {"application/json": {"schema": _ERROR_REF}},
                    }
            # An operation's own error body (an import's rows, a new woman's possible
            # duplicates) is declared beside the one schema: a request can always be refused
            # in that shape too (a field it could not read, a record changed meanwhile).
            for status, declared in responses.items():
                if not str(status).isdigit() or int(status) < 400:
                    continue
                content = declared.setdefault("content", {}).setdefault("application/json", {})
                own = content.get("schema")
                if own != _ERROR_REF and _ERROR_REF not in (own or {}).get("anyOf", []):
                    content["schema"] = {"anyOf": [own, _ERROR_REF]} if own else _ERROR_REF
    return schema


def install(api: NinjaAPI) -> None:
    """Register the handlers on the API."""

    @api.exception_handler(ValidationError)
    def refused(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(request, {"errors": field_errors(exc)}, status=422)

    @api.exception_handler(StaleVersion)
    def conflict(request: HttpRequest, exc: StaleVersion) -> HttpResponse:
        # Not the client's fields but the record's state: it must read it again.
        return api.create_response(request, {"errors": field_errors(exc)}, status=409)

    @api.exception_handler(RequestValidationError)
    def unparsable(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
        return api.create_response(request, {"errors": request_field_errors(exc)}, status=422)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        detail = str(exc) or _("You may not do this.")
        return api.create_response(request, {"detail": detail}, status=403)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": _("Not found.")}, status=404)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(request, {"detail": _("Sign in to use the API.")}, status=401)

    @api.exception_handler(MultiPartParserError)
    def malformed_upload(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        # A body that claims to be multipart and is not: the client's fault (Django's pages
        # answer it with 400 too).
        detail = _("The request body is not a valid multipart/form-data upload.")
        return api.create_response(request, {"detail": detail}, status=400)

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A fault of ours, never of the request: reported as Django reports one (the error
        # log, the test client), but answered in JSON like every other API answer, not with
        # the site's HTML error page.
        got_request_exception.send(sender=None, request=request)
        logger.error(
            "Internal Server Error: %s", request.path, exc_info=exc, extra={"status_code": 500}
        )
        detail = _("The server could not complete this request; it has been reported.")
        return api.create_response(request, {"detail": detail}, status=500)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja's own messages are English only; say the two a client meets in our words.
        if exc.status_code == 400 and isinstance(exc.__cause__, NotAnObject):
            detail = _("The request body must be a JSON object, {...}.")
        elif exc.status_code == 400:
            detail = _("The request body is not valid JSON.")
        elif exc.status_code == 403:
            detail = _(
                "The CSRF check failed: send the csrftoken cookie's value in the "
                "X-CSRFToken header."
            )
        elif isinstance(exc, Throttled):
            detail = _("Too many requests with this token: wait a minute and try again.")
        else:
            detail = str(exc)
        response = api.create_response(request, {"detail": detail}, status=exc.status_code)
        if isinstance(exc, Throttled) and exc.wait:
            response["Retry-After"] = str(int(exc.wait))
        return response
