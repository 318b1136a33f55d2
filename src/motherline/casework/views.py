"""Pages of case work: notes, case workers and documents of a woman or a child, "My cases",
the managers' case loads, and the sections these add to a woman's and a child's page.

Each view checks the capability, finds the record within the user's scope (a 404 outside
it; a partner who sees a record read-only is refused a change with a 403), and hands the
form's values to `casework.services`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User
from motherline.accounts.policy import Capability, can, may_edit, require
from motherline.casework import documents, forms, queries, services
from motherline.casework.models import Assignment, CaseNote, Document, Referral
from motherline.core.actions import run_form_action
from motherline.core.actors import AuthenticatedRequest
from motherline.core.forms import add_service_errors, posted
from motherline.core.versions import StaleVersion
from motherline.legal.models import LegalCase, ReleaseCandidate
from motherline.people.models import Child, Woman
from motherline.people.signals import PageSection
from motherline.people.timeline import Event, child_label
from motherline.vault import uploads


@dataclass(frozen=True)
class Subject:
    """The record case work is about: a woman, or one of her children."""

    woman: Woman
    child: Child | None = None

    @property
    def record(self) -> Woman | Child:
        return self.child or self.woman

    @property
    def kind(self) -> str:
        return "child" if self.child else "woman"

    @property
    def page_url(self) -> str:
        name = "people:child" if self.child else "people:woman"
        return reverse(name, args=[self.record.reference])

    def url(self, what: str) -> str:
        return reverse(f"casework:{self.kind}_{what}", args=[self.record.reference])

    @property
    def url_notes(self) -> str:
        return self.url("notes")

    @property
    def url_workers(self) -> str:
        return self.url("workers")

    @property
    def url_documents(self) -> str:
        return self.url("documents")

    @property
    def url_refer(self) -> str:
        return reverse(f"casework:refer_{self.kind}", args=[self.record.reference])

    @property
    def url_consents(self) -> str:
        return reverse("casework:consents", args=[self.woman.reference])


def _subject(request: AuthenticatedRequest, kind: str, reference: str) -> Subject:
    """The woman or child by reference, within the user's scope (404 outside it)."""
    if kind == "child":
        child = get_object_or_404(
            Child.objects.visible_to(request.user).select_related("mother"), reference=reference
        )
        return Subject(child.mother, child)
    return Subject(get_object_or_404(Woman.objects.visible_to(request.user), reference=reference))


def _require_change(request: AuthenticatedRequest, subject: Subject) -> None:
    """A change: the role must edit the register (403), and the record be the user's
    organisation's, not a partner's shared read-only (403)."""
    if not may_edit(request.user, subject.woman):
        raise PermissionDenied


def _of_woman_and_child(
    page: Callable[[AuthenticatedRequest, str, str], HttpResponse],
) -> tuple[Callable[[AuthenticatedRequest, str], HttpResponse], ...]:
    """A page of case work as two views: of a woman's record, and of a child's (by
    reference)."""

    def of(kind: str) -> Callable[[AuthenticatedRequest, str], HttpResponse]:
        def view(request: AuthenticatedRequest, reference: str) -> HttpResponse:
            return page(request, kind, reference)

        view.__name__ = f"{kind}_{page.__name__.strip('_').removesuffix('_page')}"
        return login_required(view)

    return of("woman"), of("child")


def _note_events(notes: list[CaseNote]) -> list[Event]:
    return [
        Event(
            note.noted_on,
            "case_note",
            _("%(kind)s note by %(author)s%(about)s.")
            % {
                "kind": note.get_kind_display(),
                "author": note.author.username,
                "about": f" ({child_label(note.child)})" if note.child_id else "",
            },
        )
        for note in notes
    ]


