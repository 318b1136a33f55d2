"""Forms of grants and service deliveries; the checks live in `grants.rules`."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from motherline.accounts.models import Organisation
from motherline.bounds import not_before_floor
from motherline.core.forms import DayMonthYearInput, field_of, label_records
from motherline.grants.models import QUANTITY_MAX, BudgetLine, Grant, ServiceType
from motherline.jurisdictions.local import language_name
from motherline.people.forms import NOTE_MAX

DATE = DayMonthYearInput()  # dd/mm/yyyy whatever the browser's locale


class GrantForm(forms.Form):
    reference = forms.CharField(label=_("Grant reference"), max_length=64)
    donor = forms.CharField(label=_("Donor"), max_length=200)
    grantees = forms.ModelMultipleChoiceField(
        label=_("Grantee organisations"),
        queryset=Organisation.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="USD")
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    purpose = forms.CharField(
        max_length=NOTE_MAX, label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3})
    )


class BudgetLineForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=16)
    name = forms.CharField(label=_("Budget line"), max_length=200)
    amount = forms.DecimalField(label=_("Budget"), max_digits=14, decimal_places=2, min_value=0)


class ReportForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)
    language = forms.ChoiceField(label=_("Language"), choices=())
    format = forms.ChoiceField(label=_("Format"), choices=[("pdf", "PDF"), ("xlsx", "XLSX")])

    def __init__(self, *args: Any, languages: list[str], **kwargs: Any) -> None:
        """`languages`: those the grant's jurisdiction produces its documents in."""
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["language"])
        field.choices = [(code, language_name(code)) for code in languages]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The period cannot end before it starts."))
        return data


class DeliveryForm(forms.Form):
    woman = forms.CharField(label=_("Woman (reference)"), max_length=16)
    to_woman = forms.BooleanField(label=_("The woman received it"), required=False, initial=True)
    child = forms.CharField(
        label=_("Child (reference)"),
        max_length=16,
        required=False,
        help_text=_("For a service to her child, the child's reference (C-…)."),
    )
    service_type = forms.ChoiceField(label=_("Service"), choices=ServiceType.choices)
    delivered_on = forms.DateField(label=_("Date"), widget=DATE, validators=[not_before_floor])
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=QUANTITY_MAX, initial=1
    )
    cost = forms.DecimalField(label=_("Cost"), max_digits=12, decimal_places=2, min_value=0)
    grant = forms.ModelChoiceField(label=_("Grant"), queryset=Grant.objects.none(), required=False)
    budget_line = forms.ModelChoiceField(
        label=_("Budget line"), queryset=BudgetLine.objects.none(), required=False
    )
    provider = forms.ModelChoiceField(
        label=_("Provider"), queryset=Organisation.objects.order_by("name")
    )
    notes = forms.CharField(
        max_length=NOTE_MAX,
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, grants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "grant", forms.ModelChoiceField).queryset = grants
        budget_line = field_of(self, "budget_line", forms.ModelChoiceField)
        budget_line.queryset = BudgetLine.objects.filter(grant__in=grants).select_related("grant")
        label_records(budget_line, lambda line: f"{line.grant.reference} · {line.code} {line.name}")
