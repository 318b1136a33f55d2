"""Who acts: a signed-in user, or the system itself (a management command, a scheduled job).

Services say which they accept in their signature: `User` when only a person at a page or the
API calls them, `Actor` when a command or a job calls them too. The access policy
(`accounts.policy.can`) lets a system actor read the whole register and change nothing through
it; the audit trail names it `system:<name>` (`accounts.audit.record`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, TypeAlias

from django.http import HttpRequest

if TYPE_CHECKING:
    # For the types only: core stands below accounts and never imports it when it runs.
    from motherline.accounts.models import User


@dataclass(frozen=True)
class SystemActor:
    """The system acting on its own: `name` says which part ("worklist", "backup",
    "scheduler"). Not an account: it cannot sign in, no request carries it and nothing is
    recorded as made by it (a record's `created_by` is a user). It answers what the policy
    and the audit trail read from an actor, as no one in particular: no organisation, no
    prison, no primary key."""

    name: str

    is_authenticated: ClassVar[bool] = True
    is_active: ClassVar[bool] = True
    role: ClassVar[str] = "system"
    pk: ClassVar[None] = None
    organisation_id: ClassVar[None] = None
    prison_id: ClassVar[None] = None

    @property
    def username(self) -> str:
        """How the audit trail and the commands' output name it."""
        return f"system:{self.name}"

    def __str__(self) -> str:
        return self.username


Actor: TypeAlias = "User | SystemActor"


class AuthenticatedRequest(HttpRequest):
    """The request a view behind `login_required` (or an API operation behind its `auth`)
    receives, for type checking: its user is signed in. Never made: Django passes an
    `HttpRequest`, whose user the login check has already made a `User`."""

    user: User
