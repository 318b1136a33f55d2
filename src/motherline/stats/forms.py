from __future__ import annotations

from datetime import date

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motherline.core.forms import DayMonthYearInput, field_of
from motherline.jurisdictions import local
from motherline.places.models import Prison, Province
from motherline.stats import queries, rules
from motherline.stats.labels import INDICATOR_LABELS, SOURCE_LABELS
from motherline.stats.models import ReturnSource

PERIODS = [("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year"))]


class StatisticsForm(forms.Form):
    indicator = forms.ChoiceField(
        label=_("Indicator"), choices=[(k, INDICATOR_LABELS[k]) for k in rules.INDICATORS]
    )
    area = forms.ChoiceField(label=_("Area"))
    start = forms.DateField(label=_("From"), widget=DayMonthYearInput())
    end = forms.DateField(label=_("Until"), widget=DayMonthYearInput())
    period = forms.ChoiceField(label=_("By"), choices=PERIODS)
    source = forms.ChoiceField(label=_("Counted from"), choices=list(SOURCE_LABELS.items()))

    def __init__(self, data: QueryDict | None = None, *, jurisdiction: str = "") -> None:
        """Areas of `jurisdiction` (the user's; the deployment's default if none)."""
        jurisdiction = jurisdiction or local.default_code()
        today = timezone.localdate()
        initial = {
            "indicator": "women",
            "area": f"nation:{jurisdiction}",
            "start": date(2008, 1, 1),
            "end": today,
            "period": "year",
            "source": queries.RETURNS,
        }
        super().__init__({**initial, **(data.dict() if data else {})})
        areas: list[tuple[str, str]] = [(f"nation:{jurisdiction}", str(_("The whole country")))]
        provinces = Province.objects.filter(jurisdiction__code=jurisdiction)
        areas += [(f"province:{p.code}", str(p.display_name)) for p in provinces]
        prisons = Prison.objects.filter(province__jurisdiction__code=jurisdiction)
        areas += [(f"prison:{p.code}", str(p.display_name)) for p in prisons.order_by("name")]
        field_of(self, "area", forms.ChoiceField).choices = areas

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end is before the start."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX, as the template)"))
    source = forms.ChoiceField(
        label=_("Source of the returns"),
        required=False,
        choices=[("", _("Named on each row of the file (its source column)"))]
        + [(v, label) for v, label in ReturnSource.choices if v != ReturnSource.SYNTHETIC],
    )
