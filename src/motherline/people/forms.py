"""The register's data-entry forms.

A form checks what a form can see (types, required fields, contradictions inside the form)
and hands a clean value to `people.services`, which checks the rest against the record and
raises a `ValidationError` keyed by field; `add_service_errors` puts each message back beside
its field.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel

from motherline.accounts.models import User
from motherline.core.actions import ActionForm, form_for
from motherline.core.forms import (  # noqa: F401 (re-exported for the pages of other apps)
    DATE_HINT,
    MISSING_VERSION,
    VERSION_MAX,
    DayMonthYearInput,
    add_service_errors,
    version_field,
)
from motherline.core.inputs import NOTE_MAX  # noqa: F401 (re-exported)
from motherline.jurisdictions import reference
from motherline.jurisdictions.models import OffenceCategory
from motherline.people import actions, rules, services
from motherline.people.models import (
    CaregiverRelationship,
    ConsentScope,
    CustodyEpisode,
    LegalStatus,
    PregnancyOutcome,
    ReleaseReason,
    Sex,
    Woman,
)
from motherline.people.services import Admission, ChildDetails
from motherline.places.models import Prison

# DD/MM/YYYY is how dates are written in Cambodia (`DayMonthYearInput` hands them on as
# ISO, which the API and the imports use too).
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]

DATE_HELP = DATE_HINT

BANGKOK_RULE_3 = _(
    "Bangkok Rule 3: record every child of a woman at admission, including the children who "
    "do not live in prison with her, with the child's age and, for a child outside, who "
    "looks after the child and where."
)

LIVES_IN_PRISON_CHOICES = [
    ("yes", _("Yes, the child lives in prison with her")),
    ("no", _("No, the child lives outside")),
]

# The mother is the one in prison: "mother (after release)" is set by the release itself.
OUTSIDE_CAREGIVERS = [
    (value, label)
    for value, label in CaregiverRelationship.choices
    if value != CaregiverRelationship.MOTHER
]

CAREGIVER_FIELDS = (
    "caregiver_name",
    "caregiver_relationship",
    "caregiver_location",
    "caregiver_contact",
)


def date_field(label: Any, *, required: bool = True, help_text: Any = DATE_HELP) -> forms.DateField:
    """A date typed as DD/MM/YYYY (or ISO), the same whatever the browser's locale."""
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATE_INPUT_FORMATS,
        widget=DayMonthYearInput(),
    )


def text_field(
    label: Any, max_length: int, *, required: bool = False, **kwargs: Any
) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=required, **kwargs)


