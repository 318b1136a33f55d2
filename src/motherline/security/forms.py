"""Forms of the security pages: the audit search and the second factor's code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from motherline.accounts.models import AuditAction
from motherline.core.forms import DayMonthYearInput
from motherline.security.queries import AuditFilters

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class AuditSearchForm(forms.Form):
    """The audit search's filters, read from the query string. An invalid value is shown
    beside its field and does not filter."""

    user = forms.CharField(label=_("User name"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any")), *list(AuditAction.choices)]
    )
    object_type = forms.CharField(
        label=_("Record type"),
        required=False,
        max_length=64,
        help_text=_("For example people.Woman"),
    )
    object_ref = forms.CharField(label=_("Record reference"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=DayMonthYearInput(),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=DayMonthYearInput(),
    )
    ip_address = forms.GenericIPAddressField(label=_("IP address"), required=False)
    after = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    size = forms.IntegerField(required=False, min_value=1, max_value=500, widget=forms.HiddenInput)

    def _value(self, name: str) -> Any:
        self.is_valid()
        return self.cleaned_data.get(name) if name not in self.errors else None

    def filters(self) -> AuditFilters:
        return AuditFilters(
            user=(self._value("user") or "").strip(),
            action=self._value("action") or "",
            object_type=(self._value("object_type") or "").strip(),
            object_ref=(self._value("object_ref") or "").strip(),
            date_from=self._value("date_from"),
            date_to=self._value("date_to"),
            ip_address=self._value("ip_address") or "",
        )

    def cursor(self) -> int | None:
        return self._value("after")

    def page_size(self) -> int:
        return self._value("size") or settings.MOTHERLINE_PAGE_SIZE


class TokenForm(forms.Form):
    """The six digits an authenticator app shows."""

    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=6,
        min_length=6,
        validators=[RegexValidator(r"^[0-9]{6}$", _("Enter the six digits the app shows."))],
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        return self.cleaned_data["token"].strip()
