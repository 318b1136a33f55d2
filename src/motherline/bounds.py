"""Bounds an entered value keeps, whether it comes from a form, the API or an imported file.

The form's field is the one declaration: an importer cleans a cell with the same field (its
type, its length, its NUL refusal, its bounds) and then the model field's validators (the
database's range for an integer, the column's length for text), so a file cannot store what
the page would refuse, nor what PostgreSQL would refuse with a server error.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _

# No date a person enters about these records is older (a jurisdiction may later set its own).
DATE_FLOOR = date(1900, 1, 1)


def not_before_floor(value: date | None) -> None:
    """A form field validator: a date before 1900 is a typing slip, not a record."""
    if value is not None and value < DATE_FLOOR:
        raise ValidationError(
            _("A date before %(floor)s is not plausible: check the year.")
            % {"floor": DATE_FLOOR.isoformat()},
            code="date_floor",
        )


def integer_range(model_field: Any) -> tuple[int | None, int | None]:
    """The range an integer field holds on every database Motherline runs on: Django's
    portable ranges (PostgreSQL's), not SQLite's 64 bits, so that what one database accepts
    another restores."""
    return BaseDatabaseOperations.integer_field_ranges.get(
        model_field.get_internal_type(), (None, None)
    )


def clean_value(form_field: forms.Field, raw: Any, model_field: models.Field | None = None) -> Any:
    """A raw value through the web form's field, then the model field's own validators and
    its portable integer range; raises ValidationError with the form's messages."""
    value = form_field.clean(raw)
    if model_field is not None and value not in form_field.empty_values:
        check_model_value(model_field, value)
    return value


def check_model_value(model_field: Any, value: Any) -> None:
    """The model field's validators and portable integer range (a Django model Field)."""
    model_field.run_validators(value)
    if isinstance(value, int):
        low, high = integer_range(model_field)
        if low is not None:
            MinValueValidator(low)(value)
        if high is not None:
            MaxValueValidator(high)(value)
