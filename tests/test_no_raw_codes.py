"""No raw code, key, model label, file name or maintainers' note in what a reader sees.

Every web page of the permission matrix's table (the navigation's pages and the record pages
of its seeded `world`: a woman, her child and plan, a legal case, a pardon round and
candidate, a visit, an incident, training, a case study, a grant, notes and documents) is
opened by each role that may open it, in English and in Khmer, and its visible text
(`tests.visible`) is searched for snake_case tokens (`human_trafficking`), model labels
(`people.Woman`), file names (`docs/indicators.md`) and notes a pack's maintainers wrote for
each other ("a working assumption of this pack"). User names are the users' own and are
taken out first.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from motherline.accounts.models import Role, User
from tests.accounts.test_permission_matrix import (  # noqa: F401 (fixtures)
    ALLOW,
    ROUTE_LIST,
    ROUTES,
    World,
    convicted_mother,
    criteria,
    world,
)
from tests.visible import context, raw_codes, visible_text

# Pages that are not for reading: they answer with a file or redirect (sign-out, language).
NOT_PAGES = {"logout", "set_language", "stats:export", "stats:template", "security:audit_export"}


def pages_for(role: str, w: World) -> list[str]:
    urls = []
    for route in ROUTE_LIST:
        rule = ROUTES.get(route.name)
        if route.is_api or route.name in NOT_PAGES or rule is None or "GET" not in rule.methods:
            continue
        if rule.methods["GET"](role) != ALLOW:
            continue
        url = reverse(route.name, kwargs=rule.args(w))
        if rule.query:
            url += "?" + "&".join(f"{k}={v}" for k, v in rule.query.items())
        urls.append(url)
    return urls


def without_user_names(text: str) -> str:
    for name in User.objects.values_list("username", flat=True):
        text = text.replace(name, "")
    return text


@pytest.mark.usefixtures("frozen_today")
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_no_page_shows_a_raw_code(role, users, world):  # noqa: F811
    user = users[role]
    problems = []
    pages = pages_for(role, world)
    assert len(pages) >= 5, pages
    for language in ("en", "km"):
        client = Client()
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for url in pages:
            response = client.get(url)
            assert response.status_code < 500, url
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            text = without_user_names(visible_text(response.content.decode()))
            for token in sorted(set(raw_codes(text))):
                problems.append(f"{language} {url}: {token!r} in …{context(text, token)}…")
    assert not problems, "\n".join(problems)
