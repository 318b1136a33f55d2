"""Documents and notes in the vault's work: nothing plain on disk or in a backup, a backup
restores them under another field key, key rotation re-encrypts the files, and the
retention rule removes them with the rest of her identifying data."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command

from motherline.casework import services
from motherline.casework.models import CaseNote, Document
from motherline.people import services as people_services
from motherline.people.models import Woman
from motherline.vault import backup, files, retention
from motherline.vault.keys import generate_key
from tests.casework.conftest import SECRET, docx_bytes, jpeg_with_location, pdf_bytes
from tests.conftest import TODAY
from tests.factories import admit, current_version


def every_stored_byte(root) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def file_documents(user, woman) -> dict[int, bytes]:
    kept = {}
    for name, data in (("a.pdf", pdf_bytes()), ("b.docx", docx_bytes())):
        document = services.upload_document(
            user, woman, services.Upload(data, name), title=f"{SECRET} {name}"
        )
        kept[document.pk] = data
    services.upload_document(
        user, woman, services.Upload(jpeg_with_location(), "c.jpg"), title="Photo"
    )
    return kept


def read_back(user, pk: int) -> bytes:
    with services.open_document(user, Document.objects.get(pk=pk)) as plain:
        return plain.read()


@pytest.mark.django_db(transaction=True)
def test_no_document_is_plain_on_disk_or_in_a_backup_and_it_restores_under_another_key(
    users, mother, settings, tmp_path, media
):
    monitor = users["monitor"]
    settings.BACKUP_KEY = generate_key()  # the archive must open after the field key changes
    kept = file_documents(monitor, mother)
    services.add_note(monitor, mother, noted_on=TODAY, kind="phone", text=SECRET)
    on_disk = every_stored_byte(media)
    assert len(files.stored_names()) == 3
    for data in kept.values():
        assert data[:200] not in on_disk
    assert SECRET.encode() not in on_disk and b"SecretCam" not in on_disk

    archive = tmp_path / "motherline.backup"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    content = archive.read_bytes()
    assert SECRET.encode() not in content and b"%PDF" not in content and b"word/" not in content

    # A new instance, with another field key.
    call_command("flush", interactive=False, verbosity=0)
    for path in sorted(media.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    settings.FIELD_KEY = generate_key()
    with archive.open("rb") as source:
        backup.restore_backup(source)
    assert CaseNote.objects.get().text == SECRET
    for pk, data in kept.items():
        assert read_back(monitor, pk) == data
    assert all(files.is_current(name) for name in files.stored_names())
    restored = every_stored_byte(media)
    assert SECRET.encode() not in restored and all(d[:200] not in restored for d in kept.values())


@pytest.mark.django_db
def test_key_rotation_re_encrypts_every_document(users, mother, settings):
    kept = file_documents(users["monitor"], mother)
    old = settings.FIELD_KEY
    settings.FIELD_KEY, settings.FIELD_KEY_PREVIOUS = generate_key(), [old]
    assert not any(files.is_current(name) for name in files.stored_names())
    out = io.StringIO()
    call_command("rotate_field_key", stdout=out)
    assert "Documents: 3 files re-encrypted." in out.getvalue()
    assert "casework.CaseNote" in out.getvalue()
    settings.FIELD_KEY_PREVIOUS = []
    assert all(files.is_current(name) for name in files.stored_names())
    for pk, data in kept.items():
        assert read_back(users["monitor"], pk) == data
    assert Document.objects.get(pk=next(iter(kept))).title.startswith(SECRET)


@pytest.mark.django_db(transaction=True)
def test_retention_empties_her_notes_and_deletes_her_documents(users, prisons, media):
    monitor = users["monitor"]
    woman = admit(monitor, prisons["CC2"], admission_date=date(2012, 3, 1))
    people_services.record_release(
        monitor,
        woman.current_episode,
        date(2014, 8, 20),
        "acquittal",
        today=TODAY,
        version=current_version(woman.current_episode),
    )
    woman = Woman.objects.get(pk=woman.pk)
    services.add_note(monitor, woman, noted_on=date(2014, 8, 1), kind="court", text=SECRET)
    file_documents(monitor, woman)
    assert len(files.stored_names()) == 3
    result = retention.apply(TODAY, 10)
    assert result.women == 1
    assert CaseNote.objects.get().text == ""
    assert not Document.objects.exists() and files.stored_names() == []
