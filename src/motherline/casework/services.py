"""Every change of case work goes through here — the pages, the API and the commands call
these functions, which check who may act and on what, validate, write in one transaction
and append to the audit trail (references and field names, never a note's text).

Errors are `ValidationError`s keyed by field, as in `people.services`; a change made on a
stale version raises `core.versions.StaleVersion` (HTTP 409 in the API).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, Role, User
from motherline.accounts.policy import ROLE_CAPABILITIES, Capability, can, may_edit
from motherline.casework import rules
from motherline.casework.models import (
    Assignment,
    CaseNote,
    Document,
    DocumentType,
    NoteKind,
)
from motherline.core import clock
from motherline.core.changes import raise_errors
from motherline.core.inputs import NOTE_MAX, named
from motherline.core.versions import check_version, save_if_current
from motherline.formatting import format_day
from motherline.jurisdictions.local import language_name
from motherline.people.models import Child, Woman
from motherline.vault import files

# What the API says when a request names something it cannot use (kept here so that they
# are translated in this app's catalogue).
NO_SUCH_NOTE = gettext_lazy("No such note.")
NO_SUCH_USER = gettext_lazy("No such user.")
NO_FILE = gettext_lazy("Send the file as the multipart/form-data field “file”.")
NOT_HER_CHILD = gettext_lazy("This child is not hers.")
NOT_HERS = gettext_lazy("This record is not hers.")
MAY_NOT_CHANGE = gettext_lazy("You may not change this record.")

# Notes, documents and consents are about what happened while the register has existed:
# a date before this is a typing error.
DATE_FLOOR = date(2000, 1, 1)


def require_edit(user: User, woman: Woman) -> None:
    """Her case work is changed by whoever may change her record (referrals too)."""
    if not can(user, Capability.EDIT_REGISTER) or not may_edit(user, woman):
        raise PermissionDenied(_("You may not change this record."))


def correction_hours() -> int:
    return int(getattr(settings, "MOTHERLINE_NOTE_CORRECTION_HOURS", 24))


# Notes


def _note_errors(noted_on: Any, kind: Any, text: Any, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not isinstance(noted_on, date):
        errors["noted_on"] = _("Enter the date of the note.")
    elif noted_on > today:
        errors["noted_on"] = _("The date of a note cannot be in the future.")
    elif noted_on < DATE_FLOOR:
        errors["noted_on"] = _("The date is too far in the past: check the year.")
    if kind not in NoteKind.values:
        errors["kind"] = _("Choose what kind of contact the note is about.")
    if not isinstance(text, str) or not text.strip():
        errors["text"] = _("Write the note.")
    elif len(text) > NOTE_MAX:
        errors["text"] = _("A note has at most %(max)d characters; this one has %(n)d.") % {
            "max": NOTE_MAX,
            "n": len(text),
        }
    elif "\x00" in text:
        errors["text"] = _("The note contains a character that cannot be stored (NUL).")
    return errors


def note_corrected(user: User, note_id: int | None) -> CaseNote | None:
    """The note a new note corrects (`actions.NoteIn.corrects`), among those the user sees;
    None when it corrects none."""
    if note_id is None:
        return None
    return named(CaseNote.objects.visible_to(user).filter(pk=note_id), "corrects", NO_SUCH_NOTE)


def add_note(
    user: User,
    woman: Woman,
    *,
    noted_on: date,
    kind: str,
    text: str,
    child: Child | None = None,
    corrects: CaseNote | None = None,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> CaseNote:
    """Write a note on a woman's record, or on her child's (`child`). A note that corrects
    an earlier one (whose time to be corrected in place has passed) names it in `corrects`."""
    require_edit(user, woman)
    today = clock.today(today)
    errors = _note_errors(noted_on, kind, text, today)
    if child is not None and child.mother_id != woman.pk:
        errors["child"] = _("This child is not hers.")
    if corrects is not None and (
        corrects.woman_id != woman.pk or corrects.child_id != (child.pk if child else None)
    ):
        errors["corrects"] = _("A correction must be on the same record as the note it corrects.")
    raise_errors(errors)
    with transaction.atomic():
        note = CaseNote.objects.create(
            woman=woman,
            child=child,
            noted_on=noted_on,
            kind=kind,
            text=text.strip(),
            corrects=corrects,
            author=user,
        )
        audit.record(
            user,
            AuditAction.CREATE,
            note,
            request=request,
            changes={
                "woman": woman.reference,
                "child": child.reference if child else None,
                "kind": kind,
                "noted_on": noted_on.isoformat(),
                "corrects": corrects.pk if corrects else None,
            },
        )
    return note


def may_correct(
    user: User, note: CaseNote, now: datetime | None = None, *, editable: bool | None = None
) -> bool:
    """Whether this user may still correct the note in place: its author, in the window.
    `editable`: whether the user may change the woman's record, when already known."""
    now = now or timezone.now()
    return (
        getattr(user, "pk", None) == note.author_id
        and rules.may_correct(note.created_at, now, correction_hours())
        and (may_edit(user, note.woman) if editable is None else editable)
    )


