"""The demo preset, generated once per test module from the real Cambodia pack.

Generating takes about a second, so the invariant tests share one generation: the module
fixture writes it inside a transaction that is rolled back when the module is done, and
each test runs in a savepoint inside it (the usual `db` fixture).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from motherline.jurisdictions.loader import load_pack
from motherline.synthetic import generate

TODAY = date(2026, 6, 15)
SEED = 20260615


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_pack("kh")
            yield generate("demo", SEED, today=TODAY)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def kh(db):
    load_pack("kh")
