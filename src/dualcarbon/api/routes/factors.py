"""The bundled factor library: search (as `dualcarbon factors search`) and the factor sets."""

from __future__ import annotations

import tomllib
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request

from dualcarbon.api import results, schemas
from dualcarbon.api.auth import Principal, store_of, viewer
from dualcarbon.api.routes.projects import project_or_404
from dualcarbon.errors import InputError, Problem, msg
from dualcarbon.factors import search as factor_search
from dualcarbon.factors.library import read_sets_table
from dualcarbon.model import Settings

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
    "name_zh",
    "name_en",
    "citation",
    "check",
    "notes",
]


@router.get("", response_model=schemas.FactorPage)
def search(
    request: Request,
    q: str = Query(
        "",
        max_length=200,
        description="Text in a key, alias or name: 天然气, diesel, 327310 (may be empty with a filter)",
    ),
    factor_set: list[str] = Query([], alias="set", description="Only these factor sets (repeat: set=a&set=b)"),
    region: str | None = Query(None, max_length=40, description="A region and the regions within it: CN, CN-NCG, US"),
    gas: str | None = Query(None, max_length=40, description="CO2, CH4, N2O, CO2e, HFC-134a …"),
    year: int | None = Query(None, ge=1900, le=2200, description="The factor's year (undated defaults have none)"),
    project: str | None = Query(None, max_length=80, description="Rank for this project: its country, region, sets"),
    lang: Literal["zh", "en"] | None = Query(None, description="The page's language: its factors first"),
    offset: int = Query(0, ge=0, le=schemas.MAX_OFFSET),
    limit: int = Query(50, ge=1, le=500),
    who: Principal = Depends(viewer),
) -> schemas.FactorPage:
    """Factors matching the text and filters, what fits first (the project's country, or the page
    language's home, then the page's language, then the set precedence), paged, as `dualcarbon factors search`."""
    library = request.app.state.library()
    filters = factor_search.Filters(q, tuple(factor_set), region or None, gas or None, year)
    problems = []
    if filters.empty():
        problems.append(Problem(None, None, "q", None, msg("fsearch.problem.search_for")))
    unknown = [s for s in factor_set if s not in library.sets]
    if unknown:
        known = ", ".join(library.sets)
        problems += [Problem(None, None, "set", s, msg("fsearch.problem.unknown_set", sets=known)) for s in unknown]
    if problems:
        raise InputError(problems)  # answered 422 in the request's language (api/errors.py)
    fit = factor_search.Fit.of(_project_settings(request, who, project) if project else None, lang)
    found = factor_search.search(library, filters, fit, offset, limit)
    rows = found.rows.select([c for c in COLUMNS if c in found.rows.columns])
    ranked = {
        "country": fit.country,
        "region": fit.region,
        "lang": fit.lang,
        "precedence": factor_search.precedence(library, fit),
    }
    return schemas.FactorPage(total=found.total, offset=offset, limit=limit, fit=ranked, items=results.records(rows))


def _project_settings(request: Request, who: Principal, project_id: str) -> Settings | None:
    """The project's current settings, or None when it has none yet (or they no longer read)."""
    store = store_of(request)
    project_or_404(store, who, project_id)
    current = [b for b in store.current_inputs(who.org_id, project_id) if b["kind"] == "settings"]
    if not current:
        return None
    try:
        return Settings.model_validate(tomllib.loads(store.blob(current[0]["sha256"]).decode("utf-8-sig")))
    except (ValueError, UnicodeDecodeError):
        return None


@router.get("/sets", response_model=list[schemas.FactorSet])
def sets(request: Request, who: Principal = Depends(viewer)) -> list[schemas.FactorSet]:
    """The bundled factor sets with version, rows and content hash, as `dualcarbon factors sets`."""
    return [schemas.FactorSet(**s) for s in read_sets_table(request.app.state.library())]
