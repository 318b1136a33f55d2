"""A monitor writes a case note on a woman and attaches a court order, then, in Khmer,
writes a note on her child and attaches a photo; the document downloads as it was filed.
Screenshots at 1280 and 390 pixels wide."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from motherline.casework.models import CaseNote, Document
from tests.casework.conftest import jpeg_with_location, pdf_bytes
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import admit, child_in_prison, children_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def both_widths(page, name: str) -> None:
    screenshot(page, f"{name}-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, f"{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_monitor_writes_notes_and_attaches_files(
    page, live_server, users, prisons, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    mother = admit(
        users["monitor"],
        prisons["CC2"],
        name="ស្រី ពៅ",
        name_latin="Srey Pov",
        admission_date=today - timedelta(days=200),
        children=[child_in_prison(date(2024, 5, 1), name="ដារ៉ា")],
        today=today,
    )
    child = children_of(mother)[0]
    court_order = tmp_path / "court order.pdf"
    court_order.write_bytes(pdf_bytes("Order of the Phnom Penh court"))
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_with_location())
    base = live_server.url
    sign_in(page, base, "monitor")

    page.goto(f"{base}/women/{mother.reference}/")
    section = page.locator("#casework")
    section.locator("[name=kind]").select_option("prison_visit")
    section.locator("[name=text]").fill(
        "Met her in the visiting room. She asks for the next hearing date."
    )
    section.locator("button:has-text('Save the note')").click()
    page.wait_for_selector("text=The note has been saved.")
    assert page.locator(".case-note").count() == 1
    page.locator("summary:has-text('Attach a document')").click()
    form = page.locator("form.document-form")
    form.locator("[name=title]").fill("Court order")
    form.locator("[name=file]").set_input_files(str(court_order))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=The document has been filed.")
    page.locator("#casework").scroll_into_view_if_needed()
    both_widths(page, "casework-1-woman-en")
    assert "Prison visit note by monitor" in page.locator(".timeline").inner_text()

    with page.expect_download() as downloading:
        page.click("ul.documents a:has-text('Court order')")
    download = downloading.value
    assert download.suggested_filename == "court order.pdf"
    assert Path(download.path()).read_bytes() == court_order.read_bytes()

    # In Khmer, on the child's page.
    page.click("form.langswitch button[value=km]")
    page.wait_for_selector("html[lang=km]")
    page.goto(f"{base}/women/{mother.reference}/")
    page.goto(f"{base}/children/{child.reference}/")
    section = page.locator("#casework")
    section.locator("[name=kind]").select_option("home_visit")
    section.locator("[name=text]").fill("ដារ៉ាមានសុខភាពល្អ។ ជីដូននឹងមកសួរសុខទុក្ខនៅខែក្រោយ។")
    section.locator("button:has-text('រក្សាទុកកំណត់សម្គាល់')").click()
    page.wait_for_selector("text=កំណត់សម្គាល់ត្រូវបានរក្សាទុកហើយ។")
    page.locator("summary:has-text('ភ្ជាប់ឯកសារ')").click()
    form = page.locator("form.document-form")
    form.locator("[name=title]").fill("រូបថតកន្លែងស្នាក់នៅ")
    form.locator("[name=file]").set_input_files(str(photo))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=ឯកសារត្រូវបានដាក់ហើយ។")
    page.locator("#casework").scroll_into_view_if_needed()
    both_widths(page, "casework-2-child-km")

    # She assigns herself to the mother; My cases lists her with the next item due.
    page.goto(f"{base}/casework/women/{mother.reference}/workers/")
    page.select_option("[name=worker]", label="monitor")
    page.click("main form.record-form button[type=submit]")
    page.wait_for_selector("text=បុគ្គលិកទទួលបន្ទុកករណីត្រូវបានចាត់តាំងហើយ។")
    page.goto(f"{base}/casework/my-cases/")
    assert mother.reference in page.locator("main table").inner_text()
    both_widths(page, "casework-3-my-cases-km")

    notes = CaseNote.objects.order_by("id")
    assert [(n.woman_id, n.child_id, n.kind) for n in notes] == [
        (mother.pk, None, "prison_visit"),
        (mother.pk, child.pk, "home_visit"),
    ]
    assert list(Document.objects.order_by("id").values_list("child", "file_type")) == [
        (None, "pdf"),
        (child.pk, "jpeg"),
    ]
