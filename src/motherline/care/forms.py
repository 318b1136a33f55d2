"""The forms of a transition plan. A form checks types and required fields; `care.services`
checks the rest and its errors are put beside their fields with
`people.forms.add_service_errors`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motherline.care import actions, rules
from motherline.care.models import (
    BestInterestsAssessment,
    Caregiver,
    CloseReason,
    FollowUp,
    PlanStatus,
    TransitionPlan,
)
from motherline.core.actions import form_for
from motherline.core.inputs import NOTE_MAX
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


class CaregiverRecordField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


def record_field(plan: TransitionPlan) -> dict[str, forms.Field]:
    """The choice of the caregiver's record among the child's, where the child has any: the
    record then stands for the typed name, relationship and address."""
    caregivers = Caregiver.objects.filter(links__child_id=plan.child_id).order_by("id")
    if not caregivers.exists():
        return {}
    return {
        "caregiver": CaregiverRecordField(
            queryset=caregivers,
            required=False,
            label=_("Caregiver's record"),
            empty_label="—",
            help_text=_(
                "The caregiver recorded for the child: the record's name, relationship and "
                "address stand for the fields below, which may then stay empty."
            ),
        )
    }


def edit_fields(plan: TransitionPlan) -> dict[str, forms.Field]:
    """What may be corrected at the plan's step: the caregiver until the handover (after it,
    where they live and how to reach them), the assessment while it is the last step, and the
    support agreed."""
    fields = {**record_field(plan), **caregiver_fields()}
    if rules.STEPS.index(plan.status) >= rules.STEPS.index(rules.HANDED_OVER):
        fields.pop("caregiver", None)
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
        return {**record_field(plan), **caregiver_fields()}
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


# Reopening a plan and an extension of a child's stay: derived from the API's bodies.
ReopenForm = form_for(
    actions.ReopenIn,
    labels={"reason": _("Why is the plan reopened?")},
    help_texts={"reason": _("Kept on the audit trail.")},
    rows={"reason": 3},
)
ExtensionForm = form_for(
    actions.ExtensionIn,
    labels={
        "months": _("Extra months"),
        "reason": _("Reason"),
        "approved_by": _("Approved by"),
        "approved_on": _("Approved on"),
    },
    help_texts={
        "approved_by": _("The authority that approved it, e.g. the prison director or a court.")
    },
    rows={"reason": 3},
)


# The child's family outside: caregivers, best-interests assessments, follow-up visits. The
# fields come from the actions' schemas (`care.actions`); the areas of an address and the
# questions of the pack are added here, from the database.

EMPTY = ("", "—")
PLACE_FIELDS = ("province", "district", "commune")
CAREGIVER_ORDER = ["name", "relationship", *PLACE_FIELDS, "address", "phone"]

CaregiverAddForm = form_for(actions.CaregiverIn, model=Caregiver, exclude=PLACE_FIELDS)
CaregiverCorrectionForm = form_for(
    actions.CaregiverChanges,
    model=Caregiver,
    exclude=PLACE_FIELDS,
    required=("name", "relationship"),
)
CaregiverLinkForm = form_for(actions.CaregiverLinkIn, exclude=("caregiver",))
AssessmentRecordForm = form_for(
    actions.AssessmentIn,
    model=BestInterestsAssessment,
    exclude=("caregiver", "answers"),
    radios=("recommendation",),
)
AssessmentCorrectionForm = form_for(
    actions.AssessmentChanges,
    model=BestInterestsAssessment,
    exclude=("answers",),
    required=("assessed_on", "recommendation"),
    radios=("recommendation",),
)
DecisionForm = form_for(actions.AssessmentDecisionIn)
FollowUpVisitForm = form_for(
    actions.FollowUpIn,
    model=FollowUp,
    exclude=("caregiver_seen",),
    radios=("outcome", "child_situation"),
)


def _by_name(areas: Any) -> list[tuple[str, str]]:
    """(code, name in the page's language) of some areas, sorted by that name."""
    return sorted(((a.code, a.display_name) for a in areas), key=lambda pair: pair[1])


def place_choices(
    jurisdiction: Any, province: str | None, district: str | None
) -> dict[str, list[tuple[str, str]]]:
    """The choices of the three area fields: every province of the jurisdiction; the
    districts of the chosen province; the communes of the chosen district."""
    from motherline.places.models import Commune, District, Province

    provinces = Province.objects.filter(jurisdiction=jurisdiction) if jurisdiction else []
    districts: Any = []
    communes: Any = []
    if province:
        districts = District.objects.filter(
            province__jurisdiction=jurisdiction, province__code=province
        )
    if province and district:
        communes = Commune.objects.filter(
            district__province__jurisdiction=jurisdiction,
            district__province__code=province,
            district__code=district,
        )
    return {
        "province": [EMPTY, *_by_name(provinces)],
        "district": [EMPTY, *_by_name(districts)],
        "commune": [EMPTY, *_by_name(communes)],
    }


PLACE_LABELS = {
    "province": _("Province"),
    "district": _("District"),
    "commune": _("Commune"),
}


def _with_places(
    base: type[forms.Form], jurisdiction: Any, chosen: dict[str, Any]
) -> type[forms.Form]:
    """`base` with the area fields, their choices narrowed by what is chosen."""
    choices = place_choices(jurisdiction, chosen.get("province"), chosen.get("district"))
    fields = {
        name: forms.ChoiceField(label=PLACE_LABELS[name], choices=choices[name], required=False)
        for name in ("province", "district", "commune")
    }
    return type(base.__name__, (base,), fields)


def _chosen(data: Any, initial: dict[str, Any] | None) -> dict[str, Any]:
    source = data if data is not None else (initial or {})
    return {name: source.get(name) or None for name in ("province", "district", "commune")}


def _outside_relationships(field: forms.Field) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = [EMPTY, *OUTSIDE_CAREGIVERS]
    field.label = _("Relationship to the child")


def caregiver_form(
    base: type[forms.Form],
    jurisdiction: Any,
    data: Any = None,
    *,
    initial: dict[str, Any] | None = None,
) -> forms.Form:
    """A caregiver's form (to add one, or to correct one with `base` the correction's form)
    with the area fields for the jurisdiction, narrowed by what `data` (or `initial`)
    chose; `data` None is an unbound form."""
    form_class = _with_places(base, jurisdiction, _chosen(data, initial))
    form = form_class(data, initial=initial)
    form.order_fields(CAREGIVER_ORDER)
    _outside_relationships(form.fields["relationship"])
    form.fields["name"].help_text = _(
        "The person, or the centre or institution, who looks after the child."
    )
    return form


def link_form(caregivers: list[Any], data: Any = None) -> forms.Form:
    """The form linking a caregiver of her other children to this child."""
    fields = {
        "caregiver": forms.TypedChoiceField(
            label=_("Caregiver"), choices=caregiver_choices(caregivers), coerce=int
        )
    }
    form = type("CaregiverLinkForm", (CaregiverLinkForm,), fields)(data)
    form.order_fields(["caregiver", "relationship"])
    _outside_relationships(form.fields["relationship"])
    return form


def caregiver_choices(caregivers: Any) -> list[tuple[str, str]]:
    return [(str(c.pk), c.name) for c in caregivers]


def assessment_form(
    base: type[forms.Form],
    questions: list[Any],
    caregivers: list[Any] | None,
    data: Any = None,
    *,
    initial: dict[str, Any] | None = None,
) -> forms.Form:
    """An assessment's form: `base` (from the action's schema) with one finding and one note
    per question of the pack, and, when `caregivers` are given (a new assessment), the
    choice of the caregiver assessed."""
    from motherline.care.models import Finding

    fields: dict[str, forms.Field] = {}
    if caregivers is not None:
        fields["caregiver"] = forms.TypedChoiceField(
            label=_("Caregiver assessed"),
            choices=caregiver_choices(caregivers),
            coerce=int,
        )
    for question in questions:
        fields[rules.answer_field(question.code)] = forms.ChoiceField(
            label=question.display_text,
            help_text=question.display_hint,
            choices=Finding.choices,
            widget=forms.RadioSelect,
        )
        fields[rules.notes_field(question.code)] = forms.CharField(
            label=_("What was found"),
            required=False,
            max_length=NOTE_MAX,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
    form_class = type(base.__name__, (base,), fields)
    form = form_class(data, initial=initial)
    form.order_fields(["version", "caregiver", "assessed_on", *fields, "recommendation"])
    if "recommendation" in form.fields:
        form.fields["recommendation"].label = _("Recommendation")
    if "reasons" in form.fields:
        form.fields["reasons"].label = _("Reasons for the recommendation")
        form.fields["reasons"].help_text = _(
            "Needed unless the recommendation is to hand over: the support the hand-over "
            "needs, or why not to hand over."
        )
    if "assessed_on" in form.fields:
        form.fields["assessed_on"].label = _("Date of the assessment")
    return form


def answers_of(questions: list[Any], data: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """The answers of a filled-in assessment form, keyed by question code, as the service
    takes them."""
    return {
        q.code: (
            data.get(rules.answer_field(q.code)) or "",
            data.get(rules.notes_field(q.code)) or "",
        )
        for q in questions
    }


def answers_initial(assessment: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for answer in assessment.answers.select_related("question"):
        initial[rules.answer_field(answer.question.code)] = answer.finding
        initial[rules.notes_field(answer.question.code)] = answer.notes
    return initial


def follow_up_form(caregivers: list[Any], data: Any = None, **kwargs: Any) -> forms.Form:
    """The visit's form with the choice of the caregiver met, among the child's."""
    base = FollowUpVisitForm
    fields = {
        "caregiver_seen": forms.TypedChoiceField(
            label=_("Caregiver met"),
            choices=[("", _("No caregiver was met")), *caregiver_choices(caregivers)],
            coerce=int,
            empty_value=None,
            required=False,
        )
    }
    form = type(base.__name__, (base,), fields)(data, **kwargs)
    form.order_fields(["done_on", "outcome", "child_situation", "caregiver_seen", "notes"])
    labels = {
        "done_on": _("Date of the visit"),
        "outcome": _("How was the child?"),
        "child_situation": _("Where does the child live now?"),
        "notes": _("Notes"),
    }
    for name, label in labels.items():
        form.fields[name].label = label
    return form
