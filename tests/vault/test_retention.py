"""The retention rule: identifying data of women released long ago is replaced, the
statistics stay exactly as they were."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from motherline.accounts.models import AuditEvent
from motherline.people import queries, search, services
from motherline.people.models import Child, CustodyEpisode, Placement, Pregnancy, Woman
from motherline.vault import retention
from tests.conftest import TODAY
from tests.factories import admit, child_outside, current_version


def released(monitor, prison, admitted: date, left: date, **fields) -> Woman:
    woman = admit(monitor, prison, admission_date=admitted, **fields)
    services.record_release(
        monitor,
        woman.current_episode,
        left,
        "acquittal",
        today=TODAY,
        version=current_version(woman.current_episode),
    )
    return Woman.objects.get(pk=woman.pk)


@pytest.fixture
def women(field_key, monitor, prisons):
    return {
        "long_ago": released(
            monitor,
            prisons["CC2"],
            date(2012, 3, 1),
            date(2014, 8, 20),
            name="សុខ ចាន់ថា",
            name_latin="Sok Chanthou",
            register_number="CC2-2012/0001",
            date_of_birth=date(1985, 7, 14),
            health_notes="Tuberculosis, treated",
            case_number="511/2012",
            children=[
                child_outside(
                    date(2008, 5, 5),
                    name="វុទ្ធី",
                    name_latin="Vuthy",
                    caregiver_name="Keo Srey Mao",
                    caregiver_contact="+855 12 345 678",
                    caregiver_location="Takeo",
                )
            ],
        ),
        "recent": released(
            monitor,
            prisons["CC2"],
            date(2020, 1, 10),
            date(2022, 2, 1),
            name="ឡេណា",
            name_latin="Lena",
        ),
        "in_custody": admit(
            monitor, prisons["KDL"], admission_date=date(2010, 1, 5), name_latin="Mony Keo"
        ),
    }


def statistics() -> dict[str, Counter]:
    """What the statistics count, by prison, date and status."""
    return {
        "episodes": Counter(
            CustodyEpisode.objects.values_list(
                "admission_prison",
                "current_prison",
                "admission_date",
                "release_date",
                "release_reason",
                "legal_status",
            )
        ),
        "women": Counter(
            Woman.objects.values_list("organisation", "nationality", "dependent_children")
        ),
        "children": Counter(
            (sex, born.year, custody)
            for sex, born, custody in Child.objects.values_list(
                "sex", "date_of_birth", "born_in_custody"
            )
        ),
        "placements": Counter(
            Placement.objects.values_list(
                "kind", "prison", "start_date", "end_date", "caregiver_relationship"
            )
        ),
        "pregnancies": Counter(Pregnancy.objects.values_list("outcome", "outcome_date")),
        "prisons": Counter(
            (p.prison.code, p.women, p.pregnant, p.children)
            for group in queries.prison_counts()
            for p in group.prisons
        ),
    }


def test_women_released_long_ago_are_pseudonymised_and_the_statistics_kept(women):
    before = statistics()
    result = retention.apply(TODAY, 10)
    assert (result.women, result.children) == (1, 1)
    assert statistics() == before

    old = Woman.objects.get(pk=women["long_ago"].pk)
    assert old.name == old.reference and old.pseudonymised_on == TODAY
    assert (old.name_latin, old.register_number, old.health_notes) == ("", "", "")
    assert old.date_of_birth == date(1985, 1, 1) and old.dob_is_estimated
    assert old.episodes.get().case_number == ""
    child = old.children.get()
    assert child.name == child.reference and child.name_latin == ""
    assert child.date_of_birth == date(2008, 1, 1)
    placement = child.placements.get()
    assert (placement.caregiver_name, placement.caregiver_contact) == ("", "")
    assert placement.caregiver_relationship == "grandparent"
    # Nothing of her old name is left to find, in the index or in the table.
    assert not Woman.objects.filter(search.search_q("chanthou")).exists()
    assert list(Woman.objects.filter(search.search_q(old.reference))) == [old]
    with connection.cursor() as cursor:
        cursor.execute("SELECT register_number FROM people_woman WHERE id = %s", [old.pk])
        assert cursor.fetchone()[0] == ""
    event = AuditEvent.objects.filter(object_ref=old.reference, action="change").latest("pk")
    assert event.changes["pseudonymised"] is True
    assert "Sok" not in str(event.changes) and "Vuthy" not in str(event.changes)

    # The others keep their names: one left recently, one is still in custody.
    assert Woman.objects.get(pk=women["recent"].pk).name_latin == "Lena"
    assert Woman.objects.get(pk=women["in_custody"].pk).name_latin == "Mony Keo"
    # Applied again, the rule finds nobody new.
    assert retention.apply(TODAY, 10).women == 0


def test_the_period_is_configurable(women, settings):
    settings.MOTHERLINE_RETENTION_YEARS = 3
    assert retention.apply(TODAY, dry_run=True).women == 2
    assert retention.apply(TODAY, 30, dry_run=True).women == 0


def test_the_command_with_dry_run_changes_nothing(women):
    out = io.StringIO()
    call_command("retention", as_of=TODAY.isoformat(), dry_run=True, stdout=out)
    assert "Would pseudonymise 1 women" in out.getvalue()
    assert Woman.objects.get(pk=women["long_ago"].pk).name_latin == "Sok Chanthou"
    call_command("retention", as_of=TODAY.isoformat(), years=10, stdout=out)
    assert "Pseudonymised 1 women" in out.getvalue()
    assert Woman.objects.get(pk=women["long_ago"].pk).name_latin == ""


def test_the_command_rejects_bad_arguments(db):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("retention", as_of="15/06/2026")
    with pytest.raises(CommandError, match="at least 1"):
        call_command("retention", years=0)


def test_retention_reports_a_woman_with_implausible_dates_and_leaves_her(
    field_key, monitor, prisons
):
    """`admission_date: 0001-01-01` and a release the next day (as an old import could hold):
    the rule would take her as released two thousand years ago. It reports her instead."""
    odd = released(monitor, prisons["CC2"], date(2012, 3, 1), date(2014, 8, 20), name="Odd")
    plain = released(monitor, prisons["CC2"], date(2012, 3, 1), date(2014, 8, 20), name="Plain")
    CustodyEpisode.objects.filter(woman=odd).update(
        admission_date=date(1, 1, 1), release_date=date(1, 1, 2)
    )
    result = retention.apply(date(2026, 6, 1), 10)
    assert result.women == 1
    assert result.held_back == [
        (
            odd.reference,
            "admission 0001-01-01, release 0001-01-02 (before 1900-01-01 or after 2026-06-01)",
        )
    ]
    assert Woman.objects.get(pk=odd.pk).pseudonymised_on is None
    assert Woman.objects.get(pk=odd.pk).name == "Odd"
    assert Woman.objects.get(pk=plain.pk).pseudonymised_on == date(2026, 6, 1)
    out = io.StringIO()
    call_command("retention", as_of="2026-06-01", stdout=out)
    assert odd.reference in out.getvalue() and "implausible" in out.getvalue()
    assert Woman.objects.get(pk=odd.pk).pseudonymised_on is None


def test_a_birth_date_before_the_floor_holds_retention_back(field_key, monitor, prisons):
    woman = released(monitor, prisons["CC2"], date(2012, 3, 1), date(2014, 8, 20))
    Woman.objects.filter(pk=woman.pk).update(date_of_birth=date(1850, 1, 1))
    assert retention.apply(date(2026, 6, 1), 10, dry_run=True).women == 0
    assert retention.held_back(date(2026, 6, 1), 10)[0][0] == woman.reference
