"""Case work: notes, case workers and documents of a woman or a child, My cases and the
managers' case loads.

The same `casework.queries` and `casework.services` as the web pages, and the same access
policy: these records are seen and changed exactly as their woman's record is (a partner
reads what her consent shares and changes nothing; an outsider gets 404).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from motherline.accounts.policy import Capability, may_edit
from motherline.api.access import Requires, visible_record
from motherline.api.routes import Twin, corrected, read_all, twins
from motherline.api.schemas import INT_MAX, OnWomanOrChild, RecordId, _max
from motherline.casework import documents, queries, services
from motherline.casework.actions import AssignIn, NoteChangesIn, NoteIn
from motherline.casework.models import (
    Assignment,
    CaseNote,
    Document,
    DocumentType,
    NoteKind,
)
from motherline.core.actors import AuthenticatedRequest
from motherline.core.inputs import named
from motherline.legal.models import LegalCase, ReleaseCandidate
from motherline.people.models import Child, Woman
from motherline.vault import uploads

router = Router(tags=["case work"])


# Shapes


class NoteOut(OnWomanOrChild):
    id: int
    woman: str = Field(alias="woman.reference", description="The woman's reference.")
    child: str | None = Field(description="The child's reference, for a note on a child.")
    noted_on: date
    kind: NoteKind
    text: str
    author: str = Field(alias="author.username")
    corrects: int | None = Field(
        alias="corrects_id", description="The note this one corrects, if any."
    )
    version: int = Field(description="Send it back with a correction.")
    created_at: datetime
    correctable_until: datetime = Field(
        description="Until when its author may correct it in place (PATCH)."
    )

    @staticmethod
    def resolve_correctable_until(obj: CaseNote) -> datetime:
        return obj.created_at + timedelta(hours=services.correction_hours())


class NotePage(Schema):
    items: list[NoteOut]
    next_cursor: str | None = Field(description="Pass as `after` for the next page.")


class NotesPageQuery(Schema):
    after: str | None = Field(None, max_length=40, description="The previous page's next_cursor.")
    size: int = Field(settings.MOTHERLINE_PAGE_SIZE, ge=1, le=200)


class AssignmentOut(OnWomanOrChild):
    id: int
    woman: str = Field(alias="woman.reference")
    child: str | None
    worker: str = Field(alias="worker.username", description="The case worker's user name.")
    assigned_on: date


class MyCaseOut(AssignmentOut):
    next_due: date | None = Field(description="The due date of the next worklist item.")


class CaseLoadOut(Schema):
    worker: str = Field(alias="worker.username")
    women: int
    children: int
    overdue: int = Field(description="Worklist items of their cases past their due date.")


class DocumentOut(OnWomanOrChild):
    id: int
    woman: str = Field(alias="woman.reference")
    child: str | None
    legal_case: int | None = Field(alias="legal_case_id")
    candidate: int | None = Field(alias="candidate_id")
    title: str
    file_name: str
    file_type: DocumentType
    size: int
    uploaded_by: str = Field(alias="uploaded_by.username")
    uploaded_at: datetime


# Notes


def _note_out(pk: int) -> CaseNote:
    return CaseNote.objects.select_related("woman", "child", "author").get(pk=pk)


@twins(
    router,
    "GET",
    "notes",
    response=NotePage,
    auth=Requires(Capability.VIEW_REGISTER),
    woman=Twin(
        "woman_notes",
        "List a woman's case notes",
        "Her notes (not her children's), newest first by date, a page at a time.",
    ),
    child=Twin(
        "child_notes",
        "List a child's case notes",
        "The child's notes, newest first by date, a page at a time.",
    ),
)
def _notes(
    request: AuthenticatedRequest, woman: Woman, child: Child | None, page: Query[NotesPageQuery]
) -> Any:
    found = queries.note_page(
        queries.notes(request.user, woman=woman, child=child).select_related("woman", "child"),
        page.after,
        page.size,
    )
    read_all(request, CaseNote, (child or woman).reference, "notes", found.items)
    return {"items": found.items, "next_cursor": found.next_cursor}


@twins(
    router,
    "POST",
    "notes",
    response={201: NoteOut},
    auth=Requires(Capability.EDIT_REGISTER),
    woman=Twin(
        "add_woman_note",
        "Write a case note on a woman",
        "A note on her own record; with `corrects`, the correction of an earlier note.",
        url_name="woman_notes",
    ),
    child=Twin(
        "add_child_note",
        "Write a case note on a child",
        "A note on the child's record; with `corrects`, the correction of an earlier note.",
        url_name="child_notes",
    ),
)
def _add_note(
    request: AuthenticatedRequest, woman: Woman, child: Child | None, payload: NoteIn
) -> Any:
    note = services.add_note(
        request.user,
        woman,
        child=child,
        **payload.model_dump(exclude={"corrects"}),
        corrects=services.note_corrected(request.user, payload.corrects),
        request=request,
    )
    return Status(201, _note_out(note.pk))


@router.patch(
    "/notes/{note_id}",
    response=NoteOut,
    url_name="note",
    summary="Correct a case note",
    auth=Requires(Capability.EDIT_REGISTER),
)
def correct_note(
    request: AuthenticatedRequest, note_id: RecordId, payload: NoteChangesIn
) -> CaseNote:
    """Only the author, only until `correctable_until` (422 after: write a new note with
    `corrects`), only from the version last read (409 otherwise)."""
    note = visible_record(CaseNote, request.user, note_id)
    corrected(request, services.correct_note, note, payload)
    return _note_out(note.pk)


# Case workers


@twins(
    router,
    "GET",
    "workers",
    response=list[AssignmentOut],
    auth=Requires(Capability.VIEW_REGISTER),
    woman=Twin(
        "woman_workers",
        "List a woman's case workers",
        "The case workers assigned to her own record.",
    ),
    child=Twin(
        "child_workers",
        "List a child's case workers",
        "The case workers assigned to the child.",
    ),
)
def _assignments(
    request: AuthenticatedRequest, woman: Woman, child: Child | None
) -> list[Assignment]:
    found = queries.assignments(request.user, woman=woman, child=child)
    for assignment in found:
        assignment.woman, assignment.child = woman, child
    return found


@twins(
    router,
    "POST",
    "workers",
    response={201: AssignmentOut},
    auth=Requires(Capability.EDIT_REGISTER),
    woman=Twin(
        "assign_to_woman",
        "Assign a case worker to a woman",
        "A user of the organisation that owns her record, with a role that changes the\n"
        "register (422 otherwise).",
        url_name="woman_workers",
    ),
    child=Twin(
        "assign_to_child",
        "Assign a case worker to a child",
        "A user of the organisation that owns the record, with a role that changes the\n"
        "register (422 otherwise).",
        url_name="child_workers",
    ),
)
def _assign(
    request: AuthenticatedRequest, woman: Woman, child: Child | None, payload: AssignIn
) -> Any:
    worker = services.worker_named(payload.worker)
    assignment = services.assign(request.user, woman, worker, child=child, request=request)
    return Status(201, assignment)


@router.delete(
    "/assignments/{assignment_id}",
    response={204: None},
    url_name="assignment",
    summary="Unassign a case worker",
    auth=Requires(Capability.EDIT_REGISTER),
)
def unassign(request: AuthenticatedRequest, assignment_id: RecordId) -> Any:
    """End an assignment; the audit trail keeps who it was and who ended it."""
    assignment = visible_record(Assignment, request.user, assignment_id, "woman", "child", "worker")
    services.unassign(request.user, assignment, request=request)
    return Status(204, None)


@router.get(
    "/my-cases",
    response=list[MyCaseOut],
    url_name="my_cases",
    summary="The signed-in user's cases",
    auth=Requires(Capability.VIEW_REGISTER),
)
def my_cases(request: AuthenticatedRequest) -> Any:
    """The women and children assigned to you, with the next worklist item's due date."""
    cases = queries.my_cases(request.user)
    return read_all(
        request, Assignment, "my-cases", "records", cases, lambda a: (a.child or a.woman).reference
    )