def _section(
    user: User, subject: Subject, may_change: bool, request: HttpRequest | None
) -> PageSection:
    # One query for the section's notes and, on her page, the timeline's (hers and her
    # children's): the page's count of queries does not grow with the section.
    if subject.child is None:
        timeline_notes = list(
            CaseNote.objects.visible_to(user)
            .filter(woman=subject.woman)
            .select_related("author", "child", "corrects")
            .order_by("-noted_on", "-id")[:200]
        )
        notes = [n for n in timeline_notes if n.child_id is None][: queries.NOTES_ON_PAGE]
        candidacies = list(
            ReleaseCandidate.objects.filter(woman=subject.woman).select_related("round")
        )
    else:
        timeline_notes, candidacies = [], []
        notes = list(queries.notes(user, child=subject.child)[: queries.NOTES_ON_PAGE])
    documents = queries.documents(user, woman=subject.woman, child=subject.child)
    if notes or documents:
        audit.record(
            user,
            AuditAction.VIEW,
            object_type=CaseNote._meta.label,
            object_ref=subject.record.reference,
            request=request,
            changes={"notes": [n.pk for n in notes], "documents": [d.pk for d in documents]},
        )
    may_change = may_change and can(user, Capability.EDIT_REGISTER)
    for note in notes:
        note.may_correct = may_change and services.may_correct(user, note, editable=True)
    return PageSection(
        template="casework/_section.html",
        context={
            "subject": subject,
            "notes": notes,
            "assignments": queries.assignments(user, woman=subject.woman, child=subject.child),
            "documents": documents,
            "may_edit": may_change,
            "note_form": forms.NoteForm(initial={"noted_on": timezone.localdate()}),
            "document_form": (
                forms.DocumentForm(targets=_targets(subject, candidacies)) if may_change else None
            ),
            "candidacies": candidacies,
            # The languages a dossier may be filed in (asked only when she has one).
            "document_languages": (
                subject.woman.organisation.jurisdiction.languages_of_documents()
                if candidacies
                else []
            ),
            "referrals": list(
                Referral.objects.visible_to(user)
                .filter(woman=subject.woman, child=subject.child)
                .select_related("woman", "child", "from_organisation", "to_organisation")[:20]
            ),
            "max_mb": settings.MOTHERLINE_DOCUMENT_MAX_BYTES / (1024 * 1024),
        },
        order=50,
        stylesheets=["casework/casework.css"],
        events=_note_events(timeline_notes),
    )


def woman_section(
    sender: Any,
    *,
    woman: Woman,
    user: User,
    may_edit: bool,
    request: HttpRequest | None = None,
    **kw: Any,
) -> PageSection | None:
    """Her notes, case workers and documents (receiver of `woman_page_sections`)."""
    return _section(user, Subject(woman), may_edit, request)


def child_section(
    sender: Any,
    *,
    child: Child,
    user: User,
    may_edit: bool,
    request: HttpRequest | None = None,
    **kw: Any,
) -> PageSection | None:
    """The child's notes, case workers and documents (receiver of `child_page_sections`)."""
    return _section(user, Subject(child.mother, child), may_edit, request)


# Notes


def _notes_page(request: AuthenticatedRequest, kind: str, reference: str) -> HttpResponse:
    require(request.user, Capability.VIEW_REGISTER)
    subject = _subject(request, kind, reference)
    form = forms.NoteForm(initial={"noted_on": timezone.localdate()})
    if request.method == "POST":
        require(request.user, Capability.EDIT_REGISTER)
        _require_change(request, subject)
        form = forms.NoteForm(request.POST)

        def add(data: dict[str, Any]) -> None:
            note_in = form.action_input()
            services.add_note(
                request.user,
                subject.woman,
                child=subject.child,
                **note_in.model_dump(exclude={"corrects"}),
                corrects=services.note_corrected(request.user, note_in.corrects),
                request=request,
            )

        done = run_form_action(
            request,
            form,
            add,
            done=_("The note has been saved."),
            go_to=subject.page_url + "#casework",
        )
        if done is not None:
            return done
    page = queries.note_page(
        queries.notes(request.user, woman=subject.woman, child=subject.child),
        request.GET.get("after"),
        settings.MOTHERLINE_PAGE_SIZE,
    )
    audit.record(
        request.user,
        AuditAction.VIEW,
        object_type=CaseNote._meta.label,
        object_ref=subject.record.reference,
        request=request,
        changes={"notes": [n.pk for n in page.items]},
    )
    may_change = may_edit(request.user, subject.woman) and can(
        request.user, Capability.EDIT_REGISTER
    )
    note: Any  # marked for the page: may the user correct it
    for note in page.items:
        note.may_correct = may_change and services.may_correct(request.user, note, editable=True)
    return render(
        request,
        "casework/notes.html",
        {
            "subject": subject,
            "heading": _("Case notes"),
            "page": page,
            "form": form,
            "may_edit": may_change,
        },
    )


# All of a woman's (a child's) notes, newest first, a page at a time; a new note (POST).
woman_notes, child_notes = _of_woman_and_child(_notes_page)


