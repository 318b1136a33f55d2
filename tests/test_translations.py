"""Every user-facing string has a Khmer translation, and the compiled catalogue is current.

The strings are extracted afresh from a copy of the source (Django's makemessages), so a new
string without a translation fails here, not in front of a Khmer-speaking user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

import motherline

SOURCE = Path(motherline.__file__).parent
CATALOGUE = SOURCE / "locale" / "km" / "LC_MESSAGES"


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> polib.POFile:
    if shutil.which("xgettext") is None:
        pytest.fail("gettext is not installed: scripts/test installs the Debian package gettext")
    root = tmp_path_factory.mktemp("i18n")
    copy = root / "motherline"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {**os.environ, "PYTHONPATH": str(root), "DJANGO_SETTINGS_MODULE": "motherline.settings"}
    env["MOTHERLINE_DATA_DIR"] = str(root / "var")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "km",
            "--no-obsolete",
            "--no-location",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    return polib.pofile(str(copy / "locale" / "km" / "LC_MESSAGES" / "django.po"))


def test_every_string_has_a_khmer_translation(extracted):
    missing = [e.msgid for e in extracted if not e.obsolete and (not e.translated() or e.fuzzy)]
    assert not missing, (
        f"{len(missing)} strings have no Khmer translation (run scripts/translations and "
        "translate them):\n" + "\n".join(missing[:50])
    )


def test_committed_catalogue_matches_the_source(extracted):
    committed = polib.pofile(str(CATALOGUE / "django.po"))
    source_ids = {(e.msgctxt, e.msgid) for e in extracted if not e.obsolete}
    committed_ids = {(e.msgctxt, e.msgid) for e in committed if not e.obsolete}
    assert source_ids == committed_ids, "run scripts/translations: the .po file is out of date"


def test_compiled_catalogue_matches_the_po_file():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    mo = polib.mofile(str(CATALOGUE / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in mo}
    for entry in po:
        if entry.obsolete or entry.fuzzy:
            continue
        key = (entry.msgctxt, entry.msgid)
        expected = entry.msgstr or {int(k): v for k, v in entry.msgstr_plural.items()}
        got = compiled.get(key)
        if isinstance(got, dict):
            got = {int(k): v for k, v in got.items()}
        assert got == expected, f"django.mo is stale for {entry.msgid!r}: run scripts/translations"
