"""The register: women, their custody, pregnancies and children.

Each endpoint parses, asks `accounts.policy` (through `api.access`), and calls the same
`people.queries` and `people.services` functions as the web pages, so the two cannot drift.
"""

from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from motherline.accounts import policy
from motherline.accounts.models import User
from motherline.accounts.policy import Capability
from motherline.api.access import Requires, editable_child, editable_woman
from motherline.api.routes import changes_of, corrected, page_out, read, read_listed
from motherline.api.schemas import (
    AdmissionIn,
    ChildIn,
    ChildOut,
    DuplicatesOut,
    EpisodeOut,
    NewChildIn,
    PathReference,
    PregnancyOut,
    PregnancyOutcomeOut,
    ReadmissionIn,
    RecordId,
    WomanChangesIn,
    WomanDetail,
    WomanList,
    WomenQuery,
)
from motherline.core.actors import AuthenticatedRequest
from motherline.core.inputs import named
from motherline.people import duplicates, queries, services
from motherline.people.actions import (
    EpisodeChangesIn,
    LegalStatusIn,
    MergeIn,
    MoveOutIn,
    PregnancyIn,
    PregnancyOutcomeIn,
    ReleaseIn,
    TransferIn,
)
from motherline.people.models import Child, CustodyEpisode, Pregnancy, Woman

router = Router(tags=["register"])


def _child_details(child: ChildIn, **values: Any) -> services.ChildDetails:
    data = child.model_dump(exclude={"since"})
    data["caregiver_relationship"] = data["caregiver_relationship"] or ""
    return services.ChildDetails(**{**data, **values})


def _custody(user: User, reference: str) -> CustodyEpisode:
    """The custody of a woman the user may change that a change applies to: the open one,
    else the last (the service then explains that she has been released)."""
    woman = editable_woman(user, reference)
    episode = woman.current_episode or woman.episodes.first()
    if episode is None:
        raise ValidationError({NON_FIELD_ERRORS: [_("She has no custody record.")]})
    return episode


def _episode_out(pk: int) -> CustodyEpisode:
    return (
        CustodyEpisode.objects.select_related("admission_prison", "current_prison")
        .prefetch_related(
            "status_changes",
            "charges__offence_category",
            "transfers__from_prison",
            "transfers__to_prison",
        )
        .get(pk=pk)
    )


def _child_out(pk: int) -> Child:
    return Child.objects.prefetch_related("placements__prison").get(pk=pk)


@router.get(
    "/women",
    response=WomanList,
    url_name="women",
    summary="List women",
    auth=Requires(Capability.VIEW_REGISTER),
)
def list_women(request: AuthenticatedRequest, filters: Query[WomenQuery]) -> dict[str, Any]:
    """The women the user may see that match the filters, newest first, one page at a time:
    pass `next_cursor` as `after` for the next page."""
    user = request.user
    page = queries.list_women(
        user,
        queries.WomanFilters(
            prison=filters.prison,
            province=filters.province,
            legal_status=filters.legal_status or "",
            pregnant=filters.pregnant,
            child_in_prison=filters.child_in_prison,
            pretrial_days_over=filters.pretrial_days_over,
            in_custody=filters.in_custody,
            q=filters.q,
        ),
        timezone.localdate(),
        after=filters.after,
        size=filters.size,
    )
    read_listed(request, "people.Woman", [woman.reference for woman in page.items], filters)
    return page_out(page)


