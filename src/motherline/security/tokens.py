"""Personal API tokens: created (shown once, stored hashed), checked at every use, revoked.

A token reads `ml_<key>_<secret>`: `key` is public and finds the row, the secret (32 random
bytes) is never stored, only the SHA-256 of the whole token, compared in constant time. A
token acts as its user with the capabilities it was given, narrowed at every use to what the
user's role grants then, so a lowered role or a deactivated account limits or stops it at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User
from motherline.accounts.policy import Capability, capabilities
from motherline.core.actors import Actor
from motherline.security import twofactor
from motherline.security.models import ApiToken

PREFIX = "ml_"
MAX_DAYS = 365
NAME_MAX = 64
# A token's last use is written at most this often, not on every request.
LAST_USE_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def grantable(user: User) -> list[Capability]:
    """The capabilities a token of this user may be given: those the role grants now."""
    granted = capabilities(user)
    return [c for c in Capability if c in granted]


def live(queryset: QuerySet[ApiToken] | None = None) -> QuerySet[ApiToken]:
    """Tokens neither revoked nor expired."""
    queryset = ApiToken.objects.all() if queryset is None else queryset
    return queryset.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


def create_token(
    user: User,
    name: str,
    *,
    expires_in_days: int,
    capability_names: list[str] | None = None,
    actor: User | None = None,
    request: HttpRequest | None = None,
    verified: bool | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for `user` and return it with its secret text (shown once, never again).
    `capability_names` default to all the role grants. `verified` says whether the creating
    session verified its second factor (None: a command on the server, no session)."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the token a name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("A token's name has at most %(n)d characters.") % {"n": NAME_MAX}]
    if not user.is_active:
        errors["__all__"] = [_("This account is inactive.")]
    if verified is False and twofactor.confirmed_device(user) is not None:
        errors["__all__"] = [
            _("Verify your second factor in this session before creating a token.")
        ]
    if not isinstance(expires_in_days, int) or not 1 <= expires_in_days <= MAX_DAYS:
        errors["expires_in_days"] = [_("A token expires in 1 to %(max)d days.") % {"max": MAX_DAYS}]
    allowed = grantable(user)
    if capability_names is None:
        chosen = allowed
    else:
        chosen = []
        for value in capability_names:
            try:
                capability = Capability(value)
            except ValueError:
                errors.setdefault("capabilities", []).append(
                    _("%(value)s is not a capability.") % {"value": value}
                )
                continue
            if capability not in allowed:
                errors.setdefault("capabilities", []).append(
                    _("The role of %(user)s does not grant %(capability)s.")
                    % {"user": user.username, "capability": capability.value}
                )
            elif capability not in chosen:
                chosen.append(capability)
    if not chosen and "capabilities" not in errors:
        errors["capabilities"] = [_("Choose at least one capability the role grants.")]
    if errors:
        raise ValidationError(errors)
    key = secrets.token_hex(6)
    text = f"{PREFIX}{key}_{secrets.token_urlsafe(32)}"
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user,
                name=name,
                key=key,
                secret_hash=_hash(text),
                capabilities=[c.value for c in chosen],
                expires_at=timezone.now() + timedelta(days=expires_in_days),
            )
            audit.record(
                actor or user,
                AuditAction.CREATE,
                token,
                request=request,
                changes={"token": token.key, "name": name, "capabilities": token.capabilities},
            )
    except IntegrityError:
        raise ValidationError(
            {"name": [_("%(user)s already has a token of this name.") % {"user": user.username}]}
        ) from None
    return token, text


def revoke_token(token: ApiToken, actor: Actor, *, request: HttpRequest | None = None) -> None:
    """Revoke a token: it is refused from the next request on."""
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            audit.record(
                actor,
                AuditAction.DELETE,
                token,
                request=request,
                changes={"token": token.key, "name": token.name, "revoked": True},
            )


@dataclass(frozen=True)
class TokenUse:
    token: ApiToken
    capabilities: frozenset[Capability]


def authenticate(text: str) -> TokenUse | None:
    """The token this text is, if it is live and its user active; None otherwise."""
    if not text.startswith(PREFIX) or len(text) > 128:
        return None
    key, sep, _secret = text[len(PREFIX) :].partition("_")
    if not sep or not key:
        return None
    token = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(key=key, revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(text)):
        return None
    now = timezone.now()
    if token.expires_at <= now or not token.user.is_active:
        return None
    # Narrowed to what the role grants now: a lowered role loses the rest at once.
    given = set(token.capabilities)
    allowed = frozenset(c for c in capabilities(token.user) if c.value in given)
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USE_EVERY), pk=token.pk
    ).update(last_used_at=now)
    return TokenUse(token, allowed)


def rate_limited(token: ApiToken) -> int | None:
    """Count one request of this token in the current minute; the seconds to wait if it is
    over `MOTHERLINE_TOKEN_RATE_PER_MINUTE`, else None."""
    limit = int(getattr(settings, "MOTHERLINE_TOKEN_RATE_PER_MINUTE", 600))
    now = time.time()
    window = int(now // 60)
    cache_key = f"motherline:token-rate:{token.pk}:{window}"
    cache.add(cache_key, 0, timeout=120)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=120)
        count = 1
    if count > limit:
        return max(1, int((window + 1) * 60 - now))
    return None
