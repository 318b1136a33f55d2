"""A fault of the server on an API route is answered in JSON, never with the site's HTML
error page, and reported in the error log."""

import logging

from django.test import Client

from motherline.api import places


def test_a_server_fault_is_a_json_500(monkeypatch, users, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr(places.queries, "prison_counts", broken)
    client = Client(raise_request_exception=False)
    client.force_login(users["viewer"])
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/v1/prisons")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "detail": "The server could not complete this request; it has been reported."
    }
    assert any("RuntimeError" in (r.exc_text or "") or r.exc_info for r in caplog.records)