@login_required
def correct_note(request: AuthenticatedRequest, note_id: int) -> HttpResponse:
    """Correct a note: in place by its author within the time allowed, else as a new note
    that refers to it."""
    require(request.user, Capability.EDIT_REGISTER)
    note = get_object_or_404(
        CaseNote.objects.visible_to(request.user).select_related("woman", "child", "author"),
        pk=note_id,
    )
    subject = Subject(note.woman, note.child)
    _require_change(request, subject)
    in_place = services.may_correct(request.user, note)
    initial = {"noted_on": note.noted_on, "kind": note.kind, "text": note.text}
    if in_place:
        initial["version"] = note.version
    else:
        initial.update(corrects=note.pk, noted_on=timezone.localdate())
    form_class = forms.NoteCorrectionForm if in_place else forms.NoteForm
    form = form_class(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if in_place:
                services.correct_note(
                    request.user,
                    note,
                    {"noted_on": data["noted_on"], "kind": data["kind"], "text": data["text"]},
                    version=data["version"],
                    request=request,
                )
            else:
                services.add_note(
                    request.user,
                    subject.woman,
                    child=subject.child,
                    noted_on=data["noted_on"],
                    kind=data["kind"],
                    text=data["text"],
                    corrects=note,
                    request=request,
                )
        except StaleVersion:
            messages.error(request, _("Someone changed this note meanwhile: check and retry."))
            return redirect(reverse("casework:correct_note", args=[note.pk]))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The correction has been saved."))
            return redirect(subject.page_url + "#casework")
    audit.record(request.user, AuditAction.VIEW, note, request=request)
    return render(
        request,
        "casework/correct_note.html",
        {
            "note": note,
            "subject": subject,
            "heading": _("Correct a note"),
            "form": form,
            "in_place": in_place,
        },
    )


# Case workers


def _workers_page(request: AuthenticatedRequest, kind: str, reference: str) -> HttpResponse:
    require(request.user, Capability.VIEW_REGISTER)
    subject = _subject(request, kind, reference)
    workers = {"worker": forms.worker_choices(services.eligible_workers(subject.woman))}
    form = forms.AssignForm(options=workers)
    if request.method == "POST":
        require(request.user, Capability.EDIT_REGISTER)
        _require_change(request, subject)
        try:
            if "unassign" in request.POST:
                assignment = get_object_or_404(
                    Assignment.objects.filter(woman=subject.woman, child=subject.child),
                    pk=_int(request.POST.get("unassign")),
                )
                services.unassign(request.user, assignment, request=request)
                messages.success(request, _("The case worker is no longer assigned."))
                return redirect(subject.url("workers"))
            form = forms.AssignForm(request.POST, options=workers)
            if form.is_valid():
                services.assign(
                    request.user,
                    subject.woman,
                    services.worker_named(form.action_input().worker),
                    child=subject.child,
                    request=request,
                )
                messages.success(request, _("The case worker has been assigned."))
                return redirect(subject.url("workers"))
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "casework/workers.html",
        {
            "subject": subject,
            "heading": _("Case workers"),
            "assignments": queries.assignments(
                request.user, woman=subject.woman, child=subject.child
            ),
            "form": form,
            "may_edit": may_edit(request.user, subject.woman)
            and can(request.user, Capability.EDIT_REGISTER),
        },
    )


# The case workers of a woman (a child); assign one or end an assignment (POST).
woman_workers, child_workers = _of_woman_and_child(_workers_page)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@login_required
def my_cases(request: AuthenticatedRequest) -> HttpResponse:
    """The women and children assigned to the signed-in user, the next due item first."""
    require(request.user, Capability.VIEW_REGISTER)
    cases = queries.my_cases(request.user)
    audit.record(
        request.user,
        AuditAction.VIEW,
        object_type=Assignment._meta.label,
        object_ref="my-cases",
        request=request,
        changes={"records": [(a.child or a.woman).reference for a in cases]},
    )
    return render(
        request, "casework/my_cases.html", {"cases": cases, "today": timezone.localdate()}
    )


@login_required
def case_loads(request: AuthenticatedRequest) -> HttpResponse:
    """A manager's view of the organisation's case workers: how many cases, how many
    overdue worklist items. Counts only: no one is named but the workers."""
    require(request.user, Capability.MANAGE_PROGRAMME)
    today = timezone.localdate()
    return render(
        request,
        "casework/case_loads.html",
        {"loads": queries.case_loads(request.user, today), "today": today},
    )


# Documents


