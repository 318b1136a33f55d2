"""The REST API under /api/v1/, with its OpenAPI description at /api/v1/openapi.json.

It signs in with the web session: a script or page that has signed in to the web UI uses the
same cookie, and unsafe methods need Django's CSRF token like a form does. Each operation names
the capability its role needs (`auth=Requires(...)`, `api.access`), checked before ninja parses
the request, so a role refused an endpoint gets 403 whatever it sent.
"""

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.security import django_auth

from motherline.api import errors
from motherline.api.administration import router as administration_router
from motherline.api.audit import router as audit_router
from motherline.api.care import router as care_router
from motherline.api.casework import router as casework_router
from motherline.api.fieldwork import router as fieldwork_router
from motherline.api.grants import router as grants_router
from motherline.api.jobs import router as jobs_router
from motherline.api.legal import router as legal_router
from motherline.api.nul import refuse_nul
from motherline.api.people import router as people_router
from motherline.api.places import router as places_router
from motherline.api.referrals import router as referrals_router
from motherline.api.stats import router as stats_router
from motherline.api.submissions import router as submissions_router
from motherline.api.worklist import router as worklist_router


class MotherlineAPI(NinjaAPI):
    """ninja's API with every operation's error answers in its OpenAPI document."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        errors.document_errors(schema)
        return schema


api = MotherlineAPI(
    title="Motherline API",
    version="1",
    description=(
        "The register of women in prison and the children who live with them. "
        "Authenticate with the web session; send the CSRF token (X-CSRFToken) with "
        "POST requests. Errors of a refused change are returned as "
        '`{"errors": {"field": ["message"]}}` with HTTP 422.'
    ),
    urls_namespace="api",
    parser=errors.ObjectBodyParser(),
    # Every operation sets its own `Requires`; this default only keeps a forgotten one signed in.
    auth=django_auth,
)
errors.install(api)
# After each operation's auth, so that a role refused an endpoint is told only that.
api.add_decorator(refuse_nul, mode="operation")
api.add_router("/", places_router)
api.add_router("/", people_router)
api.add_router("/", worklist_router)
api.add_router("/", care_router)
api.add_router("/", stats_router)
api.add_router("/", audit_router)
api.add_router("/", fieldwork_router)
api.add_router("/", grants_router)
api.add_router("/", legal_router)
api.add_router("/", administration_router)
api.add_router("/", casework_router)
api.add_router("/", referrals_router)
api.add_router("/", jobs_router)
api.add_router("/", submissions_router)
