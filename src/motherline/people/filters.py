"""The filters of the women list, parsed from the query string by a form so that a bad value
shows a message beside its field instead of an error page."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from motherline.people.models import LegalStatus
from motherline.people.queries import WomanFilters
from motherline.places.models import Prison, Province

MIN_PAGE_SIZE = 10
MAX_PAGE_SIZE = 200

YES_NO_ANY = [("", _("Any")), ("1", _("Yes")), ("0", _("No"))]
CUSTODY_CHOICES = [("", _("Any")), ("1", _("In custody")), ("0", _("Released"))]


def _yes_no(value: str | None) -> bool | None:
    if value in ("", None):
        return None
    return value == "1"


class PlaceFilterForm(forms.Form):
    """A list's filters that narrow it to a prison or a province: the form offers the places
    the user may choose (`prisons`, `provinces`), after "All". The form declares its
    `prison` and `province` fields where its page shows them."""

    def __init__(
        self, data: Any, *, prisons: list[Prison], provinces: list[Province], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        cast(forms.ChoiceField, self.fields["prison"]).choices = [("", _("All prisons"))] + [
            (p.code, p.display_name) for p in prisons
        ]
        cast(forms.ChoiceField, self.fields["province"]).choices = [("", _("All provinces"))] + [
            (p.code, p.display_name) for p in provinces
        ]


class WomanFilterForm(PlaceFilterForm):
    q = forms.CharField(
        label=_("Name or prison register number"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    prison = forms.ChoiceField(label=_("Prison"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    legal_status = forms.ChoiceField(
        label=_("Legal status"),
        required=False,
        choices=[("", _("Any")), *LegalStatus.choices],
    )
    pregnant = forms.ChoiceField(label=_("Pregnant"), required=False, choices=YES_NO_ANY)
    child_in_prison = forms.ChoiceField(
        label=_("Child living in prison"), required=False, choices=YES_NO_ANY
    )
    pretrial_days_over = forms.IntegerField(
        label=_("In pretrial detention for more than (days)"),
        required=False,
        min_value=0,
        max_value=36500,
    )
    in_custody = forms.ChoiceField(label=_("Custody"), required=False, choices=CUSTODY_CHOICES)
    size = forms.IntegerField(
        label=_("Rows per page"),
        required=False,
        min_value=MIN_PAGE_SIZE,
        max_value=MAX_PAGE_SIZE,
    )
    after = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    sort = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[
            ("", _("Newest record first")),
            ("name", _("Name, A to Z")),
            ("-name", _("Name, Z to A")),
            ("admitted", _("Admission date, earliest first")),
            ("-admitted", _("Admission date, latest first")),
            ("prison", _("Prison")),
            ("pretrial", _("Longest in pretrial detention first")),
        ],
    )
    page = forms.IntegerField(
        required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput
    )

    def _value(self, name: str) -> Any:
        # Only valid fields reach cleaned_data; an invalid one is shown and left out.
        return self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None

    def filters(self) -> WomanFilters:
        """The valid filters as the query layer takes them."""
        self.is_valid()
        return WomanFilters(
            prison=self._value("prison") or "",
            province=self._value("province") or "",
            legal_status=self._value("legal_status") or "",
            pregnant=_yes_no(self._value("pregnant")),
            child_in_prison=_yes_no(self._value("child_in_prison")),
            pretrial_days_over=self._value("pretrial_days_over"),
            in_custody=_yes_no(self._value("in_custody")),
            q=(self._value("q") or "").strip(),
        )

    def page_size(self) -> int:
        self.is_valid()
        return self._value("size") or settings.MOTHERLINE_PAGE_SIZE

    def cursor(self) -> int | None:
        self.is_valid()
        return self._value("after")

    def order(self) -> str:
        self.is_valid()
        return self._value("sort") or ""

    def page_number(self) -> int:
        self.is_valid()
        return self._value("page") or 1