@router.post(
    "/women",
    response={201: WomanDetail, 409: DuplicatesOut},
    url_name="women",
    summary="Admit a woman",
    auth=Requires(Capability.EDIT_REGISTER),
)
def admit_woman(request: AuthenticatedRequest, payload: AdmissionIn) -> Any:
    """Record a woman's admission with her charges, her pregnancy and every child she has,
    living in prison with her or outside. The record belongs to the user's organisation.

    Before a new woman is created, the register is searched (within what the user may see)
    for records that could be hers: a name that sounds the same in either script with a date
    of birth within a year, the same register number, the mother of the same children. If
    any is found, nothing is written and the answer is 409 with their references and why they
    match: re-admit her on hers (`POST /women/{reference}/admissions`), or send the admission
    again with `confirm_new: true` if she is a different person."""
    user = request.user
    data = payload.model_dump(exclude={"prison", "offences", "children", "confirm_new"})
    prison = services.prison_coded(user, payload.prison, "prison")
    if data["nationality"] is None:
        data["nationality"] = prison.province.jurisdiction.code[:2]
    admission = services.Admission(
        organisation_id=policy.organisation_id_of(user),
        prison=prison,
        offences=services.offences_coded(user, payload.offences),
        children=[_child_details(c) for c in payload.children],
        **data,
    )
    if not payload.confirm_new:
        found = duplicates.candidates(user, duplicates.entered_from(admission))
        if found:
            for candidate in found:  # shown as a record that may be hers: a read of it
                read(request, candidate.woman, changes={"duplicate_check": candidate.reasons})
            return Status(
                409,
                {
                    "detail": _(
                        "She may already be on the register: admit her again on her record, or "
                        "send confirm_new if she is a different person."
                    ),
                    "candidates": [
                        {
                            "reference": c.reference,
                            "reasons": c.reasons
                            + ([duplicates.Reason.CHILDREN] if c.children_born else []),
                            "explanation": c.explain(),
                            "in_custody": c.in_custody,
                            "may_readmit": policy.may_edit(user, c.woman),
                        }
                        for c in found
                    ],
                },
            )
    with transaction.atomic():
        woman = services.admit_woman(user, admission, request=request)
        try:
            return Status(201, queries.woman_detail(user, woman.reference))
        except Woman.DoesNotExist:
            # Nobody may create a record they could not see (a liaison, another prison):
            # raising here undoes the admission.
            raise PermissionDenied(
                _("You may only admit a woman to a prison whose records you see.")
            ) from None


@router.post(
    "/women/{reference}/admissions",
    response={201: EpisodeOut},
    url_name="admissions",
    summary="Admit a released woman again",
    auth=Requires(Capability.EDIT_REGISTER),
)
def readmit_woman(
    request: AuthenticatedRequest, reference: PathReference, payload: ReadmissionIn
) -> Any:
    """A new custody episode on her own record, for a woman who was released and is admitted
    again. Children who come in with her and are already hers on the register are named by
    `existing`; the others are new. Refused (422) while she is in custody; send her record's
    `version` last read (409 if it changed since). Returns the new custody."""
    user = request.user
    woman = editable_woman(user, reference)
    children = []
    for i, child in enumerate(payload.children):
        if child.date_of_birth is None and not child.existing:
            raise ValidationError(
                {f"children.{i}.date_of_birth": [_("Enter the child's date of birth.")]}
            )
        # An existing child's own date of birth is used.
        children.append(_child_details(child, date_of_birth=child.date_of_birth or date.min))
    data = payload.model_dump(exclude={"prison", "offences", "children", "version"})
    readmission = services.Readmission(
        prison=services.prison_coded(user, payload.prison, "prison"),
        offences=services.offences_coded(user, payload.offences),
        children=children,
        **data,
    )
    episode = services.readmit_woman(
        user, woman, readmission, version=payload.version, request=request
    )
    return Status(201, _episode_out(episode.pk))


@router.get(
    "/women/{reference}",
    response=WomanDetail,
    url_name="woman",
    summary="Get a woman",
    auth=Requires(Capability.VIEW_REGISTER),
)
def get_woman(request: AuthenticatedRequest, reference: PathReference) -> Woman:
    """Her full record: custody episodes with legal status history, charges and transfers,
    pregnancies, and children with their placements. The read is on the audit trail."""
    user = request.user
    try:
        woman = queries.woman_detail(user, reference)
        if woman.merged_into_id is not None:
            # A merged record's reference resolves to the record kept.
            survivor = queries.survivor_of(user, reference)
            if survivor is None:
                raise Http404
            woman = queries.woman_detail(user, survivor)
    except Woman.DoesNotExist:
        raise Http404 from None
    return read(request, woman)


