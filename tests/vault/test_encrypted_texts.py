"""The identifying texts of legal and field work are encrypted at rest like the register's:
legal case numbers and lawyers' names, hearings, dossier arguments and notes, visit notes,
findings, follow-up actions, access incidents, case studies. The database holds tokens, never
the text (on SQLite and PostgreSQL); key rotation and retention cover them."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from motherline.fieldwork.models import (
    AccessIncident,
    CaseStatus,
    CaseStudy,
    Finding,
    FollowUpAction,
    PrisonVisit,
)
from motherline.legal.models import Hearing, LegalCase, PardonRound, ReleaseCandidate
from motherline.vault import keys, retention
from motherline.vault.keys import FieldKeyError, generate_key
from tests.conftest import TODAY
from tests.vault.test_retention import released

# Each encrypted column, with the text the fixture writes into it.
TEXTS = {
    ("legal_legalcase", "lawyer_name"): "Chea Vanna, Esq.",
    ("legal_legalcase", "case_number"): "1207/2024 PP",
    ("legal_hearing", "what_happened"): "Sokha told the judge about her son",
    ("legal_releasecandidate", "argument"): "Her daughter Dara is two and needs her",
    ("legal_releasecandidate", "note"): "Sister in Takeo will take them",
    ("fieldwork_prisonvisit", "notes"): "Met Sokha in cell 4",
    ("fieldwork_finding", "description"): "Sokha's baby has no formula",
    ("fieldwork_followupaction", "description"): "Ask the director about Sokha's son",
    ("fieldwork_accessincident", "what_was_refused"): "A visit to Sokha and her baby",
    ("fieldwork_accessincident", "response"): "Sokha may be seen next month",
    ("fieldwork_casestudy", "title_en"): "Sokha's year in CC2",
    ("fieldwork_casestudy", "narrative_en"): "Sokha was arrested in Takeo with her son",
    ("fieldwork_casestudy", "title_local"): "ឆ្នាំរបស់សុខា",
    ("fieldwork_casestudy", "narrative_local"): "សុខាត្រូវបានចាប់ខ្លួន",
    ("fieldwork_casestudy", "consent_given_by"): "Sok Chanthou herself",
}


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def make_texts(woman, monitor, prison) -> dict[str, int]:
    """One record of each kind about `woman`, holding the texts above; their ids by table."""
    episode = woman.current_episode or woman.episodes.latest("admission_date")
    case = LegalCase.objects.create(
        episode=episode,
        lawyer_name=TEXTS["legal_legalcase", "lawyer_name"],
        case_number=TEXTS["legal_legalcase", "case_number"],
        opened_on=TODAY - timedelta(days=30),
    )
    hearing = Hearing.objects.create(
        case=case,
        held_on=TODAY - timedelta(days=10),
        what_happened=TEXTS["legal_hearing", "what_happened"],
    )
    pardon_round = PardonRound.objects.create(
        jurisdiction=prison.province.jurisdiction,
        organisation=monitor.organisation,
        title="Khmer New Year",
        occasion_date=TODAY + timedelta(days=60),
        submission_deadline=TODAY + timedelta(days=30),
    )
    candidate = ReleaseCandidate.objects.create(
        round=pardon_round,
        woman=woman,
        episode=episode,
        screened_on=TODAY,
        score=3,
        priority=1,
        argument=TEXTS["legal_releasecandidate", "argument"],
        note=TEXTS["legal_releasecandidate", "note"],
    )
    visit = PrisonVisit.objects.create(
        organisation=monitor.organisation,
        prison=prison,
        visit_date=TODAY - timedelta(days=5),
        team="Two monitors",
        access="granted",
        notes=TEXTS["fieldwork_prisonvisit", "notes"],
    )
    finding = Finding.objects.create(
        visit=visit, topic="children", description=TEXTS["fieldwork_finding", "description"]
    )
    action = FollowUpAction.objects.create(
        visit=visit,
        description=TEXTS["fieldwork_followupaction", "description"],
        owner=monitor,
        due_date=TODAY + timedelta(days=7),
    )
    incident = AccessIncident.objects.create(
        organisation=monitor.organisation,
        prison=prison,
        occurred_on=TODAY - timedelta(days=4),
        what_was_refused=TEXTS["fieldwork_accessincident", "what_was_refused"],
        refused_by="Deputy director",
        response=TEXTS["fieldwork_accessincident", "response"],
    )
    study = CaseStudy.objects.create(
        organisation=monitor.organisation,
        woman=woman,
        **{column: text for (table, column), text in TEXTS.items() if table.endswith("study")},
    )
    return {
        "legal_legalcase": case.pk,
        "legal_hearing": hearing.pk,
        "legal_releasecandidate": candidate.pk,
        "fieldwork_prisonvisit": visit.pk,
        "fieldwork_finding": finding.pk,
        "fieldwork_followupaction": action.pk,
        "fieldwork_accessincident": incident.pk,
        "fieldwork_casestudy": study.pk,
    }


def read_back(ids: dict[str, int]) -> dict[tuple[str, str], str]:
    """Every column as the application reads it (through the models)."""
    models = {
        "legal_legalcase": LegalCase,
        "legal_hearing": Hearing,
        "legal_releasecandidate": ReleaseCandidate,
        "fieldwork_prisonvisit": PrisonVisit,
        "fieldwork_finding": Finding,
        "fieldwork_followupaction": FollowUpAction,
        "fieldwork_accessincident": AccessIncident,
        "fieldwork_casestudy": CaseStudy,
    }
    return {
        (table, column): getattr(models[table].objects.get(pk=ids[table]), column)
        for table, column in TEXTS
    }


@pytest.fixture
def stored(register, monitor, prisons):
    return make_texts(register["sokha"], monitor, prisons["CC2"])


def test_the_database_holds_no_plaintext_of_legal_and_field_work(stored):
    for (table, column), text in TEXTS.items():
        value = raw(table, column, stored[table])
        assert value.startswith("gAAAAA"), (table, column)
        assert text not in value and "Sokha" not in value and "សុខា" not in value
    # The application reads the plain text.
    assert read_back(stored) == TEXTS
    # Nothing of it anywhere in a whole-table scan.
    with connection.cursor() as cursor:
        for table in stored:
            cursor.execute(f"SELECT * FROM {table}")
            dump = repr(cursor.fetchall())
            assert "Sokha" not in dump and "Chea Vanna" not in dump and "1207/2024" not in dump


def test_updates_through_the_services_path_are_encrypted_too(stored):
    LegalCase.objects.filter(pk=stored["legal_legalcase"]).update(lawyer_name="Keo Dara")
    value = raw("legal_legalcase", "lawyer_name", stored["legal_legalcase"])
    assert value.startswith("gAAAAA") and "Keo" not in value
    assert LegalCase.objects.get(pk=stored["legal_legalcase"]).lawyer_name == "Keo Dara"


def test_key_rotation_re_encrypts_them(stored, settings):
    old = settings.FIELD_KEY
    before = {key: raw(key[0], key[1], stored[key[0]]) for key in TEXTS}
    settings.FIELD_KEY, settings.FIELD_KEY_PREVIOUS = generate_key(), [old]
    out = io.StringIO()
    call_command("rotate_field_key", batch=2, stdout=out)
    assert "legal.LegalCase: 1 rows re-encrypted" in out.getvalue()
    assert "fieldwork.CaseStudy: 1 rows re-encrypted" in out.getvalue()
    for key in TEXTS:
        after = raw(key[0], key[1], stored[key[0]])
        assert after != before[key] and keys.is_current(after), key
    settings.FIELD_KEY_PREVIOUS = []
    assert read_back(stored) == TEXTS
    settings.FIELD_KEY = old  # the old key alone opens nothing any more
    with pytest.raises(FieldKeyError):
        LegalCase.objects.get(pk=stored["legal_legalcase"])


def test_retention_empties_them_for_a_woman_released_long_ago(field_key, monitor, prisons):
    long_ago = released(monitor, prisons["CC2"], date(2012, 3, 1), date(2014, 8, 20))
    ids = make_texts(long_ago, monitor, prisons["CC2"])
    published = CaseStudy.objects.create(
        organisation=monitor.organisation,
        woman=long_ago,
        title_en="A mother's year",
        narrative_en="An anonymised story.",
        consent_given_by="Her",
        status=CaseStatus.PUBLISHED,
        published_on=date(2015, 1, 1),
    )
    result = retention.apply(TODAY, years=10)
    assert result.women == 1
    case = LegalCase.objects.get(pk=ids["legal_legalcase"])
    assert (case.lawyer_name, case.case_number) == ("", "")
    assert Hearing.objects.get(pk=ids["legal_hearing"]).what_happened == ""
    candidate = ReleaseCandidate.objects.get(pk=ids["legal_releasecandidate"])
    assert (candidate.argument, candidate.note) == ("", "")
    draft = CaseStudy.objects.get(pk=ids["fieldwork_casestudy"])
    assert (draft.title_en, draft.narrative_en, draft.narrative_local, draft.consent_given_by) == (
        draft.reference,
        "",
        "",
        "",
    )
    published.refresh_from_db()
    assert (published.narrative_en, published.consent_given_by) == ("An anonymised story.", "")
    # A prison's visit is not hers: untouched.
    assert PrisonVisit.objects.get(pk=ids["fieldwork_prisonvisit"]).notes == "Met Sokha in cell 4"
