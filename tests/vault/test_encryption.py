"""Encryption at rest: what the database holds, search through the blind index, key errors
and key rotation."""

from __future__ import annotations

import io

import pytest
from django.core.checks import run_checks
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection

from motherline.people import search, services
from motherline.people.models import Child, Placement, Woman
from motherline.vault import keys
from motherline.vault.keys import FieldKeyError, generate_key
from tests.conftest import TODAY


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def found(term: str) -> set[str]:
    return set(Woman.objects.filter(search.search_q(term)).values_list("reference", flat=True))


def test_the_database_holds_no_plaintext_name_number_note_or_contact(register):
    sokha = register["sokha"]
    stored = {
        column: raw("people_woman", column, sokha.pk)
        for column in ("name", "name_latin", "register_number", "health_notes")
    }
    for column, value in stored.items():
        assert value.startswith("gAAAAA"), column
        assert "Sok" not in value and "សុខ" not in value and "0117" not in value
    dara = next(c for c in Child.objects.filter(mother=sokha) if c.name_latin == "Dara")
    assert "Dara" not in raw("people_child", "name_latin", dara.pk)
    outside = Placement.objects.get(child__mother=sokha, kind="with_caregiver")
    contact = raw("people_placement", "caregiver_contact", outside.pk)
    assert contact.startswith("gAAAAA") and "345" not in contact
    # A whole-table scan finds no plaintext anywhere in the row.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_woman")
        dump = repr(cursor.fetchall())
    assert "Chanthou" not in dump and "Hypertension" not in dump and "CC2-2024" not in dump
    # Two encryptions of the same name differ (random IV): equal names are not visible.
    assert raw("people_woman", "name_latin", sokha.pk) != keys.encrypt("Sok Chanthou")


def test_python_reads_plain_strings(register):
    woman = Woman.objects.get(pk=register["sokha"].pk)
    assert (woman.name, woman.name_latin) == ("សុខ ចាន់ថា", "Sok Chanthou")
    assert woman.register_number == "CC2-2024/0117"
    assert woman.health_notes == "Hypertension, on treatment"
    row = Woman.objects.filter(pk=woman.pk).values("name", "register_number").get()
    assert row == {"name": "សុខ ចាន់ថា", "register_number": "CC2-2024/0117"}


@pytest.mark.parametrize(
    ("term", "who"),
    [
        ("Sok", {"sokha"}),
        ("chanth", {"sokha"}),
        ("sok chan", {"sokha"}),
        ("CHANTHOU SOK", {"sokha"}),
        ("សុខ", {"sokha"}),
        ("ចាន់", {"sokha"}),
        ("le", {"lena"}),
        ("Lê Thị", {"lena"}),
        ("keo", {"mony"}),
        ("CC2-2024", {"sokha"}),
        ("cc2-", {"sokha", "lena"}),
        ("PJ", {"mony"}),
        ("pj-77", {"mony"}),
        ("thou", set()),  # a word is matched from its beginning only
        ("Dara", set()),  # children's names are not in the women's index
        ("sok keo", set()),  # every word must match her
        ("0117", set()),  # register numbers from their beginning only
    ],
)
def test_search_by_name_and_register_number(register, term, who):
    assert found(term) == {register[w].reference for w in who}


def test_search_by_reference(register):
    ref = register["mony"].reference
    assert found(ref.lower()) == {ref}


def test_the_women_list_searches_through_the_index(client, register, monitor):
    client.force_login(monitor)
    response = client.get("/women/", {"q": "chanthou"})
    assert response.status_code == 200
    assert register["sokha"].reference in response.content.decode()
    assert register["lena"].reference not in response.content.decode()


def test_a_correction_of_her_name_updates_the_index(register, monitor):
    lena = register["lena"]
    services.update_woman(
        monitor, lena, {"name_latin": "Lena Pich"}, version=lena.version, today=TODAY
    )
    assert found("pich") == {lena.reference}
    assert found("Thị") == set()


def test_the_database_cannot_be_asked_to_compare_encrypted_values(register):
    with pytest.raises(FieldError, match="encrypted"):
        list(Woman.objects.filter(name="សុខ ចាន់ថា"))
    with pytest.raises(FieldError, match="Unsupported lookup"):
        list(Woman.objects.filter(name_latin__icontains="sok"))
    # Empty values stay comparable: "has no Latin name" is a question the database answers.
    assert Woman.objects.filter(name_latin="").count() == 0


def test_a_wrong_key_is_a_clear_error_not_garbage(register, settings):
    settings.FIELD_KEY = generate_key()
    with pytest.raises(
        FieldKeyError, match=r"Cannot decrypt people\.Woman\.\w+: .*MOTHERLINE_FIELD_KEY"
    ):
        Woman.objects.get(pk=register["sokha"].pk)


