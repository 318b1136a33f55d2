"""Forms of field work. They parse what the user typed; the checks that decide whether a
record may be written live in `fieldwork.rules` and run in `fieldwork.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motherline.core.actions import form_for
from motherline.core.forms import DayMonthYearInput, version_field
from motherline.fieldwork import services
from motherline.fieldwork.actions import (
    ActionIn,
    IncidentChangesIn,
    IncidentIn,
    RecordVisit,
    TrainingIn,
)
from motherline.fieldwork.models import (
    HEADCOUNT_MAX,
    AccessIncident,
    ConsentUse,
    PrisonVisit,
)
from motherline.jurisdictions.local import language_label
from motherline.people.forms import NOTE_MAX

DATE = DayMonthYearInput()  # dd/mm/yyyy whatever the browser's locale


# Recording a visit: the form is derived from the action's one declaration; the prisons
# offered are those of her jurisdiction (`options` when the page makes it).
RecordVisitForm = form_for(
    RecordVisit,
    model=PrisonVisit,
    labels={"women": _("Women seen on the register")},
    help_texts={"women": _("Their references (W-…), separated by spaces or commas. Optional.")},
    chosen_from_records=("prison",),
    group_prefixes={"findings": "finding_"},
    radios=("access",),
)


# A follow-up action of a visit: its owner (by user name) and its finding are chosen from
# the visit's people and findings (`action_options`).
AddActionForm = form_for(
    ActionIn,
    labels={
        "description": _("What is to be done"),
        "owner": _("Owner"),
        "due_date": _("Due"),
        "finding_id": _("Finding"),
    },
    chosen_from_records=("owner", "finding_id"),
    rows={"description": 1},
)


def action_options(visit: PrisonVisit) -> dict[str, list[tuple[Any, str]]]:
    """The owners and findings a follow-up action of this visit may name."""
    return {
        "owner": [
            (u.username, u.get_full_name() or u.username) for u in services.owners_for(visit)
        ],
        "finding_id": [
            (f.pk, f"{f.get_topic_display()}: {f.description[:60]}") for f in visit.findings.all()
        ],
    }


class DoneForm(forms.Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE)


# An access incident: the prisons offered are those of her jurisdiction (`options`); the
# visit it comes from is the page's (`?visit=`), not a field.
IncidentForm = form_for(
    IncidentIn,
    model=AccessIncident,
    labels={"prison": _("Prison")},
    chosen_from_records=("prison",),
    exclude=("visit_id",),
    rows={"what_was_refused": 3, "response": 3},
)
# Its escalation, response and restored access, from the version read.
IncidentUpdateForm = form_for(IncidentChangesIn, model=AccessIncident, rows={"response": 3})


# A training session; its participants are rows of a table below it (`ParticipantsFormSet`).
TrainingForm = form_for(
    TrainingIn,
    labels={
        "audience": _("Audience"),
        "held_on": _("Date"),
        "place": _("Place"),
        "topics": _("Topics"),
        "statistics_used": _("Statistics used"),
        "case_studies_used": _("Case studies used"),
        "notes": _("Notes"),
    },
    exclude=("participants",),
    rows={"statistics_used": 2, "case_studies_used": 2, "notes": 2},
)


class ParticipantsForm(forms.Form):
    institution = forms.CharField(label=_("Institution"), max_length=200, required=False)
    women = forms.IntegerField(
        label=_("Women"), min_value=0, max_value=HEADCOUNT_MAX, required=False
    )
    men = forms.IntegerField(label=_("Men"), min_value=0, max_value=HEADCOUNT_MAX, required=False)

    def row(self) -> tuple[str, int, int] | None:
        data = self.cleaned_data
        if not data.get("institution") and not data.get("women") and not data.get("men"):
            return None
        return (data.get("institution") or "", data.get("women") or 0, data.get("men") or 0)


ParticipantsFormSet = forms.formset_factory(ParticipantsForm, extra=4, max_num=30)


class CaseTextForm(forms.Form):
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    narrative_en = forms.CharField(
        max_length=NOTE_MAX,
        label=_("Narrative (English)"),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    title_local = forms.CharField(label=_("Title (local language)"), max_length=200, required=False)
    narrative_local = forms.CharField(
        max_length=NOTE_MAX,
        label=_("Narrative (local language)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))

    def __init__(self, *args: Any, language: str = "", **kwargs: Any) -> None:
        """`language`: the local language of the story's jurisdiction, named in the labels."""
        super().__init__(*args, **kwargs)
        if language:
            named = {"language": language_label(language)}
            self.fields["title_local"].label = _("Title (%(language)s)") % named
            self.fields["narrative_local"].label = _("Narrative (%(language)s)") % named

    def text(self) -> services.CaseText:
        data = self.cleaned_data
        return services.CaseText(
            title_en=data["title_en"],
            narrative_en=data["narrative_en"],
            title_local=data["title_local"],
            narrative_local=data["narrative_local"],
            tags=[t for t in data["tags"].split(",") if t.strip()],
        )


class EditCaseTextForm(CaseTextForm):
    """The text of a case study being corrected: it says the version it was read at."""

    version = version_field()


class StepForm(forms.Form):
    """A step of a case study's workflow (a button): the version the page was read at."""

    version = version_field()


class ConsentForm(forms.Form):
    consent_on = forms.DateField(label=_("Consent given on"), widget=DATE)
    consent_given_by = forms.CharField(
        label=_("Consent given by"), max_length=200, help_text=_("The woman herself, or who.")
    )
    consent_use = forms.ChoiceField(label=_("Consent for"), choices=ConsentUse.choices)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail address"))


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Submissions of"),
        choices=[("visits", _("Prison visits")), ("services", _("Services delivered"))],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("Export file"), help_text=_("CSV or XLSX, as ODK Central or KoBoToolbox export it.")
    )
