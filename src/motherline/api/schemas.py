"""Typed shapes of what the API reads and returns.

Input field names are the parameters of `people.services`, so a client reads the service's
docstring to know what a field means; prisons and offences are named by their codes.
Lengths come from the model fields, so the API refuses what the database could not store.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from django.conf import settings
from ninja import Field, Path, Schema
from pydantic import StringConstraints

from motherline.core.inputs import (  # noqa: F401 (re-exported)
    INT_MAX,
    LIST_MAX,
    NOTE_MAX,
    Note,
    Sent,
    Version,
)
from motherline.core.inputs import max_length_of as _max
from motherline.people.actions import (
    ChildChangesIn,  # noqa: F401 (re-exported)
    OffenceCode,
    OptionalRelationship,
)
from motherline.people.inputs import PrisonCode, Reference, WomanName  # noqa: F401 (re-exported)
from motherline.people.models import (
    Child,
    ConsentScope,
    CustodyEpisode,
    LegalStatus,
    Placement,
    Sex,
    Woman,
)
from motherline.places.models import Prison, Province

# A number of days of a person's life (pretrial detention and the like): 200 years.
DAYS_MAX = 73_000

# A record's identifier and a person's reference in an operation's path.
RecordId = Annotated[int, Path(ge=1, le=INT_MAX)]
# A language a document is produced in: one of the jurisdiction's (its pack's
# `document_languages`), checked by the route against the record's jurisdiction.
DocumentLanguage = Annotated[
    str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=16)
]
PathReference = Annotated[str, Path(max_length=_max(Woman, "reference"))]


# Shapes many answers share


class ListPage(Schema):
    """A page of a list as `routes.page_out` answers it; a list's own page (a subclass)
    names the shape of its `items`."""

    items: list[Any]
    next_cursor: int | None
    total: int


class OnWomanOrChild(Schema):
    """An answer about a record on a woman or on one of her children (a note, a consent, a
    service): its `child` is that child's reference, else null. Its fields are the
    subclass's own, in its order."""

    @staticmethod
    def resolve_child(obj: Any) -> str | None:
        return obj.child.reference if obj.child is not None else None


# Places


class PrisonRef(Schema):
    code: str
    name: str


class PrisonCountsOut(Schema):
    code: str
    name: str
    name_local: str
    kind: str
    capacity: int | None
    holds_women: bool
    is_active: bool
    women: int = Field(description="Women in custody there now.")
    pregnant: int = Field(description="Pregnant women in custody there now.")
    children: int = Field(description="Children living there with their mothers now.")


class ProvinceCountsOut(Schema):
    code: str
    name: str
    name_local: str
    women: int
    pregnant: int
    children: int
    prisons: list[PrisonCountsOut]


class ProvinceOut(Schema):
    code: str
    name: str
    name_local: str


# Women: the list


class WomenQuery(Schema):
    """The web list's filters, plus keyset paging."""

    prison: str = Field("", max_length=_max(Prison, "code"), description="Prison code.")
    province: str = Field(
        "", max_length=_max(Province, "code"), description="ISO 3166-2 code of the province."
    )
    legal_status: LegalStatus | None = None
    pregnant: bool | None = None
    child_in_prison: bool | None = None
    pretrial_days_over: int | None = Field(None, ge=0, le=DAYS_MAX)
    in_custody: bool | None = Field(None, description="Omit for both, false for released only.")
    q: str = Field("", max_length=200, description="Name, register number or reference.")
    after: int | None = Field(
        None, ge=1, le=INT_MAX, description="The next_cursor of the previous page."
    )
    size: int = Field(settings.MOTHERLINE_PAGE_SIZE, ge=1, le=200)


class WomanSummary(Schema):
    reference: str
    name: str
    name_latin: str
    register_number: str
    organisation: str = Field(alias="organisation.name")
    date_of_birth: date | None
    dob_is_estimated: bool
    in_custody: bool
    prison: PrisonRef | None
    province: str | None = Field(description="ISO 3166-2 code of the prison's province.")
    legal_status: str | None
    admission_date: date | None
    is_pregnant: bool
    has_child_in_prison: bool

    @staticmethod
    def resolve_in_custody(obj: Woman) -> bool:
        return obj.current_episode_id is not None

    @staticmethod
    def resolve_prison(obj: Woman) -> Any:
        return obj.current_episode.current_prison if obj.current_episode else None

    @staticmethod
    def resolve_province(obj: Woman) -> str | None:
        episode = obj.current_episode
        return episode.current_prison.province.code if episode else None

    @staticmethod
    def resolve_legal_status(obj: Woman) -> str | None:
        return obj.current_episode.legal_status if obj.current_episode else None

    @staticmethod
    def resolve_admission_date(obj: Woman) -> date | None:
        return obj.current_episode.admission_date if obj.current_episode else None


