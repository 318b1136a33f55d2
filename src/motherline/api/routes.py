"""The steps the API's operations share, said once: the audit row of a read, the fields a
correction sends, a page of a list, a refusal as a field's error (a record a request names
is `core.inputs.named`, which the services use too).

An operation stays a plain function that parses, finds the record through the access policy
(`api.access`), calls a service and answers; these are the steps it takes on the way, so that
every read is written to the audit trail alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from ninja import Schema

from motherline.accounts import audit
from motherline.accounts.models import AuditAction
from motherline.core.actors import AuthenticatedRequest

R = TypeVar("R", bound=models.Model)


def read(request: AuthenticatedRequest, record: R, **details: Any) -> R:
    """`record` (a model instance), its read written to the audit trail; `details` are
    `audit.record`'s (`object_ref`, `changes`)."""
    audit.record(request.user, AuditAction.VIEW, record, request=request, **details)
    return record


def read_all(
    request: AuthenticatedRequest,
    model: type[models.Model],
    about: str,
    key: str,
    records: Iterable[Any],
    ref: Callable[[Any], Any] = lambda record: record.pk,
) -> Any:
    """`records` of `model`, their read written to the audit trail as one row about the
    record or list `about`: their ids (or their `ref`) under `key` ("notes", "consents")."""
    audit.record(
        request.user,
        AuditAction.VIEW,
        object_type=model._meta.label,
        object_ref=about,
        request=request,
        changes={key: [ref(record) for record in records]},
    )
    return records


def changes_of(payload: Schema, *texts: str, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The fields a correction sent (only those change), without its `version` (nor
    `exclude`); a null sent for one of `texts` empties that text."""
    changes = payload.model_dump(exclude_unset=True, exclude={"version", *exclude})
    for name in texts:
        if name in changes and changes[name] is None:
            changes[name] = ""
    return changes


@contextmanager
def refused_as(field: str, refusal: type[Exception], message: str = "") -> Iterator[None]:
    """A `refusal` raised inside as the request's error on `field` (422): `message`, else the
    refusal's own (an `UnanswerableDay`'s)."""
    try:
        yield
    except refusal as refused:
        raise ValidationError({field: [message or getattr(refused, "message", "")]}) from refused


def page_out(page: Any) -> dict[str, Any]:
    """A page of a list (`items`, `next_cursor`, `total`) as the API returns it."""
    return {"items": page.items, "next_cursor": page.next_cursor, "total": page.total}