@router.get(
    "/case-loads",
    response=list[CaseLoadOut],
    url_name="case_loads",
    summary="Case loads of the organisation's case workers",
    auth=Requires(Capability.MANAGE_PROGRAMME),
)
def case_loads(request: HttpRequest) -> Any:
    """For a programme manager or an administrator: each case worker of the organisation,
    their women and children, and the worklist items of those past their due date."""
    return queries.case_loads(request.user, timezone.localdate())


# Documents


@twins(
    router,
    "GET",
    "documents",
    response=list[DocumentOut],
    auth=Requires(Capability.VIEW_REGISTER),
    woman=Twin(
        "woman_documents",
        "List a woman's documents",
        "Hers, her children's, her legal cases' and her candidacies', newest first.",
    ),
    child=Twin(
        "child_documents",
        "List a child's documents",
        "The documents filed on the child's record, newest first.",
    ),
)
def _documents(request: AuthenticatedRequest, woman: Woman, child: Child | None) -> list[Document]:
    found = queries.documents(request.user, woman=woman, child=child)
    return read_all(request, Document, (child or woman).reference, "documents", found)


_UPLOAD_BODY = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "title"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "title": {"type": "string", "maxLength": 200},
                        "child": {
                            "type": "string",
                            "maxLength": _max(Child, "reference"),
                            "description": "A child's reference",
                        },
                        "legal_case": {"type": "integer", "minimum": 1, "maximum": INT_MAX},
                        "candidate": {"type": "integer", "minimum": 1, "maximum": INT_MAX},
                    },
                }
            }
        }
    }
}


