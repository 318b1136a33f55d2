"""Provinces and prisons, with the counts of women and children held in each now; the
gazetteer below the provinces and the courts of the pack."""

from typing import Annotated, Any

from django.shortcuts import get_object_or_404
from ninja import Field, Path, Router, Schema

from motherline.accounts.policy import Capability
from motherline.api.access import Requires
from motherline.api.schemas import ProvinceCountsOut, ProvinceOut
from motherline.core.actors import AuthenticatedRequest
from motherline.jurisdictions.local import jurisdiction_of
from motherline.people import queries
from motherline.places.models import Commune, Court, District, Province

router = Router(tags=["places"])


@router.get(
    "/prisons",
    response=list[ProvinceCountsOut],
    url_name="prisons",
    summary="Prisons by province, with counts",
    auth=Requires(Capability.VIEW_AGGREGATES),
)
def list_prisons(request: AuthenticatedRequest) -> list[dict[str, Any]]:
    """Every prison of the user's jurisdiction grouped by province, with the women in
    custody, the pregnant women and the children living there now. Counts only, no names."""
    user = request.user
    return [
        {
            "code": group.province.code,
            "name": group.province.name,
            "name_local": group.province.name_local,
            "women": group.women,
            "pregnant": group.pregnant,
            "children": group.children,
            "prisons": [
                {
                    "code": c.prison.code,
                    "name": c.prison.name,
                    "name_local": c.prison.name_local,
                    "kind": c.prison.kind,
                    "capacity": c.prison.capacity,
                    "holds_women": c.prison.holds_women,
                    "is_active": c.prison.is_active,
                    "women": c.women,
                    "pregnant": c.pregnant,
                    "children": c.children,
                }
                for c in group.prisons
            ],
        }
        for group in queries.prison_counts(jurisdiction_of(user.organisation_id))
    ]


@router.get(
    "/provinces",
    response=list[ProvinceOut],
    url_name="provinces",
    summary="Provinces",
    auth=Requires(Capability.VIEW_AGGREGATES),
)
def list_provinces(request: AuthenticatedRequest) -> Any:
    """The first-level areas of the user's jurisdiction (ISO 3166-2 codes)."""
    user = request.user
    return Province.objects.filter(
        jurisdiction__code=jurisdiction_of(user.organisation_id)
    ).order_by("name")


class AreaOut(Schema):
    code: str
    name: str
    name_local: str
    kind: str = Field(description="district, municipality or section; commune or quarter.")
    verified: bool = Field(description="Whether the gazetteer row was checked at its source.")


AreaCode = Annotated[str, Path(max_length=16)]


@router.get(
    "/provinces/{code}/districts",
    response=list[AreaOut],
    url_name="province_districts",
    summary="The districts of a province",
    auth=Requires(Capability.VIEW_AGGREGATES),
)
def list_districts(request: AuthenticatedRequest, code: AreaCode) -> Any:
    """The districts of one of the user's jurisdiction's provinces, from the pack's
    gazetteer (empty where the pack has none); 404 for a province that is not one."""
    province = get_object_or_404(
        Province, jurisdiction__code=jurisdiction_of(request.user.organisation_id), code=code
    )
    return District.objects.filter(province=province).order_by("name")


@router.get(
    "/provinces/{code}/districts/{district}/communes",
    response=list[AreaOut],
    url_name="district_communes",
    summary="The communes of a district",
    auth=Requires(Capability.VIEW_AGGREGATES),
)
def list_communes(request: AuthenticatedRequest, code: AreaCode, district: AreaCode) -> Any:
    """The communes of a district of one of the user's jurisdiction's provinces."""
    found = get_object_or_404(
        District,
        province__jurisdiction__code=jurisdiction_of(request.user.organisation_id),
        province__code=code,
        code=district,
    )
    return Commune.objects.filter(district=found).order_by("name")


class CourtOut(Schema):
    code: str
    name: str
    name_local: str
    province: str = Field(alias="province.code", description="The code of the province it sits in.")
    verified: bool = Field(description="Whether the pack's row was checked at its source.")


@router.get(
    "/courts",
    response=list[CourtOut],
    url_name="courts",
    summary="Courts",
    auth=Requires(Capability.VIEW_AGGREGATES),
)
def list_courts(request: AuthenticatedRequest) -> Any:
    """The courts of the user's jurisdiction, from its pack (highest first; empty where the
    pack lists none): a legal case names its court by one of these codes."""
    return Court.objects.filter(
        province__jurisdiction__code=jurisdiction_of(request.user.organisation_id), is_active=True
    ).select_related("province")
