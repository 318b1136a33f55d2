"""Fixtures of the vault tests: fresh field keys, and a small register with children."""

from __future__ import annotations

from datetime import timedelta

import pytest

from motherline.vault.keys import generate_key
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, child_outside


@pytest.fixture
def field_key(settings):
    """A fresh field key for the test (not the development key in the data directory)."""
    settings.FIELD_KEY = generate_key()
    settings.FIELD_KEY_PREVIOUS = []
    return settings.FIELD_KEY


@pytest.fixture
def register(field_key, monitor, prisons, offences):
    """Three women: Khmer and Latin names, register numbers, health notes, children."""
    sokha = admit(
        monitor,
        prisons["CC2"],
        name="សុខ ចាន់ថា",
        name_latin="Sok Chanthou",
        register_number="CC2-2024/0117",
        health_notes="Hypertension, on treatment",
        children=[
            child_in_prison(TODAY - timedelta(days=400), name="ដារ៉ា", name_latin="Dara"),
            child_outside(
                TODAY - timedelta(days=3000),
                name="វុទ្ធី",
                name_latin="Vuthy",
                caregiver_name="Keo Srey Mao",
                caregiver_contact="+855 12 345 678",
                caregiver_location="Takeo",
            ),
        ],
    )
    lena = admit(
        monitor,
        prisons["CC2"],
        name="ឡេណា",
        name_latin="Lê Thị Lena",
        register_number="CC2-2023/0042",
    )
    mony = admit(monitor, prisons["KDL"], name="មុនី", name_latin="Mony Keo", register_number="PJ-77")
    return {"sokha": sokha, "lena": lena, "mony": mony}