def correct_note(
    user: User,
    note: CaseNote,
    changes: dict[str, Any],
    *,
    version: int,
    now: datetime | None = None,
    request: HttpRequest | None = None,
) -> CaseNote:
    """Correct a note in place (its date, kind or text): only its author, only within
    `MOTHERLINE_NOTE_CORRECTION_HOURS` of writing it, only from the version read."""
    now = now or timezone.now()
    with transaction.atomic():
        current = CaseNote.objects.select_for_update().select_related("woman").get(pk=note.pk)
        require_edit(user, current.woman)
        if current.author_id != user.pk:
            # Not an access refusal: whoever may change her record may write a new note
            # that corrects this one; only its author corrects it in place.
            raise_errors(
                {
                    NON_FIELD_ERRORS: _(
                        "Only the author of a note may correct it: write a new note "
                        "that corrects it."
                    )
                }
            )
        if not rules.may_correct(current.created_at, now, correction_hours()):
            raise_errors(
                {
                    NON_FIELD_ERRORS: _(
                        "The time to correct this note has passed: write a new note "
                        "that corrects it."
                    )
                }
            )
        check_version(version, current.version)
        unknown = set(changes) - {"noted_on", "kind", "text"}
        if unknown:
            raise_errors(dict.fromkeys(sorted(unknown), _("This field cannot be changed.")))
        values = {
            "noted_on": changes.get("noted_on", current.noted_on),
            "kind": changes.get("kind", current.kind),
            "text": changes.get("text", current.text),
        }
        raise_errors(_note_errors(values["noted_on"], values["kind"], values["text"], now.date()))
        values["text"] = values["text"].strip()
        changed = sorted(k for k, v in values.items() if getattr(current, k) != v)
        if not changed:
            return current
        save_if_current(CaseNote, current.pk, version, {**values, "updated_at": now})
        # Which fields changed, never their values: the text is personal data.
        audit.record(
            user, AuditAction.CHANGE, current, request=request, changes={"fields": changed}
        )
    return CaseNote.objects.select_related("author", "woman", "child").get(pk=note.pk)


# Assignments


def eligible_workers(woman: Woman) -> QuerySet[User]:
    """The users who may be assigned to her: active users of her organisation with a role
    that changes the register (a liaison officer only with a prison, as the policy says)."""
    roles = [r for r, caps in ROLE_CAPABILITIES.items() if Capability.EDIT_REGISTER in caps]
    return (
        User.objects.filter(organisation_id=woman.organisation_id, is_active=True, role__in=roles)
        .exclude(role=Role.PRISON_LIAISON, prison__isnull=True)
        .order_by("username")
    )


def worker_named(username: str) -> User:
    """The user a case worker is named by (`actions.AssignIn.worker`)."""
    return named(User.objects.filter(username=username), "worker", NO_SUCH_USER)


def assign(
    user: User,
    woman: Woman,
    worker: User,
    *,
    child: Child | None = None,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> Assignment:
    """Assign a case worker of her organisation to a woman, or to her child."""
    require_edit(user, woman)
    if child is not None and child.mother_id != woman.pk:
        raise_errors({"child": _("This child is not hers.")})
    if not eligible_workers(woman).filter(pk=worker.pk).exists():
        raise_errors(
            {
                "worker": _(
                    "Only a user of the organisation that owns this record, with a role "
                    "that changes the register, can be its case worker."
                )
            }
        )
    with transaction.atomic():
        exists = Assignment.objects.filter(woman=woman, child=child, worker=worker)
        if exists.exists():
            raise_errors({"worker": _("%(user)s is already assigned.") % {"user": worker.username}})
        assignment = Assignment.objects.create(
            woman=woman,
            child=child,
            worker=worker,
            assigned_on=clock.today(today),
            assigned_by=user,
        )
        audit.record(
            user,
            AuditAction.CREATE,
            assignment,
            request=request,
            object_ref=(child or woman).reference,
            changes={"assigned": worker.username},
        )
    return assignment


def unassign(user: User, assignment: Assignment, *, request: HttpRequest | None = None) -> None:
    """End a case worker's assignment; the audit trail keeps who it was and who ended it."""
    require_edit(user, assignment.woman)
    with transaction.atomic():
        subject = assignment.child or assignment.woman
        Assignment.objects.filter(pk=assignment.pk).delete()
        audit.record(
            user,
            AuditAction.DELETE,
            object_type=Assignment._meta.label,
            object_ref=subject.reference,
            request=request,
            changes={"unassigned": assignment.worker.username},
        )


# Documents


@dataclass(frozen=True)
class Upload:
    """A received file: its bytes (in memory, see `vault.uploads`) and the name it came with."""

    data: bytes
    file_name: str


def reencode_image(data: bytes, file_type: DocumentType) -> bytes:
    """The image drawn again, without its metadata (EXIF: the camera, the place it was
    taken, the time), turned upright as the camera recorded it."""
    Image.MAX_IMAGE_PIXELS = rules.IMAGE_MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            {"file": [_("The image cannot be read: it is damaged or too large.")]}
        ) from exc
    if file_type == DocumentType.JPEG and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    # A new image from the pixels alone (and the palette): no EXIF, no XMP, no text
    # chunks, no ICC profile, whatever the encoder would otherwise copy.
    clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    if upright.mode == "P":
        clean.putpalette(upright.getpalette() or [])
        if "transparency" in upright.info:
            clean.info["transparency"] = upright.info["transparency"]
    out = io.BytesIO()
    if file_type == DocumentType.JPEG:
        clean.save(out, format="JPEG", quality=90)
    else:
        clean.save(out, format="PNG")
    return out.getvalue()