# Free text (a note, a narrative, an argument): a page of prose is plenty (`NOTE_MAX`); the
# API and the models take the same limit.
def note_field(label: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def jurisdiction_of(user: User) -> int | None:
    organisation = getattr(user, "organisation", None)
    return organisation.jurisdiction_id if organisation is not None else None


def prisons_for_women(user: User) -> QuerySet[Prison]:
    """Active prisons that hold women, in the user's jurisdiction."""
    jurisdiction_id = jurisdiction_of(user)
    if jurisdiction_id is None:
        return Prison.objects.none()
    return Prison.objects.filter(
        is_active=True, holds_women=True, province__jurisdiction_id=jurisdiction_id
    ).order_by("name")


def offences_for(user: User) -> QuerySet[OffenceCategory]:
    """The offence categories of the user's jurisdiction."""
    return OffenceCategory.objects.filter(jurisdiction_id=jurisdiction_of(user) or 0).order_by(
        "name"
    )


class ChildFields(forms.Form):
    """What is recorded about one child, at admission or later."""

    name = text_field(_("Child's name"), 200)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    date_of_birth = date_field(
        _("Child's date of birth"),
        help_text=_("Estimate it if it is not known, and tick “Date of birth is estimated”."),
    )
    dob_is_estimated = forms.BooleanField(label=_("Date of birth is estimated"), required=False)
    birth_registered = forms.BooleanField(
        label=_("Birth registered"),
        required=False,
        help_text=_("Tick if the child has a birth certificate."),
    )
    living_in_prison = forms.TypedChoiceField(
        label=_("Lives in prison with her"),
        choices=LIVES_IN_PRISON_CHOICES,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    caregiver_name = text_field(_("Caregiver's name"), 200)
    caregiver_relationship = forms.ChoiceField(
        label=_("Caregiver's relationship to the child"),
        choices=[("", "---------"), *OUTSIDE_CAREGIVERS],
        required=False,
    )
    caregiver_location = text_field(
        _("Where the child lives"), 255, help_text=_("Village, commune, district, province.")
    )
    caregiver_contact = text_field(_("Caregiver's contact"), 120, help_text=_("A phone number."))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if cleaned.get("living_in_prison") is True:
            # Keeping caregiver details on a child who lives in prison would contradict the
            # placement; ask rather than drop what was typed.
            for name in CAREGIVER_FIELDS:
                if cleaned.get(name):
                    self.add_error(
                        name,
                        _(
                            "This child lives in prison with her: leave the caregiver's "
                            "details empty, or answer 'No' above."
                        ),
                    )
        return cleaned

    def child_details(self) -> ChildDetails:
        data = self.cleaned_data
        outside = not data["living_in_prison"]
        return ChildDetails(
            date_of_birth=data["date_of_birth"],
            name=data.get("name", ""),
            sex=data.get("sex") or Sex.UNKNOWN,
            dob_is_estimated=data.get("dob_is_estimated", False),
            birth_registered=data.get("birth_registered", False),
            living_in_prison=data["living_in_prison"],
            caregiver_name=data.get("caregiver_name", "") if outside else "",
            caregiver_relationship=data.get("caregiver_relationship", "") if outside else "",
            caregiver_location=data.get("caregiver_location", "") if outside else "",
            caregiver_contact=data.get("caregiver_contact", "") if outside else "",
        )


class ChildAtAdmissionForm(ChildFields):
    """One row of the children recorded at admission."""


class ChildAtReadmissionForm(ChildFields):
    """One row of the children who come in with her at a re-admission: one of her children
    already on the register, or a new one."""

    existing = forms.ChoiceField(label=_("Which child"), required=False)
    field_order = ["existing"]

    def __init__(self, *args: Any, known: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["existing"]).choices = [
            ("", _("A child not yet on her record")),
            *(known or []),
        ]
        # A child on her record already has a date of birth.
        self.fields["date_of_birth"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("existing") and not cleaned.get("date_of_birth"):
            self.add_error(
                "date_of_birth", _("Enter the child's date of birth (estimated if unknown).")
            )
        return cleaned

    def child_details(self) -> ChildDetails:
        existing = self.cleaned_data.get("existing") or ""
        if existing and not self.cleaned_data.get("date_of_birth"):
            # Never read: the service takes the date of birth of the child on her record.
            self.cleaned_data["date_of_birth"] = date.min
        details = super().child_details()
        details.existing = existing
        return details


class BaseChildFormSet(forms.BaseFormSet):
    def filled_forms(self) -> list[ChildAtAdmissionForm]:
        """The rows that describe a child, in order (empty rows are ignored)."""
        return [form for form in self.forms if form.has_changed()]

    def children(self) -> list[ChildDetails]:
        return [form.child_details() for form in self.filled_forms()]


# Three rows for a browser without JavaScript; forms.js shows one and adds more on request.
ChildFormSet = cast(
    type[BaseChildFormSet],
    forms.formset_factory(
        ChildAtAdmissionForm,
        formset=BaseChildFormSet,
        extra=3,
        max_num=30,
        validate_max=True,
    ),
)

CHILDREN_PREFIX = "children"

ReadmissionChildFormSet = cast(
    type[BaseChildFormSet],
    forms.formset_factory(
        ChildAtReadmissionForm,
        formset=BaseChildFormSet,
        extra=3,
        max_num=30,
        validate_max=True,
    ),
)


class UserForm(forms.Form):
    """A form whose choices depend on the user (their jurisdiction, their prison)."""

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user


class WomanFields(UserForm):
    """Who she is, the care of her children, her health and her consent: entered at
    admission, corrected later."""

    name = text_field(_("Name"), 200, required=True, help_text=_("As written in her documents."))
    name_latin = text_field(
        _("Name in Latin script"), 200, help_text=_("So that the name can be searched.")
    )
    register_number = text_field(_("Prison register number"), 64)
    date_of_birth = date_field(_("Date of birth"), required=False)
    dob_is_estimated = forms.BooleanField(label=_("Date of birth is estimated"), required=False)
    nationality = forms.ChoiceField(
        label=_("Nationality"), choices=(), required=False, help_text=_("Her country.")
    )
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), choices=(), required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=(),
        required=False,
        help_text=_("The language she speaks best."),
    )

    # Her children and her health
    is_primary_carer = forms.BooleanField(
        label=_("She is the primary carer of her children"), required=False
    )
    is_sole_carer = forms.BooleanField(
        label=_("She is the sole carer of her children"), required=False
    )
    dependent_children = forms.IntegerField(
        label=_("Number of dependent children"),
        min_value=0,
        max_value=30,
        initial=0,
        help_text=_("All her children under 18 who depend on her, wherever they live."),
    )
    has_serious_illness = forms.BooleanField(label=_("Serious illness"), required=False)
    has_disability = forms.BooleanField(label=_("Disability"), required=False)
    health_notes = note_field(_("Health notes"))
    consent_scope = forms.ChoiceField(
        label=_("Her consent"),
        choices=ConsentScope.choices,
        initial=ConsentScope.REGISTER,
        widget=forms.RadioSelect,
        help_text=_("What she agreed to after the register was explained to her."),
    )

    def __init__(self, *args: Any, recorded: Woman | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisation = getattr(self.user, "organisation", None)
        jurisdiction = organisation.jurisdiction if organisation is not None else None
        lists = reference.register_lists(
            jurisdiction.code if jurisdiction else None,
            jurisdiction.local_language if jurisdiction else "",
        )
        blank = [("", "---------")]
        countries = reference.country_choices()
        lists_choices = {
            "ethnicity": [(e.code, e.label()) for e in lists.ethnicities],
            "language": [(e.code, e.label()) for e in lists.languages],
        }
        for name, choices in (("nationality", countries), *lists_choices.items()):
            field = cast(forms.ChoiceField, self.fields[name])
            codes = {code for code, _label in choices}
            # A value recorded before the list existed stays valid on her record.
            kept = getattr(recorded, name, "") if recorded is not None else ""
            extra = [(kept, kept)] if kept and kept not in codes else []
            if not choices:
                self.fields[name] = text_field(field.label, 64, help_text=field.help_text)
                continue
            field.choices = blank + extra + choices

    def clean_nationality(self) -> str:
        return (self.cleaned_data.get("nationality") or "").upper()

    def her_details(self) -> dict[str, Any]:
        """Who she is, as typed, by the names `services.Admission` gives them."""
        return {name: self.cleaned_data[name] for name in WomanFields.base_fields}


class CustodyFields(UserForm):
    """A custody's admission: the prison, the day, her legal status and case, and whether she
    is pregnant. Shared by a first admission and a re-admission."""

    prison = forms.ModelChoiceField(label=_("Prison"), queryset=Prison.objects.none())
    admission_date = date_field(_("Admission date"))
    legal_status = forms.ChoiceField(
        label=_("Legal status"), choices=LegalStatus.choices, initial=LegalStatus.PRETRIAL
    )
    court = text_field(_("Court"), 200)
    case_number = text_field(_("Case number"), 64)
    sentence_months = forms.IntegerField(
        label=_("Sentence in months"),
        required=False,
        min_value=1,
        max_value=1200,
        help_text=_("Required once she is convicted."),
    )
    expected_release_date = date_field(_("Expected release date"), required=False)
    offences = forms.ModelMultipleChoiceField(
        label=_("Offences"),
        queryset=OffenceCategory.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    # Her pregnancy
    is_pregnant = forms.BooleanField(label=_("She is pregnant"), required=False)
    pregnancy_known_since = date_field(
        _("Pregnancy known since"),
        required=False,
        help_text=_("Leave empty if it was known at admission."),
    )
    expected_delivery_date = date_field(_("Expected delivery date"), required=False)
    confirm_warnings = forms.BooleanField(
        label=_("I have checked the values marked as unlikely: they are right."),
        required=False,
    )

    # The service's names for fields that are named differently here.
    SERVICE_FIELDS = {"known_since": "pregnancy_known_since"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.user
        prisons = prisons_for_women(user)
        prison_field = cast(forms.ModelChoiceField, self.fields["prison"])
        if user.prison_id is not None:
            # A prison liaison records admissions into their own prison only.
            prisons = prisons.filter(pk=user.prison_id)
            prison_field.initial = user.prison_id
        prison_field.queryset = prisons
        prison_field.help_text = _("Only active prisons that hold women are listed.")
        cast(forms.ModelMultipleChoiceField, self.fields["offences"]).queryset = offences_for(user)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        if not cleaned.get("is_pregnant"):
            for name in ("pregnancy_known_since", "expected_delivery_date"):
                if cleaned.get(name):
                    self.add_error(
                        name,
                        _("Tick 'She is pregnant', or leave the pregnancy dates empty."),
                    )
        return cleaned

    def custody(self) -> dict[str, Any]:
        """The custody and her pregnancy as typed, by the names `services.Admission` and
        `services.Readmission` share."""
        values = {name: self.cleaned_data[name] for name in CustodyFields.base_fields}
        return values | {"offences": list(values["offences"])}

    def asks_confirmation(self) -> bool:
        """Whether the last answer had warnings to confirm (the box is shown only then)."""
        return self.is_bound and services.CONFIRM_WARNINGS in self.errors


class AdmissionForm(WomanFields, CustodyFields):
    """A woman's admission: who she is, her custody and her pregnancy. Her children are in a
    `ChildFormSet` beside it."""

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        organisation = getattr(user, "organisation", None)
        if organisation is not None and not self.is_bound:
            self.fields["nationality"].initial = organisation.jurisdiction.code[:2]

    def admission(self, organisation_id: int, children: list[ChildDetails]) -> Admission:
        return Admission(
            organisation_id=organisation_id,
            **self.her_details(),
            **self.custody(),
            children=children,
        )


class ReadmissionForm(CustodyFields):
    """A released woman's new custody on her own record (`services.readmit_woman`)."""

    dependent_children = forms.IntegerField(
        label=_("Number of dependent children"),
        min_value=0,
        max_value=30,
        required=False,
        help_text=_("All her children under 18 who depend on her, wherever they live."),
    )
    version = version_field()

    def readmission(self, children: list[ChildDetails]) -> services.Readmission:
        return services.Readmission(
            **self.custody(),
            dependent_children=self.cleaned_data["dependent_children"],
            children=children,
        )


def add_admission_errors(
    form: CustodyFields, children: BaseChildFormSet, error: ValidationError
) -> None:
    """Like `add_service_errors`, with `children.N.field` put on the Nth filled child row."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    rows = children.filled_forms()
    rest: dict[str, list[str]] = {}
    for key, messages in error.message_dict.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == CHILDREN_PREFIX and parts[1].isdigit():
            index, name = int(parts[1]), parts[2]
            if index < len(rows) and name in rows[index].fields:
                rows[index].add_error(name, messages)
                continue
        rest[key] = messages
    if rest:
        add_service_errors(form, ValidationError(rest), CustodyFields.SERVICE_FIELDS)


def add_date_checks(form: CustodyFields, children: BaseChildFormSet, today: date) -> None:
    """When a form's basic errors stop an admission before the service judges it, still
    check the dates that were typed correctly against each other (the service's rules), so
    that every mistake shows at once rather than one round at a time. A field that already
    has an error keeps only that one."""
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    admitted = data.get("admission_date")
    born = data.get("date_of_birth")
    found: dict[str, Any] = {}
    if admitted is not None:
        found.update(rules.admission_errors(born, admitted, today))
    else:
        rules.not_in_future("date_of_birth", born, today, found)
    release = data.get("expected_release_date")
    if release is not None and admitted is not None and release < admitted:
        found["expected_release_date"] = services.RELEASE_BEFORE_ADMISSION
    if data.get("is_pregnant"):
        known = data.get("pregnancy_known_since") or admitted
        if known is not None:
            pregnancy = rules.pregnancy_errors(
                known, data.get("expected_delivery_date"), False, today
            )
            if "known_since" in pregnancy:
                pregnancy["pregnancy_known_since"] = pregnancy.pop("known_since")
            found.update(pregnancy)
    for name, message in found.items():
        if name in form.fields and name not in form.errors:
            form.add_error(name, message)
    for row in children.filled_forms():
        row_data = row.cleaned_data if hasattr(row, "cleaned_data") else {}
        child_born = row_data.get("date_of_birth")
        if child_born is None or "date_of_birth" in row.errors:
            continue
        mother_born = born if "date_of_birth" not in form.errors else None
        child: dict[str, Any] = dict(rules.child_birth_errors(mother_born, child_born, today))
        born_inside = admitted is not None and child_born > admitted
        if not child and born_inside and row_data.get("living_in_prison"):
            child = {"date_of_birth": services.BORN_AFTER_ADMISSION}
        for name, message in child.items():
            row.add_error(name, message)


# The register's fields are named alike on every page that asks for them (`register_form`).
LABELS = {
    "to_prison": _("To prison"),
    "transfer_date": _("Transfer date"),
    "reason": _("Reason"),
    "status": _("New legal status"),
    "effective_date": _("Effective date"),
    "sentence_months": _("Sentence in months"),
    "expected_release_date": _("Expected release date"),
    "note": _("Note"),
    "release_date": _("Release date"),
    "known_since": _("Pregnancy known since"),
    "expected_delivery_date": _("Expected delivery date"),
    "antenatal_care_contacts": _("Antenatal care contacts so far"),
    "outcome": _("Outcome"),
    "outcome_date": _("Date"),
    "child_name": _("Child's name"),
    "child_sex": _("Child's sex"),
    "move_date": _("Date the child left prison"),
    "caregiver_relationship": _("Caregiver's relationship to the child"),
    "caregiver_name": _("Caregiver's name"),
    "caregiver_location": _("Where the child lives"),
    "caregiver_contact": _("Caregiver's contact"),
    "court": _("Court"),
    "case_number": _("Case number"),
    "offences": _("Offences"),
    "name": _("Child's name"),
    "name_latin": _("Name in Latin script"),
    "sex": _("Sex"),
    "date_of_birth": _("Child's date of birth"),
    "dob_is_estimated": _("Date of birth is estimated"),
    "born_in_custody": _("Born in custody"),
    "birth_registered": _("Birth registered"),
    "birth_registered_on": _("Date of registration"),
    "birth_certificate_number": _("Birth certificate number"),
}
DATES = (
    "transfer_date",
    "effective_date",
    "expected_release_date",
    "release_date",
    "known_since",
    "expected_delivery_date",
    "move_date",
    "date_of_birth",
    "birth_registered_on",
)
HELP = dict.fromkeys(DATES, DATE_HELP) | {
    "sentence_months": _("Required once she is convicted."),
    "outcome_date": _("The date of the birth or of the loss."),
    "child_name": _("If the child has a name yet."),
    "caregiver_name": _("Required unless the child goes to an NGO centre or a state institution."),
    "caregiver_location": _("Village, commune, district, province."),
    "caregiver_contact": _("A phone number."),
}
Input = TypeVar("Input", bound=BaseModel)


def register_form(
    schema: type[Input],
    *,
    labels: dict[str, Any] | None = None,
    help_texts: dict[str, Any] | None = None,
    **options: Any,
) -> type[ActionForm[Input]]:
    """`form_for` with the register's labels and help (`labels`, `help_texts` name what a
    page says otherwise), and a note in a box of three lines."""
    return form_for(
        schema,
        labels=LABELS | (labels or {}),
        help_texts=HELP | (help_texts or {}),
        rows={"note": 3} | options.pop("rows", {}),
        **options,
    )


# A transfer's form is derived from its action (`people.actions.TransferIn`, the API's
# body); the prisons offered come when the page makes it (`transfer_options`).
TransferForm = register_form(
    actions.TransferIn,
    help_texts={"to_prison": _("Only active prisons that hold women are listed.")},
    chosen_from_records=("to_prison",),
)


def transfer_options(user: User, current_prison: Prison | None) -> dict[str, list[Any]]:
    """The prisons a woman may be moved to: those of the user's jurisdiction that hold
    women, but hers; none is chosen until the user picks one."""
    prisons = prisons_for_women(user)
    if current_prison is not None:
        prisons = prisons.exclude(pk=current_prison.pk)
    return {"to_prison": [("", "---------"), *((p.code, str(p)) for p in prisons)]}


def at_least(form_class: type[forms.Form], name: str, low: int) -> None:
    """The page refuses a number below `low` that the API's schema lets through (a sentence
    of 0 months): the form's field gets the bound, its message and its box's `min`."""
    field = form_class.base_fields[name]
    assert isinstance(field, forms.IntegerField), name
    field.min_value = low
    field.validators.append(MinValueValidator(low))
    field.widget.attrs["min"] = low


def choose_first(form_class: type[forms.Form], name: str, choices: list[Any]) -> None:
    """A list whose value the user must pick herself: it opens on "---------", not on its
    first choice (a release's reason is never assumed)."""
    field = form_class.base_fields[name]
    assert isinstance(field, forms.ChoiceField), name
    field.choices = [("", "---------"), *choices]


# A change of legal status and a release are derived from their actions
# (`people.actions`, the API's bodies).
LegalStatusForm = register_form(
    actions.LegalStatusIn,
    help_texts={"sentence_months": _("Required once she is convicted, unless already recorded.")},
)
LegalStatusForm.field_order = [
    "status",
    "effective_date",
    "sentence_months",
    "expected_release_date",
    "note",
]
at_least(LegalStatusForm, "sentence_months", 1)

ReleaseForm = register_form(actions.ReleaseIn)
choose_first(ReleaseForm, "reason", ReleaseReason.choices)


# A pregnancy and its outcome are derived from their actions (`people.actions`, the API's
# bodies). The page asks for the contacts so far (0 is typed for her), and a child's sex
# is picked, "Not recorded" at first.
PregnancyForm = register_form(actions.PregnancyIn, required=("antenatal_care_contacts",))
PregnancyForm.base_fields["antenatal_care_contacts"].initial = 0


def _no_child_of_a_loss(form: forms.Form) -> dict[str, Any]:
    # The page refuses a name typed for a loss; the API's body, which has no one to ask,
    # records the loss and no child.
    cleaned = forms.Form.clean(form) or form.cleaned_data
    if cleaned.get("outcome") == PregnancyOutcome.LOSS and cleaned.get("child_name"):
        form.add_error("child_name", _("A pregnancy loss records no child: leave the name empty."))
    return cleaned


PregnancyOutcomeForm = cast(
    type[ActionForm[actions.PregnancyOutcomeIn]],
    type(
        "PregnancyOutcomeForm",
        (register_form(actions.PregnancyOutcomeIn, required=("child_sex",)),),
        {"clean": _no_child_of_a_loss},
    ),
)
choose_first(PregnancyOutcomeForm, "outcome", PregnancyOutcome.choices)
PregnancyOutcomeForm.base_fields["child_sex"].initial = Sex.UNKNOWN


class ChildForm(ChildFields):
    """A child learnt of after her admission."""

    since = date_field(
        _("Since"),
        required=False,
        help_text=_(
            "Since when the child lives where you said (leave empty for today). "
            "Day, month, year: for example 31/03/2024."
        ),
    )

    def since_date(self) -> date | None:
        return self.cleaned_data.get("since")


# A child's move out of prison is derived from its action (`people.actions.MoveOutIn`, the
# API's body); the page asks who looks after the child now, among those outside.
MoveChildOutForm = register_form(actions.MoveOutIn, required=("caregiver_relationship",))
choose_first(MoveChildOutForm, "caregiver_relationship", OUTSIDE_CAREGIVERS)


class WomanForm(WomanFields):
    """A correction of who she is (`services.update_woman`)."""

    version = version_field()

    @classmethod
    def initial_for(cls, woman: Woman) -> dict[str, Any]:
        return {name: getattr(woman, name) for name in services.WOMAN_CORRECTABLE} | {
            "version": woman.version
        }

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in services.WOMAN_CORRECTABLE}


# A correction of a custody is derived from its action (`people.actions.EpisodeChangesIn`,
# the API's PATCH body): the offences of her jurisdiction are offered by their codes.
EpisodeForm = register_form(actions.EpisodeChangesIn, chosen_from_records=("offences",))
at_least(EpisodeForm, "sentence_months", 1)


def episode_options(user: User) -> dict[str, list[tuple[str, str]]]:
    return {"offences": [(o.code, str(o)) for o in offences_for(user)]}


def episode_initial(episode: CustodyEpisode) -> dict[str, Any]:
    """The custody as the correction's form shows it, with the version read."""
    shown = services.EPISODE_CORRECTABLE - {"offences"}
    return {name: getattr(episode, name) for name in shown} | {
        "offences": [c.offence_category.code for c in episode.charges.all()],
        "version": episode.version,
    }


def episode_changes(form: forms.Form, user: User) -> dict[str, Any]:
    """What the correction's form sends to `services.update_episode`: every field, the
    offences as their records."""
    changes = {name: value for name, value in form.cleaned_data.items() if name != "version"}
    changes["offences"] = services.offences_coded(user, changes["offences"])
    return changes


# A correction of a child and the registration of her birth are derived from the one
# action that changes a child (`people.actions.ChildChangesIn`, the API's PATCH body): the
# correction shows every field filled in, the registration only its two.
ChildCorrectionForm = register_form(actions.ChildChangesIn, required=("sex", "date_of_birth"))
BIRTH_REGISTRATION = ("birth_registered_on", "birth_certificate_number")
BirthRegistrationForm = register_form(
    actions.ChildChangesIn,
    exclude=sorted(services.CHILD_CORRECTABLE - set(BIRTH_REGISTRATION)),
    required=BIRTH_REGISTRATION,
    help_texts={
        "birth_certificate_number": _("As written on the certificate. It is stored encrypted.")
    },
)


def child_changes(form: forms.Form) -> dict[str, Any]:
    """What a child's page changes: the fields it shows; a registration registers the
    birth."""
    changes = {name: value for name, value in form.cleaned_data.items() if name != "version"}
    if isinstance(form, BirthRegistrationForm):
        changes["birth_registered"] = True
    return changes


def _merged_reference(form: forms.Form) -> str:
    return str(form.cleaned_data["merged"]).strip().upper()


# A merge is derived from its action (`people.actions.MergeIn`, the API's body). The page
# asks twice: the first answer previews the other record and fills in its version, which
# the user does not type, and `confirm`; so those two are the page's own fields.
MergeForm = cast(
    type[ActionForm[actions.MergeIn]],
    type(
        "MergeForm",
        (
            register_form(
                actions.MergeIn,
                exclude=("merged_version",),
                labels={
                    "merged": _("Reference of the other record"),
                    "reason": _("Why these two records are one woman"),
                },
                help_texts={
                    "merged": _("The record to merge into this one, for example W-ABCD2345.")
                },
                rows={"reason": 3},
            ),
        ),
        {
            "merged_version": forms.IntegerField(
                widget=forms.HiddenInput, required=False, min_value=1, max_value=VERSION_MAX
            ),
            "confirm": forms.BooleanField(required=False, widget=forms.HiddenInput),
            "clean_merged": _merged_reference,
        },
    ),
)
