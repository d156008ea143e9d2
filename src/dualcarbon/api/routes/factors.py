"""The bundled factor library: search (as `dualcarbon factors search`) and the factor sets."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from dualcarbon.api import results, schemas
from dualcarbon.api.auth import Principal, viewer
from dualcarbon.factors.library import read_sets_table

router = APIRouter(prefix="/api/factors", tags=["factors"])
COLUMNS = [
    "factor_id",
    "key",
    "factor_set",
    "dataset",
    "version",
    "parameter",
    "gas",
    "value",
    "unit_numerator",
    "unit_denominator",
    "basis",
    "region",
    "year",
    "name",
    "citation",
    "check",
    "notes",
]


@router.get("", response_model=schemas.Rows)
def search(
    request: Request,
    q: str = Query(
        ..., min_length=1, max_length=200, description="Text in a key, alias or source name: 天然气, diesel, 327310"
    ),
    limit: int = Query(50, ge=1, le=500),
    who: Principal = Depends(viewer),
) -> schemas.Rows:
    """Factors whose activity key, alias or source name contains ``q``, as `dualcarbon factors search`."""
    rows = request.app.state.library().search(q, limit)
    return schemas.Rows(items=results.records(rows.select([c for c in COLUMNS if c in rows.columns])))


@router.get("/sets", response_model=list[schemas.FactorSet])
def sets(request: Request, who: Principal = Depends(viewer)) -> list[schemas.FactorSet]:
    """The bundled factor sets with version, rows and content hash, as `dualcarbon factors sets`."""
    return [schemas.FactorSet(**s) for s in read_sets_table(request.app.state.library())]
