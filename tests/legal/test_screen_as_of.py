"""`motherline screen --as-of` a past day: the register as it stood that day.

Women built through the services whose history differs between the day screened (DAY, 60
days before today) and today: admitted since, released since, convicted since, a child
handed over since, a birth since. Each is screened on DAY as she stood then; the count of
women is that of DAY; a fact with no date of its own counts only if her record has not
changed since. Then the days the register cannot answer for, on the command line, the web
page and the API.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from motherline.jurisdictions.models import ScreeningCriterion
from motherline.legal import services as legal_services
from motherline.legal.queries import screen_candidates
from motherline.people import services
from tests.api.conftest import Api
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, current_version, ongoing_pregnancy, reload
from tests.worklist.clock import DAY, FIRST_ADMISSION, REFUSED_DAYS


def mother_of_one(user, prison, admitted, **fields):
    """A woman with a final sentence of 24 months and a child of two living with her."""
    values = {
        "admission_date": admitted,
        "legal_status": "final",
        "sentence_months": 24,
        "children": [child_in_prison(date(2024, 5, 1))],
    }
    values.update(fields)
    return admit(user, prison, **values)


@pytest.fixture
def history(users, prisons, offences, criteria):
    officer = users["legal_officer"]
    made = {}
    # Admitted after DAY: she would rank first today (a child in prison, a petty offence).
    made["late"] = mother_of_one(
        officer, prisons["CC2"], TODAY - timedelta(days=30), offences=[offences["theft"]]
    )
    # In custody on DAY with her child, released 40 days ago.
    released = mother_of_one(officer, prisons["CC2"], FIRST_ADMISSION)
    services.record_release(
        officer,
        released.current_episode,
        TODAY - timedelta(days=40),
        "end_of_sentence",
        version=current_version(released.current_episode),
        today=TODAY,
    )
    made["released"] = released
    # Pretrial on DAY with her child, convicted 45 days ago.
    convicted = mother_of_one(
        officer,
        prisons["CC2"],
        TODAY - timedelta(days=235),
        legal_status="pretrial",
        sentence_months=None,
    )
    services.record_legal_status(
        officer,
        convicted.current_episode,
        "final",
        TODAY - timedelta(days=45),
        sentence_months=24,
        version=current_version(convicted.current_episode),
        today=TODAY,
    )
    made["convicted"] = convicted
    # Her child lived with her on DAY and was handed over 30 days ago.
    handed = mother_of_one(officer, prisons["CC2"], FIRST_ADMISSION)
    child = handed.children.get()
    services.move_child_out(
        officer,
        child,
        TODAY - timedelta(days=30),
        "grandparent",
        "Grandmother",
        version=current_version(child),
        today=TODAY,
    )
    made["handed"] = handed
    # Pregnant on DAY; gave birth in prison 20 days ago.
    birth = mother_of_one(
        officer,
        prisons["KDL"],
        TODAY - timedelta(days=100),
        children=[],
        is_pregnant=True,
        pregnancy_known_since=TODAY - timedelta(days=100),
        expected_delivery_date=TODAY - timedelta(days=20),
    )
    services.record_pregnancy_outcome(
        officer,
        ongoing_pregnancy(birth),
        "birth_in_prison",
        TODAY - timedelta(days=20),
        today=TODAY,
    )
    made["birth"] = birth
    return {key: reload(woman) for key, woman in made.items()}


def screened(user, day, remedy="pardon", **kwargs):
    result = screen_candidates(user, remedy, day, **kwargs)
    return result, {s.facts.reference: s for s in result.candidates}


def met(screening) -> set[str]:
    return {f.code for f in screening.met}


def test_the_women_in_custody_that_day_and_their_count(history, users):
    officer = users["legal_officer"]
    now, by_ref_now = screened(officer, TODAY)
    then, by_ref_then = screened(officer, DAY)
    late, released = history["late"].reference, history["released"].reference
    # Admitted after DAY: first today, absent on DAY.
    assert now.candidates[0].facts.reference == late
    assert late not in by_ref_then
    # Released since: screened on DAY, with the child living with her then.
    assert released not in by_ref_now
    assert "child_in_prison" in met(by_ref_then[released])
    # The women in custody then: all but the one admitted since; today all but the released.
    assert then.screened == 4 and now.screened == 4
    assert {s.facts.reference for s in then.candidates} == {
        history[key].reference for key in ("released", "convicted", "handed", "birth")
    }


def test_the_legal_status_and_the_children_of_that_day(history, users):
    officer = users["legal_officer"]
    _now, by_ref_now = screened(officer, TODAY)
    _then, by_ref_then = screened(officer, DAY)
    convicted = history["convicted"].reference
    # Pretrial on DAY: a pardon was closed to her then.
    assert by_ref_then[convicted].ineligible and not by_ref_now[convicted].ineligible
    # The child lived with her on DAY: not today.
    handed = history["handed"].reference
    assert "child_in_prison" in met(by_ref_then[handed])
    assert handed not in by_ref_now  # she meets no criterion today
    # Pregnant on DAY; today her baby lives with her.
    birth = history["birth"].reference
    assert met(by_ref_then[birth]) == {"pregnant"}
    assert met(by_ref_now[birth]) == {"child_in_prison"}
    baby = history["birth"].children.get().reference
    assert baby not in {e.reference for f in by_ref_then[birth].met for e in f.evidence}


def test_a_fact_without_a_date_counts_only_if_her_record_is_unchanged_since(
    history, users, jurisdiction
):
    ScreeningCriterion.objects.create(
        jurisdiction=jurisdiction,
        remedy="pardon",
        code="illness",
        kind="serious_illness",
        weight=3,
        name="Serious illness",
        explanation="Why it counts.",
    )
    woman = history["handed"]
    services.update_woman(
        users["legal_officer"],
        woman,
        {"has_serious_illness": True},
        version=current_version(woman),
        today=TODAY,
    )
    officer = users["legal_officer"]
    _now, by_ref_now = screened(officer, TODAY)
    assert "illness" in met(by_ref_now[woman.reference])
    _then, by_ref_then = screened(officer, DAY)
    illness = next(f for f in by_ref_then[woman.reference].not_met if f.code == "illness")
    assert "is not known" in str(illness.reason)


def test_the_command_screens_that_day(history):
    out = StringIO()
    call_command("screen", "--remedy", "pardon", "--as-of", DAY.isoformat(), stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == (
        f"4 of 4 women in custody meet a criterion (pardon, {DAY.isoformat()})."
    )
    out = StringIO()
    call_command("screen", "--as-of", DAY.isoformat(), "--json", stdout=out)
    subjects = [row["subject"] for row in json.loads(out.getvalue())]
    assert history["late"].reference not in subjects
    assert history["released"].reference in subjects


def refusal(*args: str) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("screen", *args, stdout=StringIO())
    return str(refused.value)


@pytest.mark.parametrize("refused_day, words", REFUSED_DAYS)
def test_the_days_the_register_cannot_answer_for(history, refused_day, words):
    message = refusal("--as-of", refused_day(history).isoformat())
    assert words in message
    if "legal status" in words:
        assert history["released"].reference in message


def test_the_web_page_of_a_round_reads_that_day_or_says_why_not(client, history, users):
    pardon_round = legal_services.create_round(
        users["legal_officer"],
        title="Khmer New Year 2027",
        occasion_date=TODAY + timedelta(days=60),
        submission_deadline=TODAY + timedelta(days=30),
    )
    client.force_login(users["legal_officer"])
    url = reverse("legal:round_screening", args=[pardon_round.pk])
    page = client.get(url, {"as_of": DAY.strftime("%d/%m/%Y")}).content.decode()
    assert history["released"].reference in page
    assert history["late"].reference not in page
    refused = client.get(url, {"as_of": (TODAY + timedelta(days=1)).strftime("%d/%m/%Y")})
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "is after today" in text
    assert history["late"].reference not in text


def test_the_api_refuses_a_day_it_cannot_answer_for(client, history, users):
    api = Api(client).login(users["legal_officer"])
    then = api.get("/legal/screening", as_of=DAY.isoformat()).json()
    assert then["screened"] == 4
    assert history["late"].reference not in {c["subject"] for c in then["candidates"]}
    refused = api.get("/legal/screening", as_of=(TODAY + timedelta(days=1)).isoformat())
    assert refused.status_code == 422
    assert "is after today" in refused.json()["errors"]["as_of"][0]