def _targets(subject: Subject, candidacies: list[Any] | None = None) -> list[tuple[str, str]]:
    """What a document can be filed on from this page: the record itself, and from a
    woman's page her children, legal cases and candidacies."""
    if subject.child is not None:
        return [("", _("This child's record"))]
    targets = [("", _("Her record"))]
    for child in subject.woman.children.all():
        targets.append((f"child:{child.pk}", _("Child %(child)s") % {"child": child_label(child)}))
    cases = LegalCase.objects.filter(episode__woman=subject.woman).select_related("court")
    for case in cases.order_by("-opened_on"):
        label = _("Legal case: %(stage)s") % {"stage": case.get_stage_display()}
        targets.append((f"case:{case.pk}", label + (f" · {case.court}" if case.court else "")))
    if candidacies is None:
        candidacies = list(
            ReleaseCandidate.objects.filter(woman=subject.woman).select_related("round")
        )
    for candidate in candidacies:
        targets.append(
            (
                f"candidate:{candidate.pk}",
                _("Candidacy: %(round)s") % {"round": candidate.round.title},
            )
        )
    return targets


def _target_records(subject: Subject, choice: str) -> dict[str, Any]:
    if subject.child is not None or not choice:
        return {"child": subject.child}
    kind, _sep, pk = choice.partition(":")
    found: dict[str, Any] = {
        "child": Child.objects.filter(mother=subject.woman, pk=_int(pk)).first,
        "case": LegalCase.objects.filter(episode__woman=subject.woman, pk=_int(pk)).first,
        "candidate": ReleaseCandidate.objects.filter(woman=subject.woman, pk=_int(pk)).first,
    }
    record = found[kind]() if kind in found else None
    if record is None:
        raise ValidationError({"attach_to": [_("Choose where to file the document.")]})
    return {{"case": "legal_case"}.get(kind, kind): record}


def _documents_page(request: AuthenticatedRequest, kind: str, reference: str) -> HttpResponse:
    require(request.user, Capability.VIEW_REGISTER)
    subject = _subject(request, kind, reference)
    targets = _targets(subject)
    form = forms.DocumentForm(targets=targets)
    status = 200
    if request.method == "POST":
        require(request.user, Capability.EDIT_REGISTER)
        _require_change(request, subject)
        form = forms.DocumentForm(request.POST, request.FILES, targets=targets)
        if uploads.refusal(request) == uploads.TOO_LARGE:
            form.is_valid()
            form.errors.pop("file", None)
            form.add_error("file", services.too_large_message())
            status = 413
        else:

            def upload(data: dict[str, Any]) -> None:
                records = _target_records(subject, data["attach_to"])
                file = data["file"]
                services.upload_document(
                    request.user,
                    subject.woman,
                    services.Upload(file.read(), file.name or ""),
                    title=data["title"],
                    request=request,
                    **records,
                )

            done = run_form_action(
                request,
                form,
                upload,
                done=_("The document has been filed."),
                go_to=subject.page_url + "#casework",
            )
            if done is not None:
                return done
    documents = queries.documents(request.user, woman=subject.woman, child=subject.child)
    audit.record(
        request.user,
        AuditAction.VIEW,
        object_type=Document._meta.label,
        object_ref=subject.record.reference,
        request=request,
        changes={"documents": [d.pk for d in documents]},
    )
    return render(
        request,
        "casework/documents.html",
        {
            "subject": subject,
            "heading": _("Documents"),
            "documents": documents,
            "form": form,
            "may_edit": may_edit(request.user, subject.woman)
            and can(request.user, Capability.EDIT_REGISTER),
            "max_mb": settings.MOTHERLINE_DOCUMENT_MAX_BYTES / (1024 * 1024),
        },
        status=status,
    )


# A woman's (a child's) documents; file one (POST).
woman_documents, child_documents = _of_woman_and_child(_documents_page)


@login_required
@require_GET
def download(request: AuthenticatedRequest, document_id: int) -> FileResponse:
    """A document's content, only to whom its woman's record is visible; the read is on the
    audit trail; never cached, always saved rather than shown inline."""
    require(request.user, Capability.VIEW_REGISTER)
    return documents.download(request.user, document_id, request=request)


@login_required
@require_POST
def file_dossier(request: AuthenticatedRequest, candidate_id: int) -> HttpResponse:
    """File the candidate's pardon dossier (as it reads today) as a document."""
    require(request.user, Capability.EDIT_REGISTER)
    candidate = get_object_or_404(
        ReleaseCandidate.objects.visible_to(request.user).select_related("woman", "round"),
        pk=candidate_id,
    )
    if not may_edit(request.user, candidate.woman):
        raise PermissionDenied
    target = reverse("people:woman", args=[candidate.woman.reference]) + "#casework"
    try:
        services.file_dossier(
            request.user, candidate, request.POST.get("language", ""), request=request
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The dossier has been filed as a document."))
    return redirect(target)
