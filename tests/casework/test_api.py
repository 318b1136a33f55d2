"""The case-work API: notes paged by keyset, corrections with the version, case workers,
My cases, case loads, and documents up and down."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from motherline.casework import services
from motherline.casework.models import Assignment, CaseNote, Document
from motherline.worklist.models import Deadline
from tests.casework.conftest import SECRET, docx_bytes, pdf_bytes
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def api(client, user):
    client.force_login(user)
    return client


def send(client, method, url, body):
    return client.generic(method, url, json.dumps(body), content_type="application/json")


def test_notes_are_written_and_read_newest_first_a_page_at_a_time(client, users, mother):
    api(client, users["monitor"])
    url = reverse("api:woman_notes", args=[mother.reference])
    for days in (3, 1, 2):
        day = (TODAY - timedelta(days=days)).isoformat()
        response = send(client, "POST", url, {"noted_on": day, "kind": "phone", "text": day})
        assert response.status_code == 201
    first = client.get(url, {"size": 2}).json()
    assert [n["noted_on"] for n in first["items"]] == [
        (TODAY - timedelta(days=1)).isoformat(),
        (TODAY - timedelta(days=2)).isoformat(),
    ]
    rest = client.get(url, {"size": 2, "after": first["next_cursor"]}).json()
    assert [n["text"] for n in rest["items"]] == [(TODAY - timedelta(days=3)).isoformat()]
    assert rest["next_cursor"] is None


def test_a_note_on_a_child_and_its_correction(client, users, child):
    api(client, users["monitor"])
    created = send(
        client,
        "POST",
        reverse("api:child_notes", args=[child.reference]),
        {"noted_on": TODAY.isoformat(), "kind": "home_visit", "text": SECRET},
    ).json()
    assert created["child"] == child.reference and created["version"] == 1
    url = reverse("api:note", args=[created["id"]])
    fixed = send(client, "PATCH", url, {"version": 1, "text": "Fixed"})
    assert fixed.status_code == 200 and fixed.json()["version"] == 2
    stale = send(client, "PATCH", url, {"version": 1, "text": "Again"})
    assert stale.status_code == 409
    assert CaseNote.objects.get().text == "Fixed"
    api(client, users["legal_officer"])
    assert send(client, "PATCH", url, {"version": 2, "text": "Not mine"}).status_code == 422


def test_an_over_long_note_is_refused_with_its_field(client, users, mother):
    api(client, users["monitor"])
    response = send(
        client,
        "POST",
        reverse("api:woman_notes", args=[mother.reference]),
        {"noted_on": TODAY.isoformat(), "kind": "phone", "text": "x" * 20_001},
    )
    assert response.status_code == 422 and "text" in response.json()["errors"]
    assert not CaseNote.objects.exists()


def test_assigning_listing_and_unassigning(client, users, mother):
    api(client, users["monitor"])
    url = reverse("api:woman_workers", args=[mother.reference])
    created = send(client, "POST", url, {"worker": "legal_officer"})
    assert created.status_code == 201 and created.json()["worker"] == "legal_officer"
    assert send(client, "POST", url, {"worker": "un_monitor"}).status_code == 422
    assert [a["worker"] for a in client.get(url).json()] == ["legal_officer"]
    api(client, users["legal_officer"])
    mine = client.get(reverse("api:my_cases")).json()
    assert [(c["woman"], c["child"]) for c in mine] == [(mother.reference, None)]
    api(client, users["programme_manager"])
    loads = client.get(reverse("api:case_loads")).json()
    overdue = Deadline.objects.filter(woman=mother, due_date__lt=TODAY).count()
    assert overdue >= 1  # her pretrial detention is past its limit
    assert loads == [{"worker": "legal_officer", "women": 1, "children": 0, "overdue": overdue}]
    api(client, users["monitor"])
    response = client.delete(reverse("api:assignment", args=[created.json()["id"]]))
    assert response.status_code == 204 and not Assignment.objects.exists()


def test_a_document_up_and_down(client, users, mother, child):
    data = docx_bytes()
    api(client, users["monitor"])
    response = client.post(
        reverse("api:woman_documents", args=[mother.reference]),
        {
            "title": "Birth certificate",
            "child": child.reference,
            "file": SimpleUploadedFile("bc.docx", data),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["child"], body["file_type"], body["file_name"]) == (
        child.reference,
        "docx",
        "bc.docx",
    )
    listed = client.get(reverse("api:child_documents", args=[child.reference])).json()
    assert [d["id"] for d in listed] == [body["id"]]
    download = client.get(reverse("api:document", args=[body["id"]]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data
    assert "no-store" in download["Cache-Control"]
    assert download["Content-Disposition"].startswith("attachment;")
    api(client, users["other_monitor"])
    assert client.get(reverse("api:document", args=[body["id"]])).status_code == 404


def test_an_upload_that_is_not_a_document_is_refused(client, users, mother, settings):
    api(client, users["monitor"])
    url = reverse("api:woman_documents", args=[mother.reference])
    response = client.post(
        url, {"title": "x", "file": SimpleUploadedFile("x.pdf", b"#!/bin/sh\nrm -rf /")}
    )
    assert response.status_code == 422 and "file" in response.json()["errors"]
    settings.MOTHERLINE_DOCUMENT_MAX_BYTES = 1024
    response = client.post(
        url, {"title": "x", "file": SimpleUploadedFile("a.pdf", pdf_bytes("q" * 4000))}
    )
    assert response.status_code == 422 and "larger" in response.json()["errors"]["file"][0]
    assert not Document.objects.exists()


def test_a_partner_reads_but_does_not_write(client, users, mother):
    services.add_note(users["monitor"], mother, noted_on=TODAY, kind="court", text=SECRET)
    api(client, users["un_monitor"])
    url = reverse("api:woman_notes", args=[mother.reference])
    assert [n["text"] for n in client.get(url).json()["items"]] == [SECRET]
    body = {"noted_on": TODAY.isoformat(), "kind": "court", "text": "x"}
    assert send(client, "POST", url, body).status_code == 403
    api(client, users["other_monitor"])
    assert client.get(url).status_code == 404