@router.patch(
    "/women/{reference}",
    response=WomanDetail,
    url_name="woman",
    summary="Correct a woman's details",
    auth=Requires(Capability.EDIT_REGISTER),
)
def correct_woman(
    request: AuthenticatedRequest, reference: PathReference, payload: WomanChangesIn
) -> Woman:
    """Correct who she is: only the fields sent change. Send the `version` last read; if
    someone changed her record since, nothing is written and the answer is HTTP 409.
    Returns her record with its new version."""
    user = request.user
    woman = editable_woman(user, reference)
    corrected(request, services.update_woman, woman, payload)
    return queries.woman_detail(user, reference)


@router.patch(
    "/women/{reference}/episodes/{episode_id}",
    response=EpisodeOut,
    url_name="episode",
    summary="Correct a custody episode",
    auth=Requires(Capability.EDIT_REGISTER),
)
def correct_episode(
    request: AuthenticatedRequest,
    reference: PathReference,
    episode_id: RecordId,
    payload: EpisodeChangesIn,
) -> CustodyEpisode:
    """Correct the court, case number, sentence, expected release or offences of one of her
    custody episodes (`offences` replaces her charges). Send the episode's `version` last
    read; if it changed since, nothing is written and the answer is HTTP 409."""
    user = request.user
    woman = editable_woman(user, reference)
    episode = get_object_or_404(woman.episodes, pk=episode_id)
    changes = changes_of(payload)
    if "offences" in changes:
        changes["offences"] = services.offences_coded(user, changes["offences"])
    services.update_episode(user, episode, changes, version=payload.version, request=request)
    return _episode_out(episode.pk)


@router.post(
    "/women/{reference}/transfers",
    response=EpisodeOut,
    url_name="transfer",
    summary="Transfer a woman",
    auth=Requires(Capability.EDIT_REGISTER),
)
def transfer(
    request: AuthenticatedRequest, reference: PathReference, payload: TransferIn
) -> CustodyEpisode:
    """Move her to another prison; children living with her move too. Returns her custody
    as it is after the transfer."""
    user = request.user
    episode = _custody(user, reference)
    services.transfer(user, episode, payload, request=request)
    return _episode_out(episode.pk)


@router.post(
    "/women/{reference}/legal-status",
    response=EpisodeOut,
    url_name="legal_status",
    summary="Change a woman's legal status",
    auth=Requires(Capability.EDIT_REGISTER),
)
def legal_status(
    request: AuthenticatedRequest, reference: PathReference, payload: LegalStatusIn
) -> CustodyEpisode:
    """Record a new legal status (e.g. convicted, on appeal). Returns her custody as it is
    after the change."""
    user = request.user
    episode = _custody(user, reference)
    services.record_legal_status(
        user,
        episode,
        payload.status,
        payload.effective_date,
        payload.note,
        sentence_months=payload.sentence_months,
        expected_release_date=payload.expected_release_date,
        version=payload.version,
        request=request,
    )
    return _episode_out(episode.pk)


@router.post(
    "/women/{reference}/release",
    response=EpisodeOut,
    url_name="release",
    summary="Release a woman",
    auth=Requires(Capability.EDIT_REGISTER),
)
def release(
    request: AuthenticatedRequest, reference: PathReference, payload: ReleaseIn
) -> CustodyEpisode:
    """Close her custody with the release date and reason; children living with her in
    prison leave with her. Returns the closed custody."""
    user = request.user
    episode = _custody(user, reference)
    services.record_release(
        user,
        episode,
        payload.release_date,
        payload.reason,
        payload.note,
        version=payload.version,
        request=request,
    )
    return _episode_out(episode.pk)


