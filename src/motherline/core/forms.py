"""Putting a service's errors on a form: the one bridge between the actions layer and the
pages."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

FieldT = TypeVar("FieldT", bound=forms.Field)


def field_of(form: forms.BaseForm, name: str, kind: type[FieldT]) -> FieldT:
    """The form's field `name`, checked to be a `kind`: to set what only that kind of field
    has (a choice field's choices, a model choice field's records) once the form is made."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{name} is a {type(field).__name__}, not a {kind.__name__}")
    return field


def label_records(field: forms.ModelChoiceField, label: Callable[[Any], str]) -> None:
    """Name each record the field offers by `label` rather than by its `str()`."""
    # What a subclass overriding `label_from_instance` would do, for this one field (often
    # one a ModelForm made); mypy refuses any assignment to a method.
    field.label_from_instance = label  # type: ignore[method-assign, assignment]


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, field_map: Mapping[str, str] | None = None
) -> None:
    """Show a service's `ValidationError` on the form: each message beside its field, and
    messages about the whole record (or a field the form does not have) at the top."""
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        name = field_map.get(key, key)
        if name in form.fields and name != "__all__":
            form.add_error(name, messages)
        else:
            form.add_error(None, messages)


MISSING_VERSION = _(
    "This page did not say which version of the record it changes: open the page again and "
    "make the change there."
)
# The largest version a record can have (PostgreSQL's integer).
VERSION_MAX = 2_147_483_647


def version_field() -> forms.IntegerField:
    """The version of the record the form was loaded with, so a stale save is refused; a
    change that does not say it is refused too (there is no "skip the check")."""
    return forms.IntegerField(
        widget=forms.HiddenInput,
        required=True,
        min_value=1,
        max_value=VERSION_MAX,
        error_messages={"required": MISSING_VERSION, "invalid": MISSING_VERSION},
    )


def posted(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST, else None (an unbound form). Not `request.POST or None`: a
    POST with no fields at all must be judged, and refused, not shown as an empty form."""
    return request.POST if request.method == "POST" else None


def posted_files(request: HttpRequest) -> MultiValueDict | None:
    """The files of a POST, else None."""
    return request.FILES if request.method == "POST" else None


# Dates are typed day/month/year, as they are written in Cambodia, in a text box: the
# browser's date picker follows the browser's locale (mm/dd/yyyy in an en-US browser, where
# 12/02 reads as the 2nd of December) and would disagree with every page that shows dates.
_DAY_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
DATE_PLACEHOLDER = _("dd/mm/yyyy")
DATE_HINT = _("Day, month, year: for example 31/03/2024.")


class DayMonthYearInput(forms.DateInput):
    """A text box for a date as dd/mm/yyyy (ISO yyyy-mm-dd is taken too, as the API and the
    imports write it). What is typed reaches the field as ISO, which every locale's input
    formats parse the same way, so a field using this widget never reads 12/02 as
    December, whatever the language of the page."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={
                "class": "date-input",
                "inputmode": "numeric",
                "autocomplete": "off",
                "maxlength": "10",
                "pattern": r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{1,2}-\d{1,2}",
                "placeholder": DATE_PLACEHOLDER,
                **(attrs or {}),
            },
            format="%d/%m/%Y",
        )

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        if isinstance(value, str) and (found := _DAY_MONTH_YEAR.match(value)):
            day, month, year = found.groups()
            return f"{year}-{int(month):02d}-{int(day):02d}"
        return value

    def format_value(self, value: Any) -> str | None:
        # A form shown again with its errors: the ISO text is shown as it was typed.
        if isinstance(value, str) and (found := _ISO.match(value)):
            year, month, day = found.groups()
            return f"{int(day):02d}/{int(month):02d}/{year}"
        return super().format_value(value)


class DayMonthYearField(forms.DateField):
    """A date field with `DayMonthYearInput` and its hint."""

    widget = DayMonthYearInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", DATE_HINT)
        super().__init__(*args, **kwargs)