def test_a_malformed_key_is_named(settings, db):
    settings.FIELD_KEY = "not-a-key"
    with pytest.raises(FieldKeyError, match="MOTHERLINE_FIELD_KEY"):
        keys.encrypt("x")


def test_without_a_key_a_development_key_is_made_owner_only(settings, tmp_path, db):
    settings.FIELD_KEY = ""
    settings.DATA_DIR = tmp_path
    token = keys.encrypt("Sok")
    key_file = tmp_path / "field.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert keys.decrypt(token) == "Sok"
    messages = [m.id for m in run_checks(include_deployment_checks=True)]
    assert "motherline.W010" in messages


def test_with_a_key_the_deploy_check_is_quiet(field_key):
    messages = [m.id for m in run_checks(include_deployment_checks=True)]
    assert "motherline.W010" not in messages and "motherline.W011" not in messages


def test_rotation_re_encrypts_everything_and_rebuilds_the_index(register, settings):
    old = settings.FIELD_KEY
    before = raw("people_woman", "name", register["sokha"].pk)
    settings.FIELD_KEY = generate_key()
    settings.FIELD_KEY_PREVIOUS = [old]
    # During the rotation the application reads old values and search still works.
    assert Woman.objects.get(pk=register["sokha"].pk).name_latin == "Sok Chanthou"
    assert found("chanthou") == {register["sokha"].reference}
    call_command("rotate_field_key", batch=2, stdout=io.StringIO())
    assert raw("people_woman", "name", register["sokha"].pk) != before
    # Afterwards the new key alone opens every value, and the index is under it.
    settings.FIELD_KEY_PREVIOUS = []
    sokha = Woman.objects.get(pk=register["sokha"].pk)
    assert (sokha.name_latin, sokha.register_number) == ("Sok Chanthou", "CC2-2024/0117")
    assert {p.caregiver_contact for p in Placement.objects.all()} >= {"+855 12 345 678"}
    assert found("chanthou") == {sokha.reference}
    assert found("cc2-") == {sokha.reference, register["lena"].reference}
    # The old key alone opens nothing any more.
    settings.FIELD_KEY = old
    with pytest.raises(FieldKeyError):
        Woman.objects.get(pk=sokha.pk)


def test_rotation_can_run_again_and_changes_nothing_more(register, settings):
    old = settings.FIELD_KEY
    settings.FIELD_KEY, settings.FIELD_KEY_PREVIOUS = generate_key(), [old]
    call_command("rotate_field_key", stdout=io.StringIO())
    after = raw("people_woman", "name", register["sokha"].pk)
    call_command("rotate_field_key", stdout=io.StringIO())
    assert raw("people_woman", "name", register["sokha"].pk) == after


def test_rotation_without_the_old_key_stops_with_a_message(register, settings):
    from django.core.management.base import CommandError

    settings.FIELD_KEY = generate_key()
    with pytest.raises(CommandError, match="MOTHERLINE_FIELD_KEY_PREVIOUS"):
        call_command("rotate_field_key", stdout=io.StringIO())


def test_every_bulk_write_path_encrypts(register):
    """bulk_create (the generator), update (the services' optimistic locking) and
    bulk_update all store tokens and read back the plaintext."""
    sokha, lena = register["sokha"], register["lena"]
    Woman.objects.filter(pk=sokha.pk).update(name_latin="Updated Name")
    lena.name_latin = "Bulk Updated"
    Woman.objects.bulk_update([lena], ["name_latin"])
    (made,) = Woman.objects.bulk_create(
        [Woman(organisation=sokha.organisation, name="ថ្មី", name_latin="Bulk Created")]
    )
    for woman, plain in [(sokha, "Updated Name"), (lena, "Bulk Updated"), (made, "Bulk Created")]:
        stored = raw("people_woman", "name_latin", woman.pk)
        assert stored.startswith("gAAAAA") and plain not in stored
        assert Woman.objects.get(pk=woman.pk).name_latin == plain


def test_the_old_key_may_be_given_as_an_argument(register, settings):
    old = settings.FIELD_KEY
    settings.FIELD_KEY = generate_key()
    out = io.StringIO()
    call_command("rotate_field_key", previous=[old], stdout=out)
    assert "people.Woman: 3 rows re-encrypted" in out.getvalue()
    settings.FIELD_KEY_PREVIOUS = []
    assert Woman.objects.get(pk=register["mony"].pk).name_latin == "Mony Keo"


def test_generate_prints_a_usable_key(db):
    out = io.StringIO()
    call_command("rotate_field_key", generate=True, stdout=out)
    assert len(keys.decode_key(out.getvalue().strip())) == 32
