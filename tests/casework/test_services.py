"""Case notes, assignments and documents through `casework.services`: who may, what is
checked, what is written and audited."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from PIL import Image

from motherline.accounts.models import AuditEvent
from motherline.casework import services
from motherline.casework.models import Assignment, CaseNote, Document
from motherline.core.inputs import NOTE_MAX
from motherline.core.versions import StaleVersion
from motherline.vault import files
from tests.casework.conftest import (
    SECRET,
    docx_bytes,
    jpeg_with_location,
    pdf_bytes,
    png_with_text,
)
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def note(user, woman, **fields):
    values = {"noted_on": TODAY, "kind": "prison_visit", "text": SECRET, **fields}
    return services.add_note(user, woman, **values)


# Notes


def test_a_note_is_written_encrypted_and_audited_without_its_text(users, mother):
    written = note(users["monitor"], mother)
    assert CaseNote.objects.get().text == SECRET
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM casework_casenote")
        (stored,) = cursor.fetchone()
    assert SECRET not in stored and stored.startswith("gAAAA")
    event = AuditEvent.objects.get(object_type="casework.CaseNote", action="create")
    assert event.object_ref == str(written.pk)
    assert SECRET not in str(event.changes) and event.changes["woman"] == mother.reference


def test_a_note_on_a_child_names_the_child_and_its_mother(users, mother, child):
    written = note(users["monitor"], mother, child=child, kind="home_visit")
    assert (written.woman, written.child) == (mother, child)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": "  "}, "text"),
        ({"text": "x" * (NOTE_MAX + 1)}, "text"),
        ({"text": "a\x00b"}, "text"),
        ({"kind": "gossip"}, "kind"),
        ({"noted_on": TODAY + timedelta(days=1)}, "noted_on"),
        ({"noted_on": TODAY.replace(year=1999)}, "noted_on"),
    ],
)
def test_a_bad_note_is_refused_by_field_and_nothing_is_written(users, mother, fields, field):
    with pytest.raises(ValidationError) as refused:
        note(users["monitor"], mother, **fields)
    assert field in refused.value.message_dict
    assert not CaseNote.objects.exists()


def test_a_note_at_the_length_limit_is_kept_whole(users, mother):
    text = "ក" * NOTE_MAX
    assert note(users["monitor"], mother, text=text).text == text


def test_a_partner_or_a_viewer_may_not_write_a_note(users, mother):
    for who in ("un_monitor", "viewer", "other_monitor"):
        with pytest.raises(PermissionDenied):
            note(users[who], mother)
    assert not CaseNote.objects.exists()


def test_the_author_corrects_a_note_within_the_window_with_the_version_read(users, mother):
    written = note(users["monitor"], mother)
    fixed = services.correct_note(
        users["monitor"], written, {"text": "Corrected", "kind": "phone"}, version=1
    )
    assert (fixed.text, fixed.kind, fixed.version) == ("Corrected", "phone", 2)
    event = AuditEvent.objects.get(object_type="casework.CaseNote", action="change")
    assert event.changes == {"fields": ["kind", "text"]}
    with pytest.raises(StaleVersion):
        services.correct_note(users["monitor"], written, {"text": "Again"}, version=1)
    assert CaseNote.objects.get().text == "Corrected"


def test_after_the_window_a_correction_is_a_new_note_that_refers_to_it(users, mother, settings):
    settings.MOTHERLINE_NOTE_CORRECTION_HOURS = 24
    written = note(users["monitor"], mother)
    later = timezone.now() + timedelta(hours=25)
    assert not services.may_correct(users["monitor"], written, now=later)
    with pytest.raises(ValidationError):
        services.correct_note(users["monitor"], written, {"text": "Late"}, version=1, now=later)
    assert CaseNote.objects.get().text == SECRET
    correction = note(users["monitor"], mother, text="What she meant", corrects=written)
    assert correction.corrects == written and written.corrections.get() == correction


def test_only_the_author_corrects_in_place(users, mother):
    written = note(users["monitor"], mother)
    assert not services.may_correct(users["legal_officer"], written)
    with pytest.raises(ValidationError):
        services.correct_note(users["legal_officer"], written, {"text": "Mine"}, version=1)
    assert CaseNote.objects.get().text == SECRET


# Assignments


def test_a_worker_of_the_owning_organisation_is_assigned_and_unassigned(users, mother, child):
    monitor = users["monitor"]
    assignment = services.assign(monitor, mother, users["legal_officer"])
    services.assign(monitor, mother, monitor, child=child)
    assert set(Assignment.objects.values_list("worker__username", "child")) == {
        ("legal_officer", None),
        ("monitor", child.pk),
    }
    with pytest.raises(ValidationError):
        services.assign(monitor, mother, users["legal_officer"])
    services.unassign(monitor, assignment)
    assert Assignment.objects.count() == 1
    trail = AuditEvent.objects.filter(object_type="casework.Assignment").order_by("id")
    assert [(e.action, e.object_ref, e.changes) for e in trail] == [
        ("create", mother.reference, {"assigned": "legal_officer"}),
        ("create", child.reference, {"assigned": "monitor"}),
        ("delete", mother.reference, {"unassigned": "legal_officer"}),
    ]


@pytest.mark.parametrize("who", ["un_monitor", "other_monitor", "viewer", "analyst"])
def test_only_users_of_her_organisation_who_edit_the_register_can_be_assigned(users, mother, who):
    with pytest.raises(ValidationError) as refused:
        services.assign(users["monitor"], mother, users[who])
    assert "worker" in refused.value.message_dict
    assert not Assignment.objects.exists()


# Documents


def stored_bytes(document: Document) -> bytes:
    return files.path_of(document.stored_as).read_bytes()


@pytest.mark.parametrize(("data", "file_type"), [(pdf_bytes(), "pdf"), (docx_bytes(), "docx")])
def test_a_document_is_stored_encrypted_and_read_back_whole(users, mother, data, file_type):
    document = services.upload_document(
        users["monitor"], mother, services.Upload(data, "court order.exe"), title="Court order"
    )
    assert document.file_type == file_type
    assert document.file_name == f"court order.{file_type}"
    raw = stored_bytes(document)
    assert SECRET.encode() not in raw and data[:64] not in raw
    with services.open_document(users["monitor"], document) as plain:
        assert plain.read() == data
    assert AuditEvent.objects.filter(object_type="casework.Document", action="export").exists()


@pytest.mark.parametrize(
    "data",
    [b"", b"MZ\x90\x00 an executable", b"PK\x03\x04 not a zip", b"%PDF-1.4 cut short", b"<html>"],
)
def test_a_file_that_is_not_one_of_the_types_is_refused_whatever_its_name(users, mother, data):
    with pytest.raises(ValidationError) as refused:
        services.upload_document(
            users["monitor"], mother, services.Upload(data, "letter.pdf"), title="Letter"
        )
    assert "file" in refused.value.message_dict
    assert not Document.objects.exists() and files.stored_names() == []


def test_a_photo_loses_its_location_and_camera_when_filed(users, mother):
    document = services.upload_document(
        users["monitor"], mother, services.Upload(jpeg_with_location(), "photo.jpg"), title="Cell"
    )
    with services.open_document(users["monitor"], document) as plain:
        kept = plain.read()
    image = Image.open(io.BytesIO(kept))
    assert image.size == (64, 48)
    assert not image.getexif() and b"SecretCam" not in kept and b"GPS" not in kept


def test_a_png_loses_its_text_chunks(users, mother):
    document = services.upload_document(
        users["monitor"], mother, services.Upload(png_with_text(), "p.png"), title="Home"
    )
    with services.open_document(users["monitor"], document) as plain:
        kept = plain.read()
    assert SECRET.encode() not in kept and Image.open(io.BytesIO(kept)).size == (32, 32)


def test_a_file_over_the_limit_is_refused(users, mother, settings):
    settings.MOTHERLINE_DOCUMENT_MAX_BYTES = 1000
    with pytest.raises(ValidationError):
        services.upload_document(
            users["monitor"], mother, services.Upload(pdf_bytes("x" * 2000), "a.pdf"), title="A"
        )
    assert not Document.objects.exists()


def test_a_document_of_another_womans_child_is_refused(users, mother, prisons):
    from tests.factories import admit, child_in_prison, children_of

    other = admit(
        users["monitor"], prisons["CC2"], children=[child_in_prison(TODAY - timedelta(days=300))]
    )
    with pytest.raises(ValidationError) as refused:
        services.upload_document(
            users["monitor"],
            mother,
            services.Upload(pdf_bytes(), "a.pdf"),
            title="A",
            child=children_of(other)[0],
        )
    assert "child" in refused.value.message_dict


def test_a_partner_may_not_file_a_document(users, mother):
    with pytest.raises(PermissionDenied):
        services.upload_document(
            users["un_monitor"], mother, services.Upload(pdf_bytes(), "a.pdf"), title="A"
        )
    assert files.stored_names() == []


def test_a_document_filed_on_her_legal_case(users, mother):
    from motherline.legal import services as legal_services

    case = legal_services.open_case(users["legal_officer"], mother, {"stage": "trial"})
    document = services.upload_document(
        users["legal_officer"],
        mother,
        services.Upload(pdf_bytes(), "judgment.pdf"),
        title="Judgment",
        legal_case=case,
    )
    assert (document.legal_case, document.woman, document.child) == (case, mother, None)
    assert case.documents.get() == document
