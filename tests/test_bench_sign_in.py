"""The benchmark's monitor signs in with both factors, as the product asks of her role, and a
page answered with a redirect stops the benchmark instead of being timed (bench/run.py)."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench.run import BenchmarkError, page_answer, signed_in_client


@pytest.fixture
def required(settings):
    settings.MOTHERLINE_TWO_FACTOR = "required"


def test_the_bench_monitor_reaches_the_women_list_with_both_factors(users, required):
    client = signed_in_client(users["monitor"])

    response = page_answer(client, "/women/")

    assert response.status_code == 200
    assert "page" in response.context
    device = TOTPDevice.objects.get(user=users["monitor"])
    assert device.confirmed
    assert device.last_t > -1  # her code was checked by the verification page


def test_her_own_device_is_used_again_on_the_next_run(users, required):
    existing = TOTPDevice.objects.create(user=users["monitor"], name="bench", confirmed=True)

    signed_in_client(users["monitor"])

    assert list(TOTPDevice.objects.filter(user=users["monitor"])) == [existing]


def test_a_page_answered_with_a_redirect_stops_the_benchmark(users, required):
    client = Client()
    client.force_login(users["monitor"])  # the password alone: sent to the second factor

    with pytest.raises(BenchmarkError, match=r"GET /women/ answered 302 \(to /account/two-factor/"):
        page_answer(client, "/women/")
