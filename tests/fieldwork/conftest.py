"""Fixtures for field work: a fixed today, a visit of the NGO to CC2 with findings, and the
Api helper signed in as a given user."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from motherline.fieldwork import services
from motherline.fieldwork.actions import RecordVisit
from motherline.fieldwork.models import PrisonVisit
from tests.conftest import TODAY

VISITED = TODAY - timedelta(days=20)


@pytest.fixture(autouse=True)
def _on_today(frozen_today):
    """Every test here runs on TODAY, on the root conftest's one clock."""


def record(user: Any, prison: Any, **fields: Any) -> PrisonVisit:
    """A visit recorded through the service, with defaults for what is not given."""
    values: dict[str, Any] = {
        "prison": prison,
        "visit_date": VISITED,
        "team": "Two monitors, one nurse",
        "access": "granted",
        "women_seen": 12,
        "pregnant_seen": 2,
        "children_seen": 4,
        "findings": {
            "antenatal_care": "No antenatal check-up since March.",
            "food_and_water": "Drinking water rationed to two litres a day.",
        },
    }
    values.update(fields)
    # The action names its prison and the women seen by code and reference, as the page,
    # the API and a phone export do.
    values["prison"] = getattr(values["prison"], "code", values["prison"])
    values["women"] = [getattr(w, "reference", w) for w in values.get("women", [])]
    return services.record_visit(user, RecordVisit(**values), today=TODAY)


@pytest.fixture
def visit(users, prisons) -> PrisonVisit:
    return record(users["monitor"], prisons["CC2"])


class Api:
    def __init__(self, client, user):
        self.client = client
        client.force_login(user)

    def get(self, path):
        return self.client.get(f"/api/v1{path}")

    def post(self, path, body=None):
        return self.client.post(f"/api/v1{path}", body or {}, content_type="application/json")

    def patch(self, path, body):
        return self.client.patch(f"/api/v1{path}", body, content_type="application/json")
