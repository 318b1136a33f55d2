"""The steps the API's operations share, said once: the audit row of a read, the fields a
correction sends and the correction or withdrawal made of them, a page of a list, a refusal
as a field's error (a record a request names is `core.inputs.named`, which the services use
too), and the twin operations of one action on a woman's records and on a child's.

An operation stays a plain function that parses, finds the record through the access policy
(`api.access`), calls a service and answers; these are the steps it takes on the way, so that
every read is written to the audit trail alike.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from ninja import Router, Schema

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User
from motherline.api.access import child_records, her_records
from motherline.api.schemas import PathReference
from motherline.core.actors import AuthenticatedRequest
from motherline.people.models import Child, Woman
from motherline.people.queries import paged

R = TypeVar("R", bound=models.Model)
T = TypeVar("T")
B = TypeVar("B", bound=Callable[..., Any])


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


def read_listed(
    request: AuthenticatedRequest, object_type: str, references: Iterable[Any], filters: Schema
) -> None:
    """A page of a filtered list, its read written to the audit trail as one row
    (`audit.record_list`): the `references` shown and the `filters` asked for, without the
    cursor (`after`)."""
    audit.record_list(
        request.user,
        object_type,
        references,
        request=request,
        changes={"filters": audit.filters_for_trail(filters.model_dump(exclude={"after"}))},
    )


def changes_of(payload: Schema, *texts: str, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The fields a correction sent (only those change), without its `version` (nor
    `exclude`); a null sent for one of `texts` empties that text."""
    changes = payload.model_dump(exclude_unset=True, exclude={"version", *exclude})
    for name in texts:
        if name in changes and changes[name] is None:
            changes[name] = ""
    return changes


def corrected(
    request: AuthenticatedRequest,
    correct: Callable[..., T],
    record: Any,
    payload: Any,
    *texts: str,
) -> T:
    """A correction service's `correct(user, record, changes, version=, request=)` of `record`
    by the fields `payload` sent (`changes_of`, `texts` as there), from the version it names."""
    changes = changes_of(payload, *texts)
    return correct(request.user, record, changes, version=payload.version, request=request)


def withdrawn(
    request: AuthenticatedRequest, withdraw: Callable[..., T], record: Any, payload: Any
) -> T:
    """A record withdrawn by the service's `withdraw(user, record, version=, reason=,
    request=)`, with the version and the reason of `payload` (a `Withdrawal`)."""
    return withdraw(
        request.user, record, version=payload.version, reason=payload.reason, request=request
    )


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


def page_of(records: models.QuerySet[Any], after: int | None, size: int) -> dict[str, Any]:
    """The page of `records` after the id `after` (the previous page's `next_cursor`), by
    descending id, with their total (`people.queries.paged`), as the API returns it."""
    return page_out(paged(records, after, size))


@dataclass(frozen=True)
class Twin:
    """One of a twin pair of operations: its function's name (which makes its operation id
    and, unless `url_name` is given, its URL name), summary and description."""

    name: str
    summary: str
    description: str
    url_name: str | None = None


def twins(
    router: Router, method: str, path: str, *, woman: Twin, child: Twin, **route: Any
) -> Callable[[B], B]:
    """The same action on a woman's records and on a child's, declared once: the function
    it decorates, `body(request, woman, child, ...)`, becomes the operation
    `METHOD /women/{reference}/<path>` (her own records: `child` is None) and
    `METHOD /children/{reference}/<path>` (the child's, with her mother), each taking
    `body`'s other parameters as its own. `route` is the rest of the router's arguments
    (response, auth, ...), the same for both."""

    def declare(body: B) -> B:
        _declare_twins(router, method, path, body, woman, child, route)
        return body

    return declare


def _declare_twins(
    router: Router,
    method: str,
    path: str,
    body: Callable[..., Any],
    woman: Twin,
    child: Twin,
    route: dict[str, Any],
) -> None:
    hints = typing.get_type_hints(body, include_extras=True)
    taken = list(inspect.signature(body).parameters.values())[3:]  # after request, woman, child
    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        inspect.Parameter("reference", inspect.Parameter.KEYWORD_ONLY, annotation=PathReference),
        *(
            parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=hints[parameter.name])
            for parameter in taken
        ),
    ]
    subjects: tuple[tuple[str, Callable[[User, str], tuple[Woman, Child | None]], Twin], ...] = (
        ("women", her_records, woman),
        ("children", child_records, child),
    )
    for plural, records, twin in subjects:
        operation = _twin_operation(body, records)
        # ninja reads the parameters, the description and the operation id from the function.
        operation.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        operation.__name__ = operation.__qualname__ = twin.name
        operation.__module__ = body.__module__
        operation.__doc__ = twin.description
        router.api_operation(
            [method],
            f"/{plural}/{{reference}}/{path}",
            url_name=twin.url_name or twin.name,
            summary=twin.summary,
            **route,
        )(operation)


def _twin_operation(
    body: Callable[..., Any], records: Callable[[User, str], tuple[Woman, Child | None]]
) -> Callable[..., Any]:
    def operation(request: AuthenticatedRequest, *, reference: str, **taken: Any) -> Any:
        return body(request, *records(request.user, reference), **taken)

    return operation