def _target_errors(
    woman: Woman, child: Child | None, legal_case: Any, candidate: Any
) -> dict[str, str]:
    errors = {}
    if child is not None and child.mother_id != woman.pk:
        errors["child"] = _("This child is not hers.")
    if legal_case is not None and legal_case.episode.woman_id != woman.pk:
        errors["legal_case"] = _("This legal case is not hers.")
    if candidate is not None and candidate.woman_id != woman.pk:
        errors["candidate"] = _("This candidacy is not hers.")
    if sum(x is not None for x in (child, legal_case, candidate)) > 1:
        errors[NON_FIELD_ERRORS] = _(
            "A document is filed on one record: her, a child, a legal case or a candidacy."
        )
    return errors


def upload_document(
    user: User,
    woman: Woman,
    upload: Upload,
    *,
    title: str,
    child: Child | None = None,
    legal_case: Any = None,
    candidate: Any = None,
    request: HttpRequest | None = None,
) -> Document:
    """File a document on her record (or her child's, a legal case's, a candidacy's). The
    type is read from the content; images are drawn again without their metadata; the file
    is stored encrypted, and removed again if the record cannot be written."""
    require_edit(user, woman)
    errors = _target_errors(woman, child, legal_case, candidate)
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the document a title.")
    elif len(title) > 200 or "\x00" in title:
        errors["title"] = _("A title has at most 200 characters.")
    limit = int(getattr(settings, "MOTHERLINE_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024))
    if len(upload.data) > limit:
        errors["file"] = too_large_message()
    else:
        file_type = rules.sniff_type(upload.data)
        problem = rules.type_error(upload.data, file_type)
        if problem:
            errors["file"] = problem
    raise_errors(errors)
    assert file_type is not None
    data = upload.data
    if file_type in (DocumentType.JPEG, DocumentType.PNG):
        data = reencode_image(data, file_type)
    name = files.store([data])
    try:
        with transaction.atomic():
            document = Document.objects.create(
                woman=woman,
                child=child,
                legal_case=legal_case,
                candidate=candidate,
                title=title,
                file_name=rules.safe_file_name(upload.file_name, file_type),
                file_type=file_type,
                size=len(data),
                stored_as=name,
                uploaded_by=user,
            )
            audit.record(
                user,
                AuditAction.CREATE,
                document,
                request=request,
                changes={
                    "woman": woman.reference,
                    "on": _attached_to(document),
                    "type": file_type.value,
                    "size": len(data),
                },
            )
    except BaseException:
        files.delete(name)
        raise
    return document


def _attached_to(document: Document) -> str:
    if document.child is not None:
        return f"child {document.child.reference}"
    if document.legal_case_id:
        return f"legal case {document.legal_case_id}"
    if document.candidate_id:
        return f"candidate {document.candidate_id}"
    return "woman"


def too_large_message() -> str:
    limit = int(getattr(settings, "MOTHERLINE_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024))
    return _("The file is larger than the limit of %(mb)s MB.") % {
        "mb": f"{limit / (1024 * 1024):g}"
    }


def open_document(
    user: User, document: Document, *, request: HttpRequest | None = None
) -> BinaryIO:
    """The document's content to send to a user who may see it; the read is audited."""
    if not Document.objects.visible_to(user).filter(pk=document.pk).exists():
        raise PermissionDenied
    plain = files.open_plain(document.stored_as)
    audit.record(
        user,
        AuditAction.EXPORT,
        document,
        request=request,
        changes={"woman": document.woman.reference, "document": "download"},
    )
    return plain


def file_dossier(
    user: User, candidate: Any, language: str, *, request: HttpRequest | None = None
) -> Document:
    """File the candidate's pardon dossier, as it reads today, as a document of the
    candidacy: what was sent stays, though the record moves on."""
    from motherline.legal import dossier

    problem = candidate.woman.organisation.jurisdiction.document_language_problem(language)
    if problem:
        raise_errors({"language": problem})
    pdf = dossier.render(candidate, language)
    day = timezone.localdate().isoformat()
    return upload_document(
        user,
        candidate.woman,
        Upload(pdf, f"dossier-{candidate.woman.reference}-{language}-{day}.pdf"),
        title=_("Pardon dossier (%(language)s), %(day)s")
        % {
            "language": language_name(language),
            "day": format_day(timezone.localdate()),
        },
        candidate=candidate,
        request=request,
    )
