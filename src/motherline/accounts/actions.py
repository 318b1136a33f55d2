"""The inputs of a user's own account actions and of the organisations, each declared once
(the page's form is derived from the schema with `core.actions.form_for`, and the API takes
it as its request body)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from django.conf import settings
from django.db import models
from ninja import Field, Schema

from motherline.accounts.models import Organisation, OrganisationKind, Role, SharingAgreement, User
from motherline.core.inputs import Sent, Version, max_length_of
from motherline.places.models import Prison

# The languages of the interface, as choices (labels from the settings, translated). The
# stubs know the functional form with names only, not with (value, label) pairs.
MessageLanguage = models.TextChoices(  # type: ignore[call-overload]
    "MessageLanguage", [(code.upper(), (code, name)) for code, name in settings.LANGUAGES]
)


class PreferencesChanges(Schema):
    """A user's own preferences: the language of what is sent to her (alert digests) and
    whether dates and numbers are written with the digits of her language."""

    version: Version
    language: Sent[MessageLanguage] = None  # type: ignore[valid-type]
    native_digits: Sent[bool] = None


LocalName = Annotated[
    str,
    Field(
        max_length=max_length_of(Organisation, "name_local"),
        description="Its name in the local language of its country (in that language's "
        "letters), shown on pages in that language; empty: its name everywhere.",
    ),
]


class OrganisationIn(Schema):
    """A new organisation of a jurisdiction (deployment administrators)."""

    name: str = Field(min_length=1, max_length=max_length_of(Organisation, "name"))
    name_local: LocalName = ""
    kind: OrganisationKind
    jurisdiction: str = Field(
        min_length=2, max_length=8, description="The code of its country's pack."
    )


class OrganisationChanges(Schema):
    """A correction of an organisation's names: only the fields sent change, from the
    version last read; an empty local name removes it."""

    version: Version
    name: Sent[str] = Field(None, min_length=1, max_length=max_length_of(Organisation, "name"))
    name_local: Sent[LocalName] = None


# Why, for an action that overwrites nothing (a reset of the second factor); it is kept on
# the audit trail. (Comments, not docstrings: a docstring would be the API's description.)
class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


class ActiveIn(ReasonIn):
    active: bool
    version: Version


# Why, for a change of a record read at a version (the end of an agreement; the page that
# deactivates an account says which it does with its button, not with a field).
class EndIn(ReasonIn):
    version: Version


class AgreementIn(Schema):
    # The page chooses the organisations from lists (their records); the API names them.
    sharer: str | None = Field(
        None,
        max_length=max_length_of(Organisation, "name"),
        description="The organisation that shares: yours unless you run the deployment.",
    )
    partner: str = Field(min_length=1, max_length=max_length_of(Organisation, "name"))
    starts_on: date
    ends_on: date | None = None
    agreed_by: str = Field(min_length=1, max_length=max_length_of(SharingAgreement, "agreed_by"))
    shares_register: bool = True
    shares_field_work: bool = True
    terms: str = Field("", max_length=max_length_of(SharingAgreement, "terms"))


# An account's role and scope. The page chooses the organisation and the prison from lists
# (their records); the API names them. (Comments, not docstrings: see `ReasonIn`.)
class AccountIn(Schema):
    email: str = Field(min_length=3, max_length=max_length_of(User, "email"))
    role: Role
    organisation: str | None = Field(
        None, max_length=max_length_of(Organisation, "name"), description="The organisation's name."
    )
    prison: str | None = Field(
        None,
        max_length=max_length_of(Prison, "code"),
        description="A liaison officer's prison code.",
    )
    language: str = Field(
        "",
        max_length=max_length_of(User, "language"),
        description="A language code of the server, or empty for its default.",
    )


class InviteIn(AccountIn):
    username: str = Field(min_length=1, max_length=max_length_of(User, "username"))


class AccountChangeIn(AccountIn):
    version: Version
