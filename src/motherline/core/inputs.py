"""The bounds every action's input shares, for the schemas of every app (and so for the API
and the forms derived from them): the largest integer a column holds, a note's length, the
version a change was read at."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from ninja import Field
from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError

# The largest value an integer column holds on every database we support (PostgreSQL's
# integer); a record's identifier or version is never larger.
INT_MAX = 2_147_483_647
# Free text about a person or a visit: plenty, and bounded.
NOTE_MAX = 20_000
# A list sent in one request (offences, children, women put forward, topics): bounded too.
LIST_MAX = 100

Note = Annotated[str, StringConstraints(max_length=NOTE_MAX)]
Version = Annotated[
    int,
    Field(
        ge=1,
        le=INT_MAX,
        description="The version last read; required: a change made since then is refused "
        "with HTTP 409.",
    ),
]

# Corrections: only the fields sent are changed (a null clears a field that may be empty).
T = TypeVar("T")


def _not_null(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError("not_null", "This field cannot be null.")
    return value


# A field that may be left out of a correction but has no empty value to send as null.
Sent = Annotated[T | None, AfterValidator(_not_null)]


def max_length_of(model: type[models.Model], name: str) -> int:
    """The length a model's text column holds: an input of it is refused beyond that."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.max_length is not None
    return int(field.max_length)


R = TypeVar("R", bound=models.Model)


def named(found: models.QuerySet[R], field: str, message: Any) -> R:
    """The record of `found` that an action's input names in `field` (by its code, name or
    id); none is that field's error, `message` (422 in the API, beside the field on a
    page)."""
    record = found.first()
    if record is None:
        raise ValidationError({field: [message]})
    return record
