"""Putting a service's errors on a form: the one bridge between the actions layer and the
pages."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _


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
