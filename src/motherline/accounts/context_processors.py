from __future__ import annotations

from django.http import HttpRequest

from motherline.accounts.policy import Capability, capabilities


def access(request: HttpRequest) -> dict[str, dict[str, bool]]:
    """What the signed-in user may do, so templates show only the links that work."""
    user = getattr(request, "user", None)
    caps = capabilities(user) if user is not None else frozenset()
    return {"can": {c.value: (c in caps) for c in Capability}}
