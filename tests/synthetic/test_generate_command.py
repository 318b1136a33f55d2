"""The `generate` management command."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motherline.people.models import Child, Placement, PlacementKind, Pregnancy, Woman


def test_generate_prints_a_summary(kh):
    out = StringIO()
    call_command("generate", preset="demo", seed=5, today="2026-06-15", stdout=out)
    text = out.getvalue()
    assert "Generated 300 synthetic women." in text
    assert "300 of 300 women" in text
    rows = dict(re.findall(r"^  (\S.*?)\s{2,}(\S+)$", text, flags=re.MULTILINE))
    in_prison = Placement.objects.filter(kind=PlacementKind.IN_PRISON, end_date__isnull=True)
    assert rows["Women ever in custody"] == str(Woman.objects.count()) == "300"
    assert rows["Women in custody today"] == str(
        Woman.objects.filter(current_episode__isnull=False).count()
    )
    assert rows["Pregnant women in custody"] == str(Pregnancy.objects.filter(outcome="").count())
    assert rows["Children living in prison"] == str(in_prison.count())
    assert rows["Children outside"] == str(Child.objects.count() - in_prison.count())
    assert float(rows["Seconds taken"]) > 0


def test_generate_refuses_a_filled_register_then_adds_with_force(kh):
    call_command(
        "generate", "--preset", "demo", "--seed", "5", "--today", "2026-06-15", stdout=StringIO()
    )
    with pytest.raises(CommandError, match="--force"):
        call_command(
            "generate",
            "--preset",
            "demo",
            "--seed",
            "5",
            "--today",
            "2026-06-15",
            stdout=StringIO(),
        )
    assert Woman.objects.count() == 300
    out = StringIO()
    call_command(
        "generate",
        "--preset",
        "demo",
        "--seed",
        "6",
        "--today",
        "2026-06-15",
        "--force",
        stdout=out,
    )
    assert "to the 300 already in the register" in out.getvalue()
    assert Woman.objects.count() == 600


def test_generate_rejects_a_bad_date(kh):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("generate", "--today", "15/06/2026", stdout=StringIO())
