"""Backup and restore: a round trip loses nothing; a damaged, altered, truncated or
wrong-key archive, or a non-empty target, is refused with a message and changes nothing."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motherline.accounts.models import AuditEvent, User
from motherline.care.models import FollowUp, TransitionPlan
from motherline.people import search
from motherline.people.models import Child, Woman
from motherline.vault import backup
from motherline.vault.keys import generate_key
from motherline.worklist import deadlines
from motherline.worklist.models import Deadline, StaleDeadlines
from tests.conftest import PASSWORD, TODAY
from tests.factories import admit

pytestmark = pytest.mark.usefixtures("transactional_db")


def digests() -> dict[str, tuple[int, str]]:
    refs = backup._References()
    return {m._meta.label_lower: backup.table_digest(m, refs) for m in backup.backed_up_models()}


def wipe(settings) -> None:
    """A new instance: an empty, migrated database and no uploads."""
    call_command("flush", interactive=False, verbosity=0)
    for path in sorted(settings.MEDIA_ROOT.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def quiet(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


@pytest.fixture
def instance(register, settings, tmp_path, monitor):
    """The register with a transition plan, a follow-up and an uploaded file."""
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "letters").mkdir(parents=True)
    (settings.MEDIA_ROOT / "letters" / "court.pdf").write_bytes(b"%PDF-1.7 " + bytes(range(256)))
    child = next(c for c in Child.objects.filter(mother=register["sokha"]) if c.name == "ដារ៉ា")
    plan = TransitionPlan.objects.create(
        child=child,
        due_date=TODAY + timedelta(days=90),
        caregiver_name="Keo Srey Mao",
        caregiver_contact="+855 12 345 678",
        assessment_notes="The grandmother's home is safe.",
        created_by=monitor,
    )
    FollowUp.objects.create(plan=plan, due_date=TODAY + timedelta(days=180), notes="Call first")
    return register


def test_a_round_trip_loses_nothing(instance, settings, tmp_path):
    archive = tmp_path / "motherline.backup"
    before = digests()
    assert before["people.woman"][0] == 3 and before["accounts.auditevent"][0] >= 3
    assert "Wrote" in quiet("backup", output=str(archive))
    assert archive.stat().st_mode & 0o777 == 0o600
    content = archive.read_bytes()
    assert b"Chanthou" not in content and b"Keo Srey" not in content and b"PDF" not in content

    deadlines.refresh_pending()
    stored_deadlines = Deadline.objects.count()
    assert stored_deadlines > 0
    wipe(settings)
    assert Woman.objects.count() == 0 and User.objects.count() == 0
    # A mark to compute every deadline is not data: the instance is still "empty".
    StaleDeadlines.objects.create(woman_id=None)
    with archive.open("rb") as source:
        manifest = backup.restore_backup(source)
    # The worklist's deadlines are derived, not in the archive: recomputed after the restore.
    deadlines.refresh_pending()
    assert Deadline.objects.count() == stored_deadlines
    assert deadlines.check().none

    # Every table: the same rows, field by field (encrypted fields compared in plaintext).
    assert digests() == before
    assert {k: (v["rows"], v["sha256"]) for k, v in manifest.tables.items()} == before
    assert (settings.MEDIA_ROOT / "letters" / "court.pdf").read_bytes().startswith(b"%PDF-1.7")
    # The restored instance works: encrypted names read, search finds her, users sign in,
    # and new rows get new ids (sequences moved past the restored rows).
    sokha = Woman.objects.get(pk=instance["sokha"].pk)
    assert sokha.name_latin == "Sok Chanthou"
    assert TransitionPlan.objects.get().caregiver_contact == "+855 12 345 678"
    assert set(Woman.objects.filter(search.search_q("chanthou"))) == {sokha}
    monitor = User.objects.get(username="monitor")
    assert monitor.check_password(PASSWORD)
    newcomer = admit(monitor, sokha.current_episode.current_prison, name="ថ្មី")
    assert newcomer.pk > max(w.pk for w in instance.values())


def test_the_restore_command_audits_and_reports(instance, settings, tmp_path):
    archive = tmp_path / "b.backup"
    quiet("backup", output=str(archive))
    assert AuditEvent.objects.filter(action="export", object_type="backup").exists()
    wipe(settings)
    assert "every checksum matches" in quiet("restore", str(archive))
    assert AuditEvent.objects.filter(
        action="create", object_type="backup", object_ref="b.backup"
    ).exists()


def test_a_non_empty_instance_is_refused(instance, tmp_path):
    archive = tmp_path / "b.backup"
    quiet("backup", output=str(archive))
    with pytest.raises(CommandError, match="not empty"):
        quiet("restore", str(archive))


def test_an_existing_file_is_not_overwritten(instance, tmp_path):
    archive = tmp_path / "b.backup"
    archive.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="exists"):
        quiet("backup", output=str(archive))
    assert archive.read_bytes() == b"keep me"


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b[:2000] + bytes([b[2000] ^ 1]) + b[2001:], "altered or damaged"),
        (lambda b: b[:-40], "cut short"),
        (lambda b: b + b"\0", "after its end"),
        (lambda b: b"PK\x03\x04" + b[4:], "not a Motherline backup"),
    ],
    ids=["one-bit", "truncated", "appended", "not-a-backup"],
)
def test_a_damaged_archive_is_refused_and_nothing_is_restored(
    instance, settings, tmp_path, damage, message
):
    archive = tmp_path / "b.backup"
    quiet("backup", output=str(archive))
    archive.write_bytes(damage(archive.read_bytes()))
    wipe(settings)
    with pytest.raises(CommandError, match=message):
        quiet("restore", str(archive))
    assert Woman.objects.count() == 0 and User.objects.count() == 0
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.iterdir())


def test_an_archive_under_another_key_is_refused(instance, settings, tmp_path):
    archive = tmp_path / "b.backup"
    quiet("backup", output=str(archive))
    wipe(settings)
    settings.FIELD_KEY = generate_key()
    with pytest.raises(CommandError, match="another key"):
        quiet("restore", str(archive))
    assert Woman.objects.count() == 0


def test_a_backup_key_restores_onto_an_instance_with_another_field_key(
    instance, settings, tmp_path
):
    settings.BACKUP_KEY = generate_key()
    archive = tmp_path / "b.backup"
    quiet("backup", output=str(archive))
    wipe(settings)
    settings.FIELD_KEY = generate_key()  # the new instance has its own field key
    quiet("restore", str(archive))
    assert Woman.objects.get(pk=instance["lena"].pk).name_latin == "Lê Thị Lena"
    assert {w.pk for w in Woman.objects.filter(search.search_q("lena"))} == {instance["lena"].pk}


def test_an_archive_of_other_migrations_is_refused(instance, settings, tmp_path, monkeypatch):
    archive = tmp_path / "b.backup"
    quiet("backup", output=str(archive))
    wipe(settings)
    newer = {**backup.applied_migrations(), "people": ["0001_initial"]}
    monkeypatch.setattr(backup, "applied_migrations", lambda: newer)
    with pytest.raises(CommandError, match="other database migrations"):
        quiet("restore", str(archive))
    assert Woman.objects.count() == 0
