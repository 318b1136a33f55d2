"""Fixtures for the API tests: a fixed today and a JSON client for /api/v1."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _on_today(frozen_today):
    """Every test here runs on TODAY, on the root conftest's one clock."""


class Api:
    """The Django test client with JSON bodies and the /api/v1 prefix. Like every Django
    test client it skips CSRF checks (see test_admission for a client that does not)."""

    def __init__(self, client):
        self.client = client

    def login(self, user) -> Api:
        self.client.force_login(user)
        return self

    def get(self, path: str, **params: Any):
        return self.client.get(f"/api/v1{path}", params)

    def post(self, path: str, body: dict[str, Any] | None = None):
        return self.client.post(f"/api/v1{path}", body or {}, content_type="application/json")


@pytest.fixture
def api(client):
    return Api(client)
