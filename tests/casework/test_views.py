"""The pages of case work: the section on a woman's and a child's page, writing and
correcting notes, assigning case workers, filing and downloading documents, My cases and
the case loads."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motherline.accounts.models import AuditEvent
from motherline.casework import services
from motherline.casework.models import Assignment, CaseNote, Document
from motherline.vault import files
from motherline.worklist import deadlines
from tests.casework.conftest import SECRET, jpeg_with_location, pdf_bytes
from tests.conftest import TODAY
from tests.legal.conftest import criteria  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def test_a_monitor_writes_a_note_from_the_womans_page(client, users, mother):
    signed_in(client, users["monitor"])
    page = client.get(reverse("people:woman", args=[mother.reference]))
    assert page.status_code == 200 and b'id="casework"' in page.content
    response = client.post(
        reverse("casework:woman_notes", args=[mother.reference]),
        {"noted_on": TODAY.isoformat(), "kind": "prison_visit", "text": SECRET},
    )
    assert response.status_code == 302
    assert response.url.endswith(reverse("people:woman", args=[mother.reference]) + "#casework")
    note = CaseNote.objects.get()
    assert (note.author, note.woman, note.child, note.text) == (
        users["monitor"],
        mother,
        None,
        SECRET,
    )
    page = client.get(reverse("people:woman", args=[mother.reference]))
    assert SECRET in page.content.decode()
    # In the timeline too, by its kind and author.
    assert "Prison visit note by monitor" in page.content.decode()
    assert AuditEvent.objects.filter(
        object_type="casework.CaseNote", action="view", object_ref=mother.reference
    ).exists()


def test_notes_are_newest_first_and_paged(client, users, mother, settings):
    settings.MOTHERLINE_PAGE_SIZE = 2
    for days in (5, 1, 3):
        services.add_note(
            users["monitor"],
            mother,
            noted_on=TODAY - timedelta(days=days),
            kind="phone",
            text=f"day {days}",
        )
    signed_in(client, users["monitor"])
    first = client.get(reverse("casework:woman_notes", args=[mother.reference]))
    assert [n.text for n in first.context["page"].items] == ["day 1", "day 3"]
    cursor = first.context["page"].next_cursor
    second = client.get(reverse("casework:woman_notes", args=[mother.reference]), {"after": cursor})
    assert [n.text for n in second.context["page"].items] == ["day 5"]
    assert second.context["page"].next_cursor is None


def test_a_bad_note_shows_its_error_and_writes_nothing(client, users, child):
    signed_in(client, users["monitor"])
    response = client.post(
        reverse("casework:child_notes", args=[child.reference]),
        {"noted_on": (TODAY + timedelta(days=2)).isoformat(), "kind": "phone", "text": "x"},
    )
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not CaseNote.objects.exists()


def test_a_late_correction_is_written_as_a_new_note(client, users, mother, settings):
    note = services.add_note(users["monitor"], mother, noted_on=TODAY, kind="phone", text="First")
    settings.MOTHERLINE_NOTE_CORRECTION_HOURS = 0
    signed_in(client, users["monitor"])
    url = reverse("casework:correct_note", args=[note.pk])
    assert "can no longer be changed" in client.get(url).content.decode()
    response = client.post(
        url,
        {"noted_on": TODAY.isoformat(), "kind": "phone", "text": "Second", "corrects": note.pk},
    )
    assert response.status_code == 302
    assert CaseNote.objects.get(pk=note.pk).text == "First"
    assert CaseNote.objects.get(corrects=note).text == "Second"


def test_the_author_corrects_in_place_within_the_window(client, users, mother):
    note = services.add_note(users["monitor"], mother, noted_on=TODAY, kind="phone", text="First")
    signed_in(client, users["monitor"])
    response = client.post(
        reverse("casework:correct_note", args=[note.pk]),
        {"noted_on": TODAY.isoformat(), "kind": "court", "text": "Fixed", "version": 1},
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.text, note.kind, note.version, CaseNote.objects.count()) == (
        "Fixed",
        "court",
        2,
        1,
    )


def test_assigning_and_unassigning_a_case_worker(client, users, mother):
    signed_in(client, users["monitor"])
    url = reverse("casework:woman_workers", args=[mother.reference])
    response = client.post(url, {"worker": users["legal_officer"].username})
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert assignment.worker == users["legal_officer"]
    refused = client.post(url, {"worker": users["un_monitor"].username})
    assert refused.status_code == 200 and Assignment.objects.count() == 1
    assert client.post(url, {"unassign": assignment.pk}).status_code == 302
    assert not Assignment.objects.exists()


def test_my_cases_lists_what_is_assigned_with_the_next_item_due(client, users, mother, child):
    services.assign(users["monitor"], mother, users["monitor"])
    services.assign(users["monitor"], mother, users["monitor"], child=child)
    deadlines.refresh_pending()
    signed_in(client, users["monitor"])
    response = client.get(reverse("casework:my_cases"))
    assert response.status_code == 200
    cases = response.context["cases"]
    assert {(c.woman_id, c.child_id) for c in cases} == {(mother.pk, None), (mother.pk, child.pk)}
    child_case = next(c for c in cases if c.child_id)
    assert child_case.next_due is not None  # the child's age limit
    signed_in(client, users["legal_officer"])
    assert client.get(reverse("casework:my_cases")).context["cases"] == []


def test_a_manager_sees_each_workers_case_load_and_overdue_items(client, users, mother, child):
    services.assign(users["monitor"], mother, users["monitor"])
    services.assign(users["monitor"], mother, users["legal_officer"], child=child)
    deadlines.refresh_pending()
    signed_in(client, users["programme_manager"])
    response = client.get(reverse("casework:case_loads"))
    loads = {load.worker.username: load for load in response.context["loads"]}
    assert (loads["monitor"].women, loads["monitor"].children) == (1, 0)
    assert (loads["legal_officer"].women, loads["legal_officer"].children) == (0, 1)
    signed_in(client, users["monitor"])
    assert client.get(reverse("casework:case_loads")).status_code == 403


def upload(client, reference, data, name="order.pdf", **fields):
    return client.post(
        reverse("casework:woman_documents", args=[reference]),
        {"title": "Court order", "attach_to": "", **fields, "file": SimpleUploadedFile(name, data)},
    )


def test_a_document_is_uploaded_and_downloaded_through_the_policy(client, users, mother):
    data = pdf_bytes()
    signed_in(client, users["monitor"])
    assert upload(client, mother.reference, data).status_code == 302
    document = Document.objects.get()
    assert SECRET.encode() not in files.path_of(document.stored_as).read_bytes()
    response = client.get(reverse("casework:document", args=[document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(
        object_type="casework.Document", action="export", object_ref=str(document.pk)
    ).exists()
    # The partner sees it (her consent shares her record); an outsider does not know it.
    signed_in(client, users["un_monitor"])
    assert client.get(reverse("casework:document", args=[document.pk])).status_code == 200
    signed_in(client, users["other_monitor"])
    assert client.get(reverse("casework:document", args=[document.pk])).status_code == 404


def test_a_document_filed_on_her_child(client, users, mother, child):
    signed_in(client, users["monitor"])
    response = upload(
        client, mother.reference, jpeg_with_location(), "x.pdf", attach_to=f"child:{child.pk}"
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.child, document.file_type, document.file_name) == (child, "jpeg", "x.jpg")


def test_an_upload_over_the_limit_is_refused_while_it_is_received(client, users, mother, settings):
    settings.MOTHERLINE_DOCUMENT_MAX_BYTES = 2048
    signed_in(client, users["monitor"])
    response = upload(client, mother.reference, pdf_bytes("y" * 5000))
    assert response.status_code == 413
    assert "larger than the limit" in response.content.decode()
    assert not Document.objects.exists() and files.stored_names() == []


def test_an_upload_declared_far_over_the_limit_is_refused_before_it_is_read(
    client, users, mother, settings
):
    settings.MOTHERLINE_DOCUMENT_MAX_BYTES = 2048
    signed_in(client, users["monitor"])
    response = upload(client, mother.reference, pdf_bytes("z" * 200_000))
    assert response.status_code == 413
    assert not Document.objects.exists()


def test_a_file_of_another_type_is_refused_with_its_reason(client, users, mother):
    signed_in(client, users["monitor"])
    response = upload(client, mother.reference, b"MZ\x90\x00" + b"\x00" * 100, "order.pdf")
    assert response.status_code == 200
    assert "content was checked" in response.content.decode()
    assert not Document.objects.exists()


def test_a_candidates_dossier_is_filed_as_a_document(client, users, prisons, offences, criteria):  # noqa: F811
    from motherline.legal import services as legal_services
    from tests.legal.conftest import convicted_mother

    officer = users["legal_officer"]
    woman = convicted_mother(users["monitor"], prisons["CC2"], offences)
    pardon_round = legal_services.create_round(
        officer,
        title="Khmer New Year",
        occasion_date=TODAY + timedelta(days=60),
        submission_deadline=TODAY + timedelta(days=30),
    )
    candidate = legal_services.add_candidates(officer, pardon_round, [woman.reference])[0]
    signed_in(client, officer)
    response = client.post(
        reverse("casework:file_dossier", args=[candidate.pk]), {"language": "km"}
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.candidate, document.woman, document.file_type) == (candidate, woman, "pdf")
    with services.open_document(officer, document) as plain:
        assert plain.read(5) == b"%PDF-"
