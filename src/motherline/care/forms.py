"""The forms of a transition plan. A form checks types and required fields; `care.services`
checks the rest and its errors are put beside their fields with
`people.forms.add_service_errors`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motherline.care import rules
from motherline.care.models import CloseReason, FollowUpOutcome, PlanStatus, TransitionPlan
from motherline.people.forms import (
    OUTSIDE_CAREGIVERS,
    date_field,
    note_field,
    text_field,
    version_field,
)

SUITABLE_CHOICES = [
    ("yes", _("Yes, the child can live there")),
    ("no", _("No, another caregiver is needed")),
]


def _suitable(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def caregiver_fields() -> dict[str, forms.Field]:
    return {
        "caregiver_name": text_field(
            _("Caregiver's name"),
            200,
            help_text=_("The person, or the centre or institution, who will look after the child."),
        ),
        "caregiver_relationship": forms.ChoiceField(
            label=_("Caregiver's relationship to the child"),
            choices=[("", "---------"), *OUTSIDE_CAREGIVERS],
            required=False,
        ),
        "caregiver_location": text_field(
            _("Where the caregiver lives"),
            255,
            help_text=_("Village, commune, district, province."),
        ),
        "caregiver_contact": text_field(
            _("Caregiver's contact"),
            120,
            help_text=_("A phone number. Give this or where the caregiver lives, or both."),
        ),
    }


def assessment_fields() -> dict[str, forms.Field]:
    return {
        "assessed_on": date_field(_("Date of the home assessment"), required=False),
        "home_is_suitable": forms.TypedChoiceField(
            label=_("Is the home suitable for the child?"),
            choices=SUITABLE_CHOICES,
            coerce=_suitable,
            empty_value=None,
            required=False,
            widget=forms.RadioSelect,
        ),
        "assessment_notes": note_field(_("What the assessment found")),
    }


def support_fields() -> dict[str, forms.Field]:
    return {
        "support_money": forms.BooleanField(label=_("Financial support"), required=False),
        "support_schooling": forms.BooleanField(label=_("Schooling"), required=False),
        "support_health": forms.BooleanField(label=_("Health care"), required=False),
        "support_notes": note_field(_("What was agreed")),
        "handover_planned_on": date_field(_("Planned handover date"), required=False),
    }


class PlanFieldsForm(forms.Form):
    """A form whose fields are chosen for one plan at one step."""

    version = version_field()

    def __init__(self, *args: Any, fields: dict[str, forms.Field], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(fields)

    def values(self) -> dict[str, Any]:
        """The plan's fields as the service takes them (no version)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


def plan_initial(plan: TransitionPlan, names: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": plan.version}
    for name in names:
        value = getattr(plan, name)
        if name == "home_is_suitable":
            value = {True: "yes", False: "no"}.get(value)
        initial[name] = value
    return initial


def edit_fields(plan: TransitionPlan) -> dict[str, forms.Field]:
    """What may be corrected at the plan's step: the caregiver until the handover (after it,
    where they live and how to reach them), the assessment while it is the last step, and the
    support agreed."""
    fields = caregiver_fields()
    if rules.STEPS.index(plan.status) >= rules.STEPS.index(rules.HANDED_OVER):
        del fields["caregiver_name"], fields["caregiver_relationship"]
    if plan.status == PlanStatus.ASSESSED:
        fields.update(assessment_fields())
    else:
        fields["assessment_notes"] = assessment_fields()["assessment_notes"]
    fields.update(support_fields())
    return fields


def step_fields(plan: TransitionPlan, step: str) -> dict[str, forms.Field]:
    """What the form for moving `plan` to `step` asks."""
    if step == rules.CAREGIVER_IDENTIFIED:
        return caregiver_fields()
    if step == rules.ASSESSED:
        return {**assessment_fields(), **support_fields()}
    if step == rules.HANDED_OVER:
        return {"handed_over_on": date_field(_("Date the child was handed over"))}
    return {}


def close_fields(plan: TransitionPlan) -> dict[str, forms.Field]:
    """Closing: after the follow-ups for any reason, before them only when the child left
    with the mother or no longer needs a plan."""
    choices = [
        (value, label)
        for value, label in CloseReason.choices
        if plan.status == PlanStatus.FOLLOWED_UP or value in rules.CLOSE_ANY_TIME
    ]
    return {
        "close_reason": forms.ChoiceField(
            label=_("Why is the plan closed?"), choices=choices, widget=forms.RadioSelect
        ),
        "closed_on": date_field(_("Closed on"), required=False, help_text=_("Empty for today.")),
    }


class FollowUpForm(forms.Form):
    done_on = date_field(_("Date of the visit"))
    outcome = forms.ChoiceField(
        label=_("How was the child?"), choices=FollowUpOutcome.choices, widget=forms.RadioSelect
    )
    notes = note_field(_("Notes"))
    version = version_field()


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the plan reopened?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept on the audit trail."),
    )
    version = version_field()


class ExtensionForm(forms.Form):
    months = forms.IntegerField(label=_("Extra months"), min_value=1, max_value=120)
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    approved_by = text_field(
        _("Approved by"),
        200,
        required=True,
        help_text=_("The authority that approved it, e.g. the prison director or a court."),
    )
    approved_on = date_field(_("Approved on"))