@twins(
    router,
    "POST",
    "documents",
    response={201: DocumentOut},
    auth=Requires(Capability.EDIT_REGISTER),
    openapi_extra=_UPLOAD_BODY,
    woman=Twin(
        "upload_for_woman",
        "File a document on a woman's record",
        "PDF, JPEG, PNG or DOCX, judged by its content, at most MOTHERLINE_DOCUMENT_MAX_BYTES;\n"
        "on her record, or on her `child`, `legal_case` or `candidate`.",
        url_name="woman_documents",
    ),
    child=Twin(
        "upload_for_child",
        "File a document on a child's record",
        "PDF, JPEG, PNG or DOCX, judged by its content, at most MOTHERLINE_DOCUMENT_MAX_BYTES.",
        url_name="child_documents",
    ),
)
def _upload(request: AuthenticatedRequest, woman: Woman, child: Child | None) -> Any:
    # Read here rather than declared as parameters, so that the record's scope is checked
    # (404) before the body is judged (422).
    if not may_edit(request.user, woman):
        raise PermissionDenied(
            str(services.MAY_NOT_CHANGE)
        )  # a partner's shared record is read-only
    received = request.FILES.get("file")  # reading the body sets the refusal, if any
    if uploads.refusal(request) == uploads.TOO_LARGE:
        raise ValidationError({"file": [services.too_large_message()]})
    if received is None:
        raise ValidationError({"file": [services.NO_FILE]})
    targets: dict[str, Any] = {"child": child}
    form = request.POST
    if child is None and form.get("child"):
        children = Child.objects.filter(mother=woman, reference=form["child"])
        targets["child"] = named(children, "child", services.NOT_HER_CHILD)
    for name, model, path in (
        ("legal_case", LegalCase, "episode__woman"),
        ("candidate", ReleaseCandidate, "woman"),
    ):
        if form.get(name):
            pk = int(form[name]) if form[name].isdigit() else 0
            targets[name] = named(
                model.objects.filter(pk=pk, **{path: woman}), name, services.NOT_HERS
            )
    document = services.upload_document(
        request.user,
        woman,
        services.Upload(received.read(), received.name or ""),
        title=form.get("title", ""),
        request=request,
        **targets,
    )
    return Status(
        201, Document.objects.select_related("woman", "child", "uploaded_by").get(pk=document.pk)
    )


@router.get(
    "/documents/{document_id}",
    url_name="document",
    summary="Download a document",
    auth=Requires(Capability.VIEW_REGISTER),
    openapi_extra={"responses": {"200": {"description": "The file, as an attachment."}}},
)
def download(request: AuthenticatedRequest, document_id: RecordId) -> FileResponse:
    """The file's content; the read is on the audit trail; never cached."""
    return documents.download(request.user, document_id, request=request)