class WomanList(Schema):
    items: list[WomanSummary]
    next_cursor: int | None = Field(description="Pass as `after` for the next page.")
    total: int = Field(description="How many women match the filters, on all pages.")


# Women: one record


class StatusChangeOut(Schema):
    status: str
    effective_date: date
    note: str


class ChargeOut(Schema):
    offence: str = Field(
        alias="offence_category.code", description="Offence code of the jurisdiction pack."
    )
    offence_name: str = Field(alias="offence_category.name")
    iccs_section: str = Field(alias="offence_category.iccs_section")
    description: str


class TransferOut(Schema):
    transfer_date: date
    from_prison: PrisonRef
    to_prison: PrisonRef
    reason: str


class EpisodeOut(Schema):
    id: int = Field(description="Names the episode in a correction.")
    admission_date: date
    admission_prison: PrisonRef
    current_prison: PrisonRef
    legal_status: str
    legal_status_since: date
    court: str
    case_number: str
    sentence_months: int | None
    expected_release_date: date | None
    release_date: date | None
    release_reason: str
    release_note: str
    is_open: bool
    version: int = Field(description="Send it back with a change to detect concurrent edits.")
    status_history: list[StatusChangeOut] = Field(alias="status_changes")
    charges: list[ChargeOut]
    transfers: list[TransferOut]


class PregnancyOut(Schema):
    id: int
    known_since: date
    expected_delivery_date: date | None
    antenatal_care_contacts: int
    outcome: str
    outcome_date: date | None
    note: str
    is_ongoing: bool


class PlacementOut(Schema):
    kind: str
    prison: PrisonRef | None
    caregiver_name: str
    caregiver_relationship: str
    caregiver_location: str
    caregiver_contact: str
    start_date: date
    end_date: date | None
    note: str


class ChildOut(Schema):
    reference: str
    name: str
    name_latin: str
    sex: str
    date_of_birth: date
    dob_is_estimated: bool
    birth_registered: bool
    birth_registered_on: date | None
    birth_certificate_number: str
    born_in_custody: bool
    pregnancy_id: int | None
    version: int
    current_placement: PlacementOut | None
    placements: list[PlacementOut]

    @staticmethod
    def resolve_current_placement(obj: Child) -> Placement | None:
        # From the prefetched placements: no query per child.
        current = [p for p in obj.placements.all() if p.end_date is None]
        return max(current, key=lambda p: (p.start_date, p.id), default=None)


class WomanDetail(Schema):
    reference: str
    organisation: str = Field(alias="organisation.name")
    register_number: str
    name: str
    name_latin: str
    date_of_birth: date | None
    dob_is_estimated: bool
    nationality: str
    ethnicity: str
    language: str
    is_primary_carer: bool
    is_sole_carer: bool
    dependent_children: int
    has_serious_illness: bool
    has_disability: bool
    health_notes: str
    consent_scope: str
    consent_recorded_on: date | None
    in_custody: bool
    current_prison: PrisonRef | None
    version: int
    episodes: list[EpisodeOut]
    pregnancies: list[PregnancyOut]
    children: list[ChildOut]

    @staticmethod
    def resolve_in_custody(obj: Woman) -> bool:
        return obj.current_episode_id is not None

    @staticmethod
    def resolve_current_prison(obj: Woman) -> Any:
        return obj.current_episode.current_prison if obj.current_episode else None


class PregnancyOutcomeOut(Schema):
    pregnancy: PregnancyOut
    child: ChildOut | None = Field(description="The child, unless the pregnancy was lost.")


# Changes


class ChildIn(Schema):
    """A child recorded at admission or later (`services.ChildDetails`)."""

    date_of_birth: date = Field(description="Estimated if unknown (then dob_is_estimated).")
    name: str = Field("", max_length=_max(Child, "name"))
    name_latin: str = Field("", max_length=_max(Child, "name_latin"))
    sex: Sex = Sex.UNKNOWN
    dob_is_estimated: bool = False
    birth_registered: bool = False
    living_in_prison: bool = False
    caregiver_name: str = Field("", max_length=_max(Placement, "caregiver_name"))
    caregiver_relationship: OptionalRelationship = Field(
        None, description="Required for a child living outside."
    )
    caregiver_location: str = Field("", max_length=_max(Placement, "caregiver_location"))
    caregiver_contact: str = Field("", max_length=_max(Placement, "caregiver_contact"))


class NewChildIn(ChildIn):
    since: date | None = Field(
        None, description="Since when she is known to live where she lives; default today."
    )