@router.post(
    "/women/{reference}/pregnancies",
    response={201: PregnancyOut},
    url_name="pregnancies",
    summary="Record a pregnancy",
    auth=Requires(Capability.EDIT_REGISTER),
)
def record_pregnancy(
    request: AuthenticatedRequest, reference: PathReference, payload: PregnancyIn
) -> Pregnancy:
    """Record that she is pregnant."""
    user = request.user
    woman = editable_woman(user, reference)
    pregnancy = services.record_pregnancy(
        user,
        woman,
        payload.known_since,
        payload.expected_delivery_date,
        payload.antenatal_care_contacts,
        payload.note,
        request=request,
    )
    return pregnancy


@router.post(
    "/women/{reference}/pregnancies/{pregnancy_id}/outcome",
    response=PregnancyOutcomeOut,
    url_name="pregnancy_outcome",
    summary="Record the outcome of a pregnancy",
    auth=Requires(Capability.EDIT_REGISTER),
)
def pregnancy_outcome(
    request: AuthenticatedRequest,
    reference: PathReference,
    pregnancy_id: RecordId,
    payload: PregnancyOutcomeIn,
) -> dict[str, Any]:
    """Record how a pregnancy ended. A birth creates the child: living in prison with her
    mother when born in custody."""
    user = request.user
    woman = editable_woman(user, reference)
    pregnancy = get_object_or_404(woman.pregnancies, pk=pregnancy_id)
    child = services.record_pregnancy_outcome(
        user,
        pregnancy,
        payload.outcome,
        payload.outcome_date,
        child_name=payload.child_name,
        child_sex=payload.child_sex,
        birth_registered=payload.birth_registered,
        request=request,
    )
    pregnancy.refresh_from_db()
    return {"pregnancy": pregnancy, "child": _child_out(child.pk) if child else None}


@router.post(
    "/women/{reference}/children",
    response={201: ChildOut},
    url_name="children",
    summary="Record a child",
    auth=Requires(Capability.EDIT_REGISTER),
)
def record_child(
    request: AuthenticatedRequest, reference: PathReference, payload: NewChildIn
) -> Child:
    """Record a child learnt of after her admission, living in prison with her or outside."""
    user = request.user
    woman = editable_woman(user, reference)
    child = services.record_child(
        user, woman, _child_details(payload), since=payload.since, request=request
    )
    return _child_out(child.pk)


@router.post(
    "/children/{reference}/move-out",
    response=ChildOut,
    url_name="move_child_out",
    summary="Move a child out of prison",
    auth=Requires(Capability.EDIT_REGISTER),
)
def move_child_out(
    request: AuthenticatedRequest, reference: PathReference, payload: MoveOutIn
) -> Child:
    """A child leaves prison to live with a caregiver outside. Returns the child with the
    new placement."""
    user = request.user
    child = editable_child(user, reference)
    services.move_child_out(
        user,
        child,
        payload.move_date,
        payload.caregiver_relationship or "",
        payload.caregiver_name,
        payload.caregiver_location,
        payload.caregiver_contact,
        payload.note,
        version=payload.version,
        request=request,
    )
    return _child_out(child.pk)


@router.post(
    "/women/{reference}/merge",
    response=WomanDetail,
    url_name="merge",
    summary="Merge another record of the same woman into this one",
    auth=Requires(Capability.ADMINISTER),
)
def merge(request: AuthenticatedRequest, reference: PathReference, payload: MergeIn) -> Woman:
    """Administrators: `merged` is a second record of the woman `reference`; everything on it
    moves to `reference`, and `merged` then leads there. Send both versions last read (409 if
    either changed since) and the reason. Returns the record kept. A record outside the
    user's organisation is a 404."""
    user = request.user
    survivor = editable_woman(user, reference)
    merged = named(
        Woman.objects.editable_by(user).filter(reference=payload.merged),
        "merged",
        _("There is no record %(ref)s that you may change.") % {"ref": payload.merged},
    )
    services.merge_women(
        user,
        survivor,
        merged,
        survivor_version=payload.version,
        merged_version=payload.merged_version,
        reason=payload.reason,
        request=request,
    )
    return queries.woman_detail(user, reference)
