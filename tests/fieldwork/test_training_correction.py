"""Correcting a training session: one declaration (`fieldwork.actions.TrainingChanges`)
gives the API's body and the page's form (topics as a choice of several); the rows of
participants are every row, replacing those recorded; the version is checked and the audit
row names what changed."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.core.actions import form_for
from motherline.fieldwork import queries
from motherline.fieldwork.actions import TrainingChanges
from motherline.fieldwork.models import TrainingSession
from tests.fieldwork.conftest import Api
from tests.fieldwork.test_training import train


@pytest.fixture
def session(users) -> TrainingSession:
    return train(users["monitor"])


def _rows(*rows: tuple[str, int, int], extra: int = 4) -> dict[str, str]:
    data = {"p-TOTAL_FORMS": str(len(rows) + extra), "p-INITIAL_FORMS": str(len(rows))}
    for i, (name, women, men) in enumerate(rows):
        data |= {f"p-{i}-institution": name, f"p-{i}-women": str(women), f"p-{i}-men": str(men)}
    return data


def test_the_form_offers_the_topics_as_a_choice_of_several():
    form = form_for(TrainingChanges, model=TrainingSession, exclude=("participants",))()
    assert type(form.fields["topics"]).__name__ == "MultipleChoiceField"
    assert "bangkok_rules" in dict(form.fields["topics"].choices)
    assert "participants" not in form.fields
    schema = TrainingChanges.model_json_schema()["properties"]["participants"]
    assert next(s for s in schema["anyOf"] if s.get("type") == "array")["maxItems"] == 100


def test_the_page_corrects_a_session_and_its_participants(client, users, session):
    client.force_login(users["monitor"])
    detail = client.get(reverse("fieldwork:training_session", args=[session.pk]))
    url = reverse("fieldwork:correct_training", args=[session.pk])
    assert url in detail.text
    page = client.get(url)
    assert page.status_code == 200 and 'value="Court of Appeal"' in page.text
    data = {
        "version": 1,
        "audience": "judges",
        "held_on": "12/03/2026",
        "place": session.place,
        "topics": ["bangkok_rules", "children"],
        # Kandal's row emptied (removed), the Court of Appeal's counts corrected.
        **_rows(("Court of Appeal", 6, 9), ("", 0, 0)),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content
    session.refresh_from_db()
    assert (session.held_on, session.topics, session.version) == (
        date(2026, 3, 12),
        ["bangkok_rules", "children"],
        2,
    )
    assert [(p.institution, p.women, p.men) for p in session.participants.all()] == [
        ("Court of Appeal", 6, 9)
    ]
    (total,) = queries.training_totals(users["monitor"])
    assert (total.women, total.men) == (6, 9)
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_ref=session.reference)
    assert event.changes["fields"] == ["held_on", "participants", "topics"]
    assert event.changes["values"]["participants"] == [[6, 14], [6, 9]]
    # Sent again at the version it was read at: refused, nothing written.
    again = client.post(url, {**data, "place": "Siem Reap"})
    assert again.status_code == 200 and "Someone else changed this record" in again.text
    session.refresh_from_db()
    assert session.place != "Siem Reap"


def test_the_page_shows_the_sessions_rules(client, users, session):
    client.force_login(users["monitor"])
    response = client.post(
        reverse("fieldwork:correct_training", args=[session.pk]),
        {
            "version": 1,
            "audience": "judges",
            "held_on": "10/03/2026",
            "place": session.place,
            "topics": ["bangkok_rules"],
            **_rows(("Court of Appeal", 1, 0), ("court of appeal", 0, 1)),
        },
    )
    assert response.status_code == 200
    assert "Each institution once" in response.text
    session.refresh_from_db()
    assert session.version == 1


def test_the_api_patches_only_what_is_sent(client, users, session):
    api = Api(client, users["monitor"])
    url = f"/training/{session.pk}"
    answer = api.patch(
        url,
        {"version": 1, "participants": [{"institution": "Supreme Court", "women": 2, "men": 3}]},
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["participants"] == [{"institution": "Supreme Court", "women": 2, "men": 3}]
    assert (body["version"], body["audience"]) == (2, "judges")
    assert api.patch(url, {"version": 1, "place": "X"}).status_code == 409
    missing = api.patch(url, {"place": "X"})
    assert missing.status_code == 422 and "version" in missing.json()["errors"]
    none = api.patch(url, {"version": 2, "topics": []})
    assert none.status_code == 422 and "topics" in none.json()["errors"]
    cleared = api.patch(url, {"version": 2, "notes": None})
    assert cleared.status_code == 200 and cleared.json()["notes"] == ""


@pytest.mark.parametrize("who", ["un_monitor", "other_monitor"])
def test_a_partner_and_an_outsider_cannot_correct_it(client, users, session, who):
    client.force_login(users[who])
    detail = client.get(reverse("fieldwork:training_session", args=[session.pk]))
    if who == "un_monitor":  # reads it, without the buttons
        assert detail.status_code == 200
        assert reverse("fieldwork:correct_training", args=[session.pk]) not in detail.text
    else:
        assert detail.status_code == 404
    url = reverse("fieldwork:correct_training", args=[session.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"version": 1}).status_code == 404
    answer = Api(client, users[who]).patch(f"/training/{session.pk}", {"version": 1, "place": "X"})
    assert answer.status_code == 404
    session.refresh_from_db()
    assert session.version == 1