class AdmissionIn(Schema):
    """A woman's admission (`services.Admission`); the organisation is the user's."""

    prison: PrisonCode = Field(description="Prison code.")
    admission_date: date
    name: WomanName
    name_latin: str = Field("", max_length=_max(Woman, "name_latin"))
    register_number: str = Field("", max_length=_max(Woman, "register_number"))
    date_of_birth: date | None = None
    dob_is_estimated: bool = False
    nationality: str | None = Field(
        None,
        max_length=_max(Woman, "nationality"),
        description="ISO 3166-1 alpha-2; omitted: the country of the prison's jurisdiction, "
        "as the admission form proposes; empty: not known.",
    )
    ethnicity: str = Field("", max_length=_max(Woman, "ethnicity"))
    language: str = Field("", max_length=_max(Woman, "language"))
    is_primary_carer: bool = False
    is_sole_carer: bool = False
    dependent_children: int = Field(0, ge=0, le=99)
    has_serious_illness: bool = False
    has_disability: bool = False
    health_notes: Note = ""
    consent_scope: ConsentScope = ConsentScope.REGISTER
    legal_status: LegalStatus = LegalStatus.PRETRIAL
    court: str = Field("", max_length=_max(CustodyEpisode, "court"))
    case_number: str = Field("", max_length=_max(CustodyEpisode, "case_number"))
    sentence_months: int | None = Field(None, ge=0, le=1200)
    expected_release_date: date | None = None
    offences: list[OffenceCode] = Field(
        default_factory=list, max_length=LIST_MAX, description="Offence codes."
    )
    is_pregnant: bool = False
    pregnancy_known_since: date | None = None
    expected_delivery_date: date | None = None
    children: list[ChildIn] = Field(default_factory=list, max_length=LIST_MAX)
    confirm_new: bool = Field(
        False,
        description="She is a different person from the records the duplicate check "
        "proposed: create her record anyway. Without it, an admission that matches records "
        "the user may see is answered 409 with those records.",
    )
    confirm_warnings: bool = Field(
        False,
        description="The values answered as unlikely (422 with `confirm_warnings`) are right.",
    )


class DuplicateCandidateOut(Schema):
    reference: str = Field(description="A record the user may see that could be hers.")
    reasons: list[str] = Field(
        description="Why: name, name_latin, date_of_birth, register_number, children."
    )
    explanation: list[str] = Field(description="The reasons in words.")
    in_custody: bool
    may_readmit: bool = Field(description="Whether this user may admit her again on it.")


class DuplicatesOut(Schema):
    detail: str
    candidates: list[DuplicateCandidateOut]


class ReadmissionChildIn(ChildIn):
    """A child who comes in with her: `existing` names her child already on the register
    (the child's details are kept); otherwise a new child, with a date of birth."""

    existing: str = Field("", max_length=16, description="Reference of her child, C-...")
    date_of_birth: date | None = Field(None, description="Required for a new child.")  # type: ignore[assignment]


class ReadmissionIn(Schema):
    """A released woman's new custody on her own record (`services.Readmission`)."""

    version: Version
    prison: PrisonCode = Field(description="Prison code.")
    admission_date: date
    legal_status: LegalStatus = LegalStatus.PRETRIAL
    court: str = Field("", max_length=_max(CustodyEpisode, "court"))
    case_number: str = Field("", max_length=_max(CustodyEpisode, "case_number"))
    sentence_months: int | None = Field(None, ge=0, le=1200)
    expected_release_date: date | None = None
    offences: list[OffenceCode] = Field(
        default_factory=list, max_length=LIST_MAX, description="Offence codes."
    )
    is_pregnant: bool = False
    pregnancy_known_since: date | None = None
    expected_delivery_date: date | None = None
    dependent_children: int | None = Field(None, ge=0, le=99)
    children: list[ReadmissionChildIn] = Field(default_factory=list, max_length=30)
    confirm_warnings: bool = False


# Corrections: only the fields sent are changed (a null clears a field that may be empty).


class WomanChangesIn(Schema):
    """A correction of who she is (`services.update_woman`)."""

    version: Version
    name: Sent[WomanName] = None
    name_latin: Sent[str] = Field(None, max_length=_max(Woman, "name_latin"))
    register_number: Sent[str] = Field(None, max_length=_max(Woman, "register_number"))
    date_of_birth: date | None = None
    dob_is_estimated: Sent[bool] = None
    nationality: Sent[str] = Field(None, max_length=_max(Woman, "nationality"))
    ethnicity: Sent[str] = Field(None, max_length=_max(Woman, "ethnicity"))
    language: Sent[str] = Field(None, max_length=_max(Woman, "language"))
    is_primary_carer: Sent[bool] = None
    is_sole_carer: Sent[bool] = None
    dependent_children: Sent[int] = Field(None, ge=0, le=99)
    has_serious_illness: Sent[bool] = None
    has_disability: Sent[bool] = None
    health_notes: Sent[Note] = None
    consent_scope: Sent[ConsentScope] = None
