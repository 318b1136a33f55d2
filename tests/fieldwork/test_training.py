"""Training sessions: recording with participants by institution and sex, totals by year
and audience from the database, pages and API by role and scope."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from motherline.fieldwork import queries, services
from motherline.fieldwork.models import TrainingSession
from tests.conftest import TODAY
from tests.fieldwork.conftest import Api


def train(user, audience="judges", held_on=date(2026, 3, 10), participants=None, **fields):
    return services.record_training(
        user,
        services.TrainingRecord(
            audience=audience,
            held_on=held_on,
            place="Phnom Penh, Royal Academy for Judicial Professions",
            topics=["bangkok_rules", "pretrial"],
            participants=participants or [("Court of Appeal", 4, 9), ("Kandal court", 2, 5)],
            **fields,
        ),
        today=TODAY,
    )


def test_record_and_total(users):
    train(users["monitor"])
    train(users["monitor"], participants=[("Phnom Penh court", 3, 3)])
    train(users["legal_officer"], audience="police", held_on=date(2025, 11, 2))
    train(users["other_monitor"])  # another organisation: not in the NGO's totals
    totals = {(t.year, t.audience): t for t in queries.training_totals(users["monitor"])}
    assert set(totals) == {(2026, "judges"), (2025, "police")}
    judges = totals[(2026, "judges")]
    assert (judges.sessions, judges.women, judges.men, judges.participants) == (2, 9, 17, 26)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"audience": "ministers"}, "audience"),
        ({"held_on": date(2027, 1, 1)}, "held_on"),
        ({"participants": [("", 1, 1)]}, "participants"),
        ({"participants": [("A", 1, 0), ("a", 0, 1)]}, "participants"),
        ({"participants": [("A", 0, 0)]}, "participants"),
    ],
)
def test_training_refusals(users, changes, field):
    with pytest.raises(ValidationError) as error:
        train(users["monitor"], **changes)
    assert field in error.value.message_dict
    assert not TrainingSession.objects.exists()


def test_analysts_may_not_record(users):
    with pytest.raises(PermissionDenied):
        train(users["analyst"])


def test_training_pages(client, users, django_assert_max_num_queries):
    for _ in range(3):
        train(users["monitor"])
    client.force_login(users["monitor"])
    with django_assert_max_num_queries(9):
        page = client.get(reverse("fieldwork:training"))
    assert page.context["page"].total == 3
    assert "Judges" in page.text
    response = client.post(
        reverse("fieldwork:new_training"),
        {
            "audience": "prosecutors",
            "held_on": "2026-05-05",
            "place": "Siem Reap",
            "topics": ["non_custodial"],
            "p-TOTAL_FORMS": "2",
            "p-INITIAL_FORMS": "0",
            "p-0-institution": "Prosecution office",
            "p-0-women": "3",
            "p-0-men": "7",
            "p-1-institution": "",
        },
    )
    session = TrainingSession.objects.get(audience="prosecutors")
    assert response.status_code == 302
    assert list(session.participants.values_list("institution", "women", "men")) == [
        ("Prosecution office", 3, 7)
    ]
    assert (
        "Prosecution office"
        in client.get(reverse("fieldwork:training_session", args=[session.pk])).text
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("un_monitor", 200), ("other_monitor", 404), ("analyst", 403), ("viewer", 403)],
)
def test_training_scope(client, users, who, status):
    session = train(users["monitor"])
    client.force_login(users[who])
    assert (
        client.get(reverse("fieldwork:training_session", args=[session.pk])).status_code == status
    )


def test_training_api(client, users):
    api = Api(client, users["monitor"])
    response = api.post(
        "/training",
        {
            "audience": "lawyers",
            "held_on": "2026-04-01",
            "place": "Bar association",
            "topics": ["bangkok_rules"],
            "participants": [{"institution": "Bar association", "women": 5, "men": 8}],
        },
    )
    assert response.status_code == 201
    assert api.get("/training").json()["items"][0]["women"] == 5
    assert api.get("/training/totals").json() == [
        {"year": 2026, "audience": "lawyers", "sessions": 1, "women": 5, "men": 8}
    ]
    bad = api.post(
        "/training", {**response.json(), "participants": [], "topics": ["bangkok_rules"]}
    )
    assert bad.status_code == 422
    assert Api(client, users["analyst"]).get("/training").status_code == 403
