"""The pieces every service's change shares (`core.clock`, `core.changes`, `core.versions`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from motherline.accounts.models import Organisation
from motherline.core import clock
from motherline.core.changes import audited_change, check_fields, only, plain, raise_errors
from motherline.core.versions import (
    StaleVersion,
    check_version,
    locked,
    locked_current,
    locked_or_refused,
)


def test_the_day_is_the_one_given_or_today():
    assert clock.today(date(2020, 1, 2)) == date(2020, 1, 2)
    assert clock.today(None) == timezone.localdate()


def test_errors_are_raised_each_under_its_field_and_none_raise_nothing():
    raise_errors({})
    with pytest.raises(ValidationError) as raised:
        raise_errors({"name": "Enter a name.", "__all__": "Not now."})
    assert raised.value.message_dict == {"name": ["Enter a name."], "__all__": ["Not now."]}


def test_a_date_is_kept_as_its_iso_text_anything_else_as_is():
    assert plain(date(2026, 6, 15)) == "2026-06-15"
    assert plain(3) == 3
    assert plain(Decimal("1.50")) == Decimal("1.50")
    assert plain(None) is None


def test_only_allowed_fields_pass_with_their_texts_trimmed():
    assert only({"name": "  Ana ", "count": 2}, ("name", "count")) == {"name": "Ana", "count": 2}
    check_fields({"name": " x "}, {"name"})
    with pytest.raises(TypeError, match="cannot be corrected here: secret"):
        only({"secret": 1, "name": "x"}, ("name",))
    with pytest.raises(TypeError, match="cannot be changed here: a, b"):
        check_fields({"b": 1, "a": 2}, (), "changed")


def test_the_audit_of_a_correction_names_the_fields_and_keeps_the_values_shown():
    record = SimpleNamespace(day=date(2026, 1, 1), note="old text", count=1)
    changes = {"note": "new text", "day": date(2026, 2, 1), "count": 2}
    assert audited_change(record, changes, ("day", "count")) == {
        "fields": ["count", "day", "note"],
        "values": {"count": [1, 2], "day": ["2026-01-01", "2026-02-01"]},
    }
    # A mapping of the values before, and a record's own way of showing its values.
    assert audited_change({"count": 1}, {"count": 2}, {"count"}, show=str) == {
        "fields": ["count"],
        "values": {"count": ["1", "2"]},
    }
    assert audited_change(record, {}, ("day",)) == {"fields": [], "values": {}}


def test_a_version_other_than_the_records_is_stale():
    check_version(3, 3)
    with pytest.raises(StaleVersion):
        check_version(2, 3)


@pytest.mark.django_db
def test_the_record_is_locked_and_its_version_checked(orgs):
    ngo = orgs["ngo"]
    with transaction.atomic():
        assert locked(Organisation.objects, ngo.pk) == ngo
        current = locked_current(Organisation.objects.select_related("jurisdiction"), ngo.pk, 1)
        assert current == ngo
        with pytest.raises(StaleVersion):
            locked_current(Organisation.objects, ngo.pk, 2)
        with pytest.raises(Organisation.DoesNotExist):
            locked(Organisation.objects.exclude(pk=ngo.pk), ngo.pk)


@pytest.mark.django_db
def test_a_record_the_user_may_not_change_is_refused_whether_or_not_it_exists(orgs):
    ngo = orgs["ngo"]
    with transaction.atomic():
        assert locked_or_refused(Organisation.objects.all(), ngo.pk, "No.") == ngo
        for pk in (orgs["un"].pk, 0):
            with pytest.raises(PermissionDenied, match="Only its organisation"):
                locked_or_refused(
                    Organisation.objects.filter(pk=ngo.pk), pk, "Only its organisation."
                )
