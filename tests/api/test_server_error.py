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


def test_a_broken_multipart_upload_is_a_400_in_json(client, users):
    """A body that says it is multipart and is not (a part's headers never end) is the
    client's fault: 400 with the one error shape, not a server error."""
    client.force_login(users["monitor"])
    boundary = "b0undary"
    body = f"--{boundary}\r\n" + "X-Header: " + "x" * 20_000
    response = client.generic(
        "POST",
        "/api/v1/imports/services",
        body.encode(),
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 400, response.content
    assert response.headers["Content-Type"].startswith("application/json")
    assert "multipart" in response.json()["detail"]
