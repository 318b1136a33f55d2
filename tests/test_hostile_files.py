"""Every hostile file (`tests/hostile_files.py`) tried on every importer, through the API, the
page and the command line, and on a jurisdiction pack: each is refused within 10 seconds
with a message that names the problem, and nothing is written."""

from __future__ import annotations

import functools
import shutil
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from motherline.accounts.models import AuditEvent
from motherline.fieldwork.models import PrisonVisit
from motherline.grants.models import ServiceDelivery
from motherline.jurisdictions.loader import PACKS_DIR, PackInvalid, load_pack
from motherline.places.models import Province
from motherline.stats.models import PopulationReturn
from tests.hostile_files import HOSTILE

SECONDS = 10.0
NAMES = list(HOSTILE)


@functools.cache
def hostile(name: str) -> tuple[str, bytes, str]:
    filename, make, words = HOSTILE[name]
    return filename, make(), words


def upload(name: str) -> SimpleUploadedFile:
    filename, content, _words = hostile(name)
    return SimpleUploadedFile(filename, content)


def nothing_written() -> None:
    assert not PrisonVisit.objects.exists()
    assert not ServiceDelivery.objects.exists()
    assert not PopulationReturn.objects.exists()
    assert not AuditEvent.objects.filter(action="create").exists()


def timed(call):
    started = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - started
    assert elapsed < SECONDS, f"{elapsed:.1f} s"
    return result


@pytest.mark.parametrize("kind", ["visits", "services"])
@pytest.mark.parametrize("name", NAMES)
def test_api_field_work_import(client, users, prisons, name, kind):
    client.force_login(users["monitor"])
    file = upload(name)  # generated before the clock starts
    response = timed(lambda: client.post(f"/api/v1/imports/{kind}", {"file": file}))
    assert response.status_code == 422
    body = response.json()
    assert (body["kind"], body["created"]) == (kind, 0)
    assert hostile(name)[2] in body["errors"][0]["reason"]
    nothing_written()


@pytest.mark.parametrize("name", NAMES)
def test_api_returns_import(client, users, prisons, name):
    client.force_login(users["analyst"])
    response = timed(
        lambda: client.post("/api/v1/stats/returns", {"file": upload(name), "source": "ngo_census"})
    )
    assert response.status_code == 422
    assert hostile(name)[2] in response.json()["errors"][0]["message"]
    nothing_written()


@pytest.mark.parametrize("kind", ["visits", "services"])
@pytest.mark.parametrize("name", NAMES)
def test_field_work_import_page(client, users, prisons, name, kind):
    client.force_login(users["monitor"])
    file = upload(name)
    page = timed(lambda: client.post(reverse("fieldwork:import"), {"kind": kind, "file": file}))
    assert page.status_code == 200
    assert hostile(name)[2] in page.context["form"].errors["file"][0]
    nothing_written()


@pytest.mark.parametrize("name", NAMES)
def test_returns_import_page(client, users, prisons, name):
    client.force_login(users["analyst"])
    page = timed(
        lambda: client.post(reverse("stats:import"), {"file": upload(name), "source": "ngo_census"})
    )
    assert page.status_code == 200
    assert hostile(name)[2] in page.context["result"].errors[0].message
    assert "Nothing was imported" in page.text
    nothing_written()


@pytest.mark.parametrize("name", NAMES)
def test_field_work_import_command(users, prisons, tmp_path, name):
    filename, content, words = hostile(name)
    path = tmp_path / filename
    path.write_bytes(content)
    with pytest.raises(CommandError, match=words.replace("(", r"\(").replace(")", r"\)")):
        timed(lambda: call_command("import", "visits", str(path), user="monitor"))
    nothing_written()


@pytest.mark.parametrize("name", NAMES)
def test_returns_import_command(db, prisons, tmp_path, name):
    filename, content, words = hostile(name)
    path = tmp_path / filename
    path.write_bytes(content)
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        timed(lambda: call_command("import_returns", str(path), source="ngo_census", stderr=err))
    assert words in err.getvalue()
    nothing_written()


@pytest.mark.parametrize("name", NAMES)
def test_jurisdiction_pack(db, tmp_path, name):
    """A pack's file replaced by the hostile one: the pack is refused, nothing is loaded."""
    shutil.copytree(PACKS_DIR / "kh", tmp_path / "kh")
    (tmp_path / "kh" / "provinces.csv").write_bytes(hostile(name)[1])
    with pytest.raises(PackInvalid) as refused:
        timed(lambda: load_pack("kh", Path(tmp_path)))
    assert any(error.file == "kh/provinces.csv" for error in refused.value.errors)
    assert not Province.objects.exists()
