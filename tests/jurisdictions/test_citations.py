"""Legal sources in the reader's language: every citation of the Cambodia pack has its Khmer
rendering in the pack's `[citations]`, and none carries a maintainers' note."""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

from motherline.jurisdictions.reference import PACKS_DIR, citation_label
from tests.visible import raw_codes


def kh_citations() -> set[str]:
    pack = PACKS_DIR / "kh"
    found = set()
    for path in pack.glob("*.csv"):
        with Path(path).open(encoding="utf-8") as rows:
            found |= {row["citation"] for row in csv.DictReader(rows) if row.get("citation")}

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "citation" and isinstance(inner, str) and inner:
                    found.add(inner)
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(tomllib.loads((pack / "pack.toml").read_text(encoding="utf-8")))
    return found


def test_every_citation_of_the_pack_reads_in_khmer():
    citations = kh_citations()
    assert "Bangkok Rule 64" in citations
    missing = [c for c in sorted(citations) if citation_label(c, "km") == c]
    assert not missing, missing
    for citation in citations:
        assert citation_label(citation, "en") == citation
        assert not raw_codes(citation_label(citation, "km")), citation


def test_a_citation_without_a_rendering_is_shown_as_written():
    assert citation_label("Some decree art. 4", "km") == "Some decree art. 4"
    assert citation_label("", "km") == ""
