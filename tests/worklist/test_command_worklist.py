"""`motherline worklist`: JSON and table output, the system view and a user's view."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motherline.accounts.models import AuditAction, AuditEvent
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison
from tests.worklist.clock import move_clock_to
from tests.worklist.test_api import NAMES


def run(*args: str) -> str:
    out = StringIO()
    call_command("worklist", *args, stdout=out)
    return out.getvalue()


def test_json_lists_the_whole_register_without_names(register, users, prisons):
    other = admit(
        users["other_monitor"],
        prisons["KDL"],
        name="Other Organisation Woman",
        children=[child_in_prison(TODAY.replace(year=2023), name="Other Child")],
    )
    items = json.loads(run("--as-of", TODAY.isoformat(), "--json"))
    assert isinstance(items, list)
    for item in items:
        assert {"kind", "due_date", "prison", "subject", "status", "urgency", "why"} <= set(item)
        assert item["subject"].startswith(("W-", "C-"))
    other_child = other.children.get().reference
    assert ("child_age_limit", other_child, "KDL", TODAY.isoformat()) in {
        (i["kind"], i["subject"], i["prison"], i["due_date"]) for i in items
    }
    assert len(items) == 6 + 2  # the NGO's six and the other organisation's child (twice)
    text = json.dumps(items, ensure_ascii=False)
    for name in [*NAMES, "Other Organisation Woman", "Other Child"]:
        assert name not in text
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="worklist")
    assert event.user is None and event.username == "system:worklist"
    assert event.changes["as"] == "system:worklist"
    assert event.changes["items"] == 8


def test_a_users_list_is_her_scope(register, users):
    items = json.loads(run("--user", "prison_liaison", "--json"))
    assert items and {i["prison"] for i in items} == {"CC2"}
    event = AuditEvent.objects.get(action=AuditAction.EXPORT, object_type="worklist")
    assert event.user == users["prison_liaison"]


def test_filters(register, monkeypatch):
    items = json.loads(run("--prison", "KDL", "--kind", "expected_release", "--json"))
    assert [(i["kind"], i["subject"]) for i in items] == [
        ("expected_release", register["release"].reference)
    ]
    move_clock_to(monkeypatch, TODAY + timedelta(days=100))
    later = json.loads(
        run("--as-of", (TODAY + timedelta(days=100)).isoformat(), "--province", "KH-8", "--json")
    )
    assert {i["urgency"] for i in later} == {"overdue"}


def test_table_is_readable(register):
    text = run("--as-of", TODAY.isoformat())
    lines = text.strip().splitlines()
    assert lines[0].split() == ["due", "urgency", "kind", "subject", "prison", "status"]
    assert any(register["pretrial"].reference in line and "overdue" in line for line in lines)
    assert lines[-1] == f"6 items on {TODAY.isoformat()}"
    assert "Malis" not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody"], "There is no user nobody."),
        (["--user", "analyst"], "The user analyst may not see personal records."),
        (["--as-of", "15/06/2026"], "YYYY-MM-DD"),
    ],
)
def test_refusals(users, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
