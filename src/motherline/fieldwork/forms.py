"""Forms of field work, each derived from its action's one declaration (`fieldwork.actions`,
the API's request body) by `core.actions.form_for`; the records a page offers come when it
makes the form (`options`). They parse what the user typed; the checks that decide whether
a record may be written live in `fieldwork.rules` and run in `fieldwork.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motherline.core.actions import form_for
from motherline.core.forms import version_field
from motherline.fieldwork import services
from motherline.fieldwork.actions import (
    ActionIn,
    CaseStudyIn,
    ContactIn,
    DoneIn,
    IncidentChangesIn,
    IncidentIn,
    ParticipantsIO,
    RecordVisit,
    StepIn,
    TrainingIn,
)
from motherline.fieldwork.models import AccessIncident, PrisonVisit
from motherline.jurisdictions.local import language_label

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


DoneForm = form_for(DoneIn, labels={"done_on": _("Done on")})


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


class ParticipantsForm(
    form_for(  # type: ignore[misc]
        ParticipantsIO,
        labels={"institution": _("Institution"), "women": _("Women"), "men": _("Men")},
    )
):
    """A row of participants (`actions.ParticipantsIO`) in the session's table: a row left
    empty is none, so no cell of it is required."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def row(self) -> tuple[str, int, int] | None:
        data = self.cleaned_data
        if not data.get("institution") and not data.get("women") and not data.get("men"):
            return None
        return (data.get("institution") or "", data.get("women") or 0, data.get("men") or 0)


ParticipantsFormSet = forms.formset_factory(ParticipantsForm, extra=4, max_num=30)


class TagsField(forms.CharField):
    """Tags typed in one box, separated by commas (a tag may be a few words); the schema
    bounds each and their number."""

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [tag.strip() for tag in text.split(",") if tag.strip()]

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value


class CaseTextForm(
    form_for(  # type: ignore[misc]
        CaseStudyIn,
        labels={
            "title_en": _("Title (English)"),
            "narrative_en": _("Narrative (English)"),
            "title_local": _("Title (local language)"),
            "narrative_local": _("Narrative (local language)"),
        },
        # The woman it is drafted from is the page's (`?woman=`).
        exclude=("tags", "woman"),
        rows={"narrative_en": 8, "narrative_local": 8},
    )
):
    """A case study's texts (`actions.CaseStudyIn`) in English and the local language."""

    tags = TagsField(label=_("Tags"), required=False, help_text=_("Separated by commas."))

    def __init__(self, *args: Any, language: str = "", **kwargs: Any) -> None:
        """`language`: the local language of the story's jurisdiction, named in the labels."""
        super().__init__(*args, **kwargs)
        if language:
            named = {"language": language_label(language)}
            self.fields["title_local"].label = _("Title (%(language)s)") % named
            self.fields["narrative_local"].label = _("Narrative (%(language)s)") % named

    def text(self) -> services.CaseText:
        """The texts as the service takes them, checked by the schema as the API's are."""
        typed = self.action_input()
        return services.CaseText(**typed.model_dump(exclude={"woman"}))


class EditCaseTextForm(CaseTextForm):
    """The text of a case study being corrected: it says the version it was read at."""

    version = version_field()


# A step of a case study's workflow (a button) says the version the page was read at; the
# consent step also when, by whom and for what consent was given.
CONSENT = ("consent_on", "consent_given_by", "consent_use")
StepForm = form_for(StepIn, exclude=CONSENT)
ConsentForm = form_for(
    StepIn,
    labels={
        "consent_on": _("Consent given on"),
        "consent_given_by": _("Consent given by"),
        "consent_use": _("Consent for"),
    },
    help_texts={"consent_given_by": _("The woman herself, or who.")},
    required=CONSENT,
)


ContactForm = form_for(
    ContactIn,
    labels={"name": _("Name"), "position": _("Position"), "email": _("E-mail address")},
)
# An address is typed in an e-mail box (the keyboard of a phone has its @); the service
# checks that it is one.
_email = ContactForm.base_fields["email"]
_email.widget = forms.EmailInput(attrs=_email.widget.attrs)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Submissions of"),
        choices=[("visits", _("Prison visits")), ("services", _("Services delivered"))],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("Export file"), help_text=_("CSV or XLSX, as ODK Central or KoBoToolbox export it.")
    )
