"""Every user-facing string has a Khmer translation, and the compiled catalogues are current.

The strings are extracted afresh from a copy of the source (Django's makemessages), so a new
string without a translation fails here, not in front of a Khmer-speaking user. The project
has one catalogue (`locale/`) and an app may keep its own (`<app>/locale/`): makemessages puts
an app's strings in the app's catalogue when the app has a `locale` directory.
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
CATALOGUE_PATH = Path("locale") / "km" / "LC_MESSAGES" / "django.po"


def _catalogues(root: Path) -> dict[Path, Path]:
    """Each Khmer catalogue under root, by its path relative to root."""
    return {
        path.relative_to(root): path
        for path in sorted(root.rglob(str(CATALOGUE_PATH)))
        if "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[Path, polib.POFile]:
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
    return {name: polib.pofile(str(path)) for name, path in _catalogues(copy).items()}


def test_every_string_has_a_khmer_translation(extracted):
    missing = [
        f"{name.parts[0]}: {e.msgid}"
        for name, catalogue in extracted.items()
        for e in catalogue
        if not e.obsolete and (not e.translated() or e.fuzzy)
    ]
    assert not missing, (
        f"{len(missing)} strings have no Khmer translation (run scripts/translations and "
        "translate them):\n" + "\n".join(missing[:50])
    )


def test_committed_catalogue_matches_the_source(extracted):
    committed = _catalogues(SOURCE)
    assert sorted(committed) == sorted(extracted), "run scripts/translations"
    for name, path in committed.items():
        source_ids = {(e.msgctxt, e.msgid) for e in extracted[name] if not e.obsolete}
        committed_ids = {(e.msgctxt, e.msgid) for e in polib.pofile(str(path)) if not e.obsolete}
        assert source_ids == committed_ids, f"run scripts/translations: {name} is out of date"


@pytest.mark.parametrize("name", sorted(_catalogues(SOURCE)), ids=str)
def test_compiled_catalogue_matches_the_po_file(name):
    po = polib.pofile(str(SOURCE / name))
    mo = polib.mofile(str((SOURCE / name).with_suffix(".mo")))
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
