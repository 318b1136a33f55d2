"""`motherline screen`: JSON for scripts, references only, in a user's scope or the system's."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motherline.accounts.models import AuditEvent
from tests.conftest import TODAY


def screen(*args: str) -> list[dict]:
    out = StringIO()
    call_command("screen", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_remedy_and_date_screening_as_json(users, mother, pregnant_pretrial):
    pardon = screen("--remedy", "pardon", "--as-of", TODAY.isoformat(), "--jurisdiction", "KH")
    assert [r["subject"] for r in pardon] == [mother.reference, pregnant_pretrial.reference]
    assert pardon[0]["eligible"] and not pardon[1]["eligible"]
    assert {c["code"] for c in pardon[0]["criteria_met"]} == {
        "child_in_prison",
        "petty_non_violent",
    }
    assert "Sokha" not in json.dumps(pardon)
    pretrial = screen("--remedy", "pretrial", "--as-of", TODAY.isoformat(), "--jurisdiction", "KH")
    eligible = [r["subject"] for r in pretrial if r["eligible"]]
    assert eligible == [pregnant_pretrial.reference]
    assert AuditEvent.objects.filter(action="export", object_type="screening").count() == 2


def test_a_user_scope_and_the_refusals(users, mother):
    assert screen("--remedy", "pardon", "--user", "other_monitor") == []
    with pytest.raises(CommandError):
        screen("--remedy", "pardon", "--user", "analyst")
    with pytest.raises(CommandError):
        screen("--round", "999")
    with pytest.raises(CommandError):
        screen("--as-of", "15/06/2026")
