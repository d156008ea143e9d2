"""Year-on-year comparison of two stored runs (``dualcarbon.compare``, docs/compare.md): the same
comparison as ``dualcarbon compare OLD NEW``, read from the runs' stored output files."""

from __future__ import annotations

import io
import json

import polars as pl
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from dualcarbon.api import results
from dualcarbon.api.auth import Principal, store_of, viewer
from dualcarbon.api.errors import ApiError
from dualcarbon.api.routes.runs import run_or_404
from dualcarbon.compare import RunResults, compare
from dualcarbon.i18n import languages
from dualcarbon.project.compare import EMISSION_COLUMNS
from dualcarbon.store import Store

router = APIRouter(prefix="/api", tags=["runs"])


def _emissions(store: Store, org_id: str, run: dict) -> pl.LazyFrame | None:
    """The run's emission rows (only the columns the comparison reads), whichever file it wrote; None for none."""
    produced = {o["name"] for o in store.run_outputs(org_id, run["id"])}
    if "emissions.parquet" in produced:
        data = results.output(store, org_id, run, "emissions.parquet")
        frame = pl.read_parquet(io.BytesIO(data), columns=EMISSION_COLUMNS)
    else:
        name = next((n for n in ("emissions.csv", "emissions.xlsx") if n in produced), None)
        if name is None:
            return None
        frame = results.table(store, org_id, run, name, typed=True).select(EMISSION_COLUMNS)
    return (
        frame.lazy()
        .with_columns(pl.col(c).cast(pl.String) for c in EMISSION_COLUMNS if c not in ("gwp", "co2e_t"))
        .with_columns(pl.col("gwp").cast(pl.Float64), pl.col("co2e_t").cast(pl.Float64))
    )


def _results(store: Store, org_id: str, run: dict) -> RunResults:
    if run["kind"] == "footprint":
        raise ApiError(409, "not_comparable", f"run {run['id']} is a product footprint: it has no inventory to compare")
    summary = results.summary(store, org_id, run)
    sources = results.table(store, org_id, run, "sources.csv").with_columns(pl.col("scope").cast(pl.String))
    return RunResults(summary, sources, _emissions(store, org_id, run), run["id"])


@router.get(
    "/runs/{run_id}/compare/{other_id}",
    responses={
        200: {"description": "compare.json (schema dualcarbon.compare/1), or compare.html with format=html"},
        404: {"description": "not_found: either run; not_produced: a run without summary.json or sources.csv"},
        409: {"description": "run_not_succeeded, or not_comparable (a product footprint)"},
    },
)
def compare_runs(
    run_id: str,
    other_id: str,
    request: Request,
    format: str = Query("json", pattern="^(json|html)$", description="json (compare.json) or html (compare.html)"),
    lang: str = Query("en", description="Language of the HTML page: zh or en."),
    who: Principal = Depends(viewer),
) -> Response:
    """Run ``run_id`` compared with the earlier run ``other_id``: totals, intensity, scopes and categories, and the
    change of the location-based total split source by source into method, emission-factor and activity effects,
    new and dropped sources apart (docs/compare.md)."""
    if lang not in languages():
        raise ApiError(422, "invalid_lang", f"lang {lang!r}: expected one of {', '.join(languages())}")
    store = store_of(request)
    new = run_or_404(store, who, run_id)
    old = run_or_404(store, who, other_id)
    result = compare(_results(store, who.org_id, old), _results(store, who.org_id, new))
    if format == "html":
        from dualcarbon.report.compare import render_compare

        return HTMLResponse(render_compare(result, lang), headers={"Content-Security-Policy": "sandbox"})
    return Response(json.dumps(result, ensure_ascii=False), media_type="application/json")
