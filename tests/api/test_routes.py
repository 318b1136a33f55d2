"""The shared steps of `api.routes`: a twin pair declared once is two ordinary operations."""

from __future__ import annotations

from typing import Any

from ninja import Query, Router, Schema
from ninja.operation import Operation

from motherline.api.routes import Twin, twins
from motherline.core.actors import AuthenticatedRequest
from motherline.people.models import Child, Woman


class _Paging(Schema):
    size: int = 10


def _operations(router: Router) -> dict[str, Operation]:
    return {
        path: operation
        for path, view in router.path_operations.items()
        for operation in view.operations
    }


def test_a_twin_pair_is_two_operations_with_the_body_s_parameters():
    router = Router()
    seen: list[Any] = []

    @twins(
        router,
        "GET",
        "things",
        woman=Twin("woman_things", "A woman's things", "Hers."),
        child=Twin("child_things", "A child's things", "The child's.", url_name="kid_things"),
    )
    def _things(
        request: AuthenticatedRequest, woman: Woman, child: Child | None, page: Query[_Paging]
    ) -> Any:
        seen.append((woman, child, page))
        return []

    operations = _operations(router)
    assert set(operations) == {"/women/{reference}/things", "/children/{reference}/things"}
    hers, the_child_s = (
        operations["/women/{reference}/things"],
        operations["/children/{reference}/things"],
    )
    assert (hers.view_func.__name__, hers.url_name, hers.summary, hers.description) == (
        "woman_things",
        "woman_things",
        "A woman's things",
        "Hers.",
    )
    assert (the_child_s.view_func.__name__, the_child_s.url_name) == ("child_things", "kid_things")
    assert hers.view_func.__module__ == __name__  # the operation id names the body's module
    for operation in (hers, the_child_s):
        sources = {m.__ninja_param_source__ for m in operation.signature.models}
        assert sources == {"path", "query"}
        assert list(operation.signature.signature.parameters) == ["request", "reference", "page"]
