"""Phone submissions pushed one at a time: a KoBoToolbox REST Service, or a relay reading
ODK Central, posts each submission of the shipped XLSForms (`forms/`) as JSON to
`POST /api/v1/submissions/{kind}` with a personal API token (`Authorization: Bearer ml_...`).

A submission is read as one row of an export (`fieldwork.importing.submission_row`) and goes
through the file import itself (`importing.IMPORTERS`), so it meets exactly the same rules, the
same access policy and the same audit trail. It is idempotent by its instance ID: a server
that sends it again (KoBoToolbox retries a failed delivery) gets 200 and the record made the
first time, and nothing is written twice.
"""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import BaseModel, ConfigDict

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User
from motherline.accounts.policy import Capability
from motherline.api.access import Requires
from motherline.api.fieldwork import VisitSummary
from motherline.api.grants import DeliveryOut
from motherline.core.actors import AuthenticatedRequest
from motherline.fieldwork import importing
from motherline.fieldwork.models import PrisonVisit
from motherline.grants.queries import deliveries_for

router = Router(tags=["field work"])

Kind = Literal["visits", "services"]

KOBO_EXAMPLE: dict[str, Any] = {
    "_id": 284913,
    "_uuid": "9b6f7c1e-4a07-4c1b-9a36-0f3f0d1f2a11",
    "formhub/uuid": "1f0e2d3c4b5a69788796a5b4c3d2e1f0",
    "start": "2026-03-02T09:12:44.000+07:00",
    "end": "2026-03-02T09:40:05.000+07:00",
    "group_visit/prison": "CC2",
    "group_visit/visit_date": "2026-03-02",
    "group_visit/team": "Two monitors, one nurse",
    "group_visit/access": "granted",
    "group_visit/women_seen": "12",
    "group_visit/pregnant_seen": "2",
    "group_visit/children_seen": "3",
    "finding_food_and_water": "No drinking water in the women's block.",
    "__version__": "vQ8nR2c5pYwXk3",
    "meta/instanceID": "uuid:9b6f7c1e-4a07-4c1b-9a36-0f3f0d1f2a11",
    "_xform_id_string": "aBcD3fGh1JkLmN",
    "_status": "submitted_via_web",
    "_submission_time": "2026-03-02T02:41:10",
    "_submitted_by": None,
    "_attachments": [],
    "_geolocation": [None, None],
    "_tags": [],
    "_notes": [],
    "_validation_status": {},
}
ODK_CENTRAL_EXAMPLE: dict[str, Any] = {
    "__id": "uuid:5d1e6a44-2f0b-4b8e-8f9a-3a1c7e2b9d40",
    "prison": "CC2",
    "visit_date": "2026-03-02",
    "team": "Two monitors",
    "access": "partial",
    "women_seen": 12,
    "pregnant_seen": 2,
    "children_seen": 3,
    "finding_health_care": None,
    "notes": None,
    "meta": {"instanceID": "uuid:5d1e6a44-2f0b-4b8e-8f9a-3a1c7e2b9d40"},
    "__system": {
        "submissionDate": "2026-03-02T02:41:10.123Z",
        "submitterId": "5",
        "submitterName": "field-phone-1",
        "attachmentsPresent": 0,
        "attachmentsExpected": 0,
        "status": None,
        "reviewState": None,
        "deviceId": None,
        "edits": 0,
        "formVersion": "2026030201",
    },
}


class FieldSubmissionIn(BaseModel):
    """One submission of the Motherline prison-visit or service form, as KoBoToolbox or ODK
    Central sends it: the form's fields by name, in groups or not (`group/field`, or nested
    objects), the instance ID in `_uuid`, `__id` or `meta/instanceID`. Lists and the servers'
    own fields (`_id`, `_submission_time`, `__system`, ...) are ignored. At most 500 fields,
    groups 5 deep, 20,000 characters in a text."""

    # A pydantic model, not ninja's Schema, which keeps only the declared fields.

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "maxProperties": importing.SUBMISSION_FIELDS_MAX,
            "examples": [KOBO_EXAMPLE, ODK_CENTRAL_EXAMPLE],
        },
    )


class SubmissionOut(Schema):
    kind: Kind
    instance_id: str = Field(description="The submission's instance ID, as it was recorded.")
    created: bool = Field(
        description="True: recorded now (HTTP 201). False: sent before and recorded then "
        "(HTTP 200); nothing was written."
    )
    visit: VisitSummary | None = Field(None, description="The visit (kind `visits`).")
    service: DeliveryOut | None = Field(None, description="The service (kind `services`).")


def _recorded(user: User, kind: str, instance_id: str) -> Any:
    """The record made from this submission, if it is one the user may see."""
    if kind == "visits":
        return (
            PrisonVisit.objects.visible_to(user)
            .select_related("prison", "organisation")
            .filter(submission_id=instance_id)
            .first()
        )
    return deliveries_for(user).filter(submission_id=instance_id).first()


@router.post(
    "/submissions/{kind}",
    response={200: SubmissionOut, 201: SubmissionOut},
    url_name="submissions",
    summary="Receive one phone submission",
    auth=Requires(Capability.EDIT_REGISTER, kind={"visits": Capability.RECORD_FIELDWORK}),
)
def receive_submission(
    request: AuthenticatedRequest, kind: Kind, payload: FieldSubmissionIn
) -> Status:
    """One submission of the prison-visit form (`visits`) or the service form (`services`)
    pushed by a KoBoToolbox REST Service or a relay from ODK Central, authenticated by a
    personal API token. Checked exactly as a row of the file import (`/imports/{kind}`): a
    refused submission is HTTP 422 with the messages of each field (`instanceID` when it has
    none), and nothing is written. The first time it is recorded (201); sent again with the
    same instance ID, the answer is 200 with the record made the first time."""
    user = request.user
    row = importing.submission_row(payload.model_extra or {})
    instance_id = importing.submission_id(row)
    try:
        report = importing.IMPORTERS[kind](user, [(1, row)], request=request, via="push")
    except IntegrityError:
        # The same submission written meanwhile by another request (a server's retry).
        report = importing.ImportReport(kind, rows=1, skipped=1)
    if report.errors:
        errors: dict[str, list[str]] = {}
        for error in report.errors:
            errors.setdefault(error.field, []).append(error.reason)
        raise ValidationError(errors)
    record = _recorded(user, kind, instance_id)
    if record is None:
        raise ValidationError(
            {
                "instanceID": [
                    _(
                        "A submission with this instance ID is recorded already, "
                        "in records you may not see."
                    )
                ]
            }
        )
    if not report.created:
        # A resend is answered with the record: a read, on the trail like any other.
        audit.record(
            user,
            AuditAction.VIEW,
            record,
            request=request,
            changes={"submission": instance_id, "resent": True},
        )
    body = {"kind": kind, "instance_id": instance_id, "created": bool(report.created)}
    body["visit" if kind == "visits" else "service"] = record
    return Status(201 if report.created else 200, body)
