"""Runs: start one (queued, computed in the background), follow it, read what it produced."""

from __future__ import annotations

import asyncio
import hashlib
import json

import polars as pl
from anyio import to_thread
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from dualcarbon.api import results, schemas
from dualcarbon.api.auth import Principal, audit, editor, store_of, viewer
from dualcarbon.api.errors import ApiError, not_found, request_lang
from dualcarbon.api.routes.projects import attachment, project_or_404
from dualcarbon.api.runner import STEPS, TERMINAL
from dualcarbon.report.territory import subject_sections
from dualcarbon.store import Store
from dualcarbon.store import folder as layout

router = APIRouter(prefix="/api", tags=["runs"])
MAX_WAIT_SECONDS = 60
POLL_SECONDS = 0.1
# Output files of the other jobs, returned when a run wrote them (neutrality, pathway).
NEUTRALITY_TABLES = ("neutrality.csv",)
PATHWAY_TABLES = ("pathway.csv", "measures_plan.csv", "abatement.csv")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def run_or_404(store: Store, who: Principal, run_id: str) -> dict:
    row = store.run(who.org_id, run_id)
    if row is None:
        raise not_found("run", run_id)
    return row


def _totals(store: Store, who: Principal, run: dict) -> dict | None:
    if run["status"] != "succeeded" or run["kind"] == "footprint":  # a footprint has no inventory
        return None
    return results.summary(store, who.org_id, run).get("totals")


def _queue(
    request: Request,
    who: Principal,
    project_id: str,
    inputs: list[tuple[dict, str]],
    options: dict,
    reproduces: str | None = None,
) -> JSONResponse:
    store = store_of(request)
    kind = "footprint" if options.get("footprint") else "pathway" if options.get("pathway") else "inventory"
    steps = len(STEPS) if options.get("pathway") else len(STEPS) - 1  # "optimize" only with a pathway
    run = store.create_run(who.org_id, project_id, kind, options, inputs, who.user_id, steps, reproduces)
    request.app.state.runner.submit(run["id"])
    audit(
        request,
        who,
        "run.started",
        "run",
        run["id"],
        {"project_id": project_id, "kind": kind, "reproduces": reproduces},
    )
    body = schemas.Run.of(run).model_dump(mode="json")
    return JSONResponse(body, status_code=202, headers={"Location": f"/api/runs/{run['id']}"})


@router.post("/projects/{project_id}/runs", status_code=202, response_model=schemas.Run)
def start_run(
    project_id: str, request: Request, body: schemas.RunCreate | None = None, who: Principal = Depends(editor)
) -> JSONResponse:
    """Queue a run of the project's current batches (editor): the latest settings and credits, every
    activities and factors batch not withdrawn. Answers 202 at once; follow GET /api/runs/{id}."""
    store = store_of(request)
    project_or_404(store, who, project_id)
    batches = store.current_inputs(who.org_id, project_id)
    if body and body.disclosure:  # approved data requests only (docs/collection.md)
        batches = _disclosure_inputs(store, who, project_id, batches)
    kinds = {b["kind"] for b in batches}
    if not {"settings", "activities"} <= kinds:
        missing = " and ".join(k for k in ("settings", "activities") if k not in kinds)
        raise ApiError(409, "inputs_missing", f"project {project_id} has no {missing} to run on yet")
    options: dict[str, object] = {"lang": body.lang if body else None}
    if body and body.pathway:  # kept out of older runs' options, so their reproductions hash the same
        options["pathway"] = True
    if body and body.emissions:  # likewise: absent means auto, as before the option existed
        options["emissions"] = body.emissions
    if body and body.pdf:
        _pdf_available()
        options["pdf"] = True
    if body and body.disclosure:
        options["disclosure"] = True
    return _queue(request, who, project_id, layout.layout(batches), options)


def _disclosure_inputs(store: Store, who: Principal, project_id: str, batches: list[dict]) -> list[dict]:
    """The inputs of a run for disclosure of the settings' period (routes/collection.py)."""
    import tomllib

    from dualcarbon.api.routes.collection import disclosure_inputs
    from dualcarbon.model import Settings

    settings = [b for b in batches if b["kind"] == "settings"]
    if not settings:
        raise ApiError(409, "inputs_missing", f"project {project_id} has no settings to run on yet")
    text = store.blob(settings[0]["sha256"]).decode("utf-8-sig")
    period = Settings.model_validate(tomllib.loads(text)).period
    return disclosure_inputs(store, who, project_id, period.start, period.end)


def _pdf_available() -> None:
    from dualcarbon.report.pdf import engine_available

    if not engine_available():
        raise ApiError(
            409,
            "pdf_unavailable",
            "this server cannot print report.pdf: no Chromium is installed on it (the administrator can "
            "install chromium and fonts-noto-cjk); report.html prints from any browser",
        )


@router.post("/projects/{project_id}/footprints", status_code=202, response_model=schemas.Run)
def start_footprint(
    project_id: str, request: Request, body: schemas.FootprintCreate | None = None, who: Principal = Depends(editor)
) -> JSONResponse:
    """Queue the product footprint of the project (editor), as `dualcarbon footprint` computes it: the latest
    settings (with [product]), processes and exchanges, and the credits and documents of a product claim. A
    run of kind ``footprint``: follow GET /api/runs/{id}; it writes footprint.json, by_process.csv,
    by_stage.csv and report.html (report.pdf with ``pdf``)."""
    store = store_of(request)
    project_or_404(store, who, project_id)
    batches = store.current_inputs(who.org_id, project_id)
    kinds = {b["kind"] for b in batches}
    needed = ("settings", "processes", "exchanges")
    if not set(needed) <= kinds:
        missing = " and ".join(k for k in needed if k not in kinds)
        raise ApiError(409, "inputs_missing", f"project {project_id} has no {missing} to compute a footprint on yet")
    options: dict[str, object] = {"lang": body.lang if body else None, "footprint": True}
    if body and body.iterations is not None:
        options["iterations"] = body.iterations
    if body and body.pdf:
        _pdf_available()
        options["pdf"] = True
    # activities are left out: their inventory is `run`'s, and with them the footprint would leave the report to it
    inputs = [(b, path) for b, path in layout.layout(batches) if b["kind"] != "activities"]
    return _queue(request, who, project_id, inputs, options)


@router.get("/projects/{project_id}/runs", response_model=schemas.RunPage)
def runs(
    project_id: str,
    request: Request,
    offset: int = Query(0, ge=0, le=schemas.MAX_OFFSET),
    limit: int = Query(50, ge=1, le=500),
    who: Principal = Depends(viewer),
) -> schemas.RunPage:
    """The project's runs, newest first, with their totals once succeeded."""
    store = store_of(request)
    project_or_404(store, who, project_id)
    rows, total = store.runs(who.org_id, project_id, limit, offset)
    items = [schemas.Run.of(r, _totals(store, who, r)) for r in rows]
    return schemas.RunPage(total=total, offset=offset, limit=limit, items=items)


@router.get("/runs/{run_id}", response_model=schemas.RunDetail)
async def run(
    run_id: str,
    request: Request,
    wait: float = Query(
        0, ge=0, le=MAX_WAIT_SECONDS, description="Seconds to wait for the run to finish before answering (long poll)."
    ),
    who: Principal = Depends(viewer),
) -> schemas.RunDetail:
    """A run: status (queued, running, succeeded, failed), progress step, inputs and their hashes,
    factor sets, outputs and their hashes, totals; or the error that failed it."""
    store = store_of(request)
    runner = request.app.state.runner
    row = await to_thread.run_sync(run_or_404, store, who, run_id)
    clock = asyncio.get_running_loop().time
    deadline, seen, read_at = clock() + wait, runner.changes, clock()
    while row["status"] not in TERMINAL and clock() < deadline:
        # Waiting holds no thread: the store is read again when this server's runner reports a
        # change, and at least every second (a run computed by another server).
        await asyncio.sleep(POLL_SECONDS)
        if runner.changes != seen or clock() - read_at >= 1.0:
            seen, read_at = runner.changes, clock()
            row = await to_thread.run_sync(run_or_404, store, who, run_id)
    return await to_thread.run_sync(_detail, store, who, row)


def _detail(store: Store, who: Principal, row: dict) -> schemas.RunDetail:
    inputs = [
        schemas.RunInput(batch_id=i["id"], kind=i["kind"], filename=i["filename"], path=i["path"], sha256=i["sha256"])
        for i in store.run_inputs(who.org_id, row["id"])
    ]
    outputs = [schemas.RunOutput(**o) for o in store.run_outputs(who.org_id, row["id"])]
    base = schemas.Run.of(row, _totals(store, who, row)).model_dump()
    return schemas.RunDetail(**base, inputs=inputs, outputs=outputs)


@router.post("/runs/{run_id}/reproduce", status_code=202, response_model=schemas.Run)
def reproduce(run_id: str, request: Request, who: Principal = Depends(editor)) -> JSONResponse:
    """Queue a new run on exactly the inputs and options of ``run_id`` (editor). Its outputs' hashes
    can then be compared with the original's (GET /api/runs/{id}: ``outputs``)."""
    store = store_of(request)
    original = run_or_404(store, who, run_id)
    inputs = [({"id": i["id"], "sha256": i["sha256"]}, i["path"]) for i in store.run_inputs(who.org_id, run_id)]
    return _queue(request, who, original["project_id"], inputs, json.loads(original["options_json"]), run_id)


@router.get("/runs/{run_id}/summary", response_model=dict)
def summary(run_id: str, request: Request, who: Principal = Depends(viewer)) -> dict:
    """summary.json of a succeeded run (schema dualcarbon.summary/1)."""
    store = store_of(request)
    return results.summary(store, who.org_id, run_or_404(store, who, run_id))


@router.get("/runs/{run_id}/sections", response_model=dict)
def sections(run_id: str, request: Request, who: Principal = Depends(viewer)) -> dict:
    """What report.html shows of a territory, of the years and of the indicators, as data
    (``dualcarbon.report.territory.subject_sections`` of the run's summary.json): ``territory`` (GPC table
    with sector subtotals and notation keys, IPCC sectors, intensities, removals; null for an
    organisation), ``trend`` (by_year) and ``indicators``. Exact tonnes; codes, not names."""
    store = store_of(request)
    return subject_sections(results.summary(store, who.org_id, run_or_404(store, who, run_id)))


@router.get("/runs/{run_id}/emissions", response_model=schemas.EmissionPage)
def emissions(
    run_id: str,
    request: Request,
    offset: int = Query(0, ge=0, le=schemas.MAX_OFFSET),
    limit: int = Query(100, ge=1, le=1000),
    scope: str | None = Query(None, description="1, 2 or 3"),
    category: str | None = None,
    gas: str | None = None,
    facility: str | None = None,
    key: str | None = Query(None, description="Activity key, e.g. fuel/natural_gas"),
    activity: str | None = Query(None, description="The activity as written in the file"),
    scope2_method: str | None = Query(None, description="location or market"),
    month: str | None = Query(None, description="YYYY-MM"),
    source_file: str | None = None,
    who: Principal = Depends(viewer),
) -> schemas.EmissionPage:
    """Rows of emissions.csv, emissions.parquet or emissions.xlsx (one per activity × gas, with the trace), paged, each
    filter an exact match."""
    store = store_of(request)
    run = run_or_404(store, who, run_id)
    filters = {
        "scope": scope,
        "category": category,
        "gas": gas,
        "facility": facility,
        "key": key,
        "activity": activity,
        "scope2_method": scope2_method,
        "month": month,
        "source_file": source_file,
    }
    return schemas.EmissionPage(**results.emissions(store, who.org_id, run, filters, offset, limit))


@router.get("/runs/{run_id}/inventory", response_model=schemas.Rows)
def inventory(run_id: str, request: Request, who: Principal = Depends(viewer)) -> schemas.Rows:
    """inventory.csv: emissions by scope, category and facility."""
    store = store_of(request)
    frame = results.table(store, who.org_id, run_or_404(store, who, run_id), "inventory.csv")
    return schemas.Rows(items=results.records(frame))


@router.get("/runs/{run_id}/facilities", response_model=schemas.Rows)
def facilities(
    run_id: str,
    request: Request,
    names: bool = Query(False, description="Only the facility names (`{facility}` records), e.g. for a filter."),
    who: Principal = Depends(viewer),
) -> schemas.Rows:
    """facilities.csv: every facility with its t CO2e (scope1, scope2_location, scope2_market, scope3,
    total_location, total_market), the largest location-based total first; summary.json's ``by_facility``
    lists only the largest of them when there are many. A run written before facilities.csv existed
    answers its summary's ``by_facility``, which then listed every facility."""
    store = store_of(request)
    run = run_or_404(store, who, run_id)
    if "facilities.csv" in {o["name"] for o in store.run_outputs(who.org_id, run["id"])}:
        frame = results.table(store, who.org_id, run, "facilities.csv", typed=True)
        frame = frame.with_columns(pl.exclude("facility").cast(pl.Float64))
    else:
        frame = pl.DataFrame(results.summary(store, who.org_id, run).get("by_facility") or [])
    if names:
        frame = frame.select("facility") if "facility" in frame.columns else frame
    return schemas.Rows(items=results.records(frame))


@router.get("/runs/{run_id}/sources", response_model=schemas.Rows)
def sources(run_id: str, request: Request, who: Principal = Depends(viewer)) -> schemas.Rows:
    """sources.csv: every activity source (activity key, names, kind, scope, category, quantity in the base
    unit of its dimension, t CO2e location-based), largest first; the report lists the largest of them."""
    store = store_of(request)
    frame = results.table(store, who.org_id, run_or_404(store, who, run_id), "sources.csv", typed=True)
    return schemas.Rows(items=results.records(frame))


def _tables(store: Store, who: Principal, run: dict, names: tuple[str, ...]) -> dict[str, list[dict]]:
    produced = {o["name"] for o in store.run_outputs(who.org_id, run["id"])}
    return {
        n.removesuffix(".csv"): results.records(results.table(store, who.org_id, run, n))
        for n in names
        if n in produced
    }


@router.get(
    "/runs/{run_id}/neutrality",
    response_model=schemas.Neutrality,
    responses={404: {"description": "not_found, or not_produced: the project assesses no neutrality claim"}},
)
def neutrality(run_id: str, request: Request, who: Principal = Depends(viewer)) -> schemas.Neutrality:
    """The neutrality assessment of a run (summary.json's ``neutrality``, and its tables when written);
    404 ``not_produced`` when the project's settings have no [neutrality] table."""
    store = store_of(request)
    run = run_or_404(store, who, run_id)
    assessment = results.summary(store, who.org_id, run).get("neutrality")
    if not assessment:
        raise ApiError(
            404,
            "not_produced",
            f"run {run_id} has no neutrality assessment: the project's settings have no [neutrality] table",
        )
    return schemas.Neutrality(assessment=assessment, tables=_tables(store, who, run, NEUTRALITY_TABLES))


@router.get(
    "/runs/{run_id}/pathway",
    response_model=schemas.Pathway,
    responses={404: {"description": "not_found, or not_produced: the run computed no pathway"}},
)
def pathway(run_id: str, request: Request, who: Principal = Depends(viewer)) -> schemas.Pathway:
    """The pathway a run computed (pathway.json and its tables); 404 ``not_produced`` when it computed none."""
    store = store_of(request)
    run = run_or_404(store, who, run_id)
    data = results.output(store, who.org_id, run, "pathway.json")
    return schemas.Pathway(pathway=json.loads(data), tables=_tables(store, who, run, PATHWAY_TABLES))


@router.get("/runs/{run_id}/report", response_class=HTMLResponse)
def report(run_id: str, request: Request, download: bool = False, who: Principal = Depends(viewer)) -> Response:
    """report.html, self-contained; ``download=true`` to save it as a file."""
    store = store_of(request)
    html = results.output(store, who.org_id, run_or_404(store, who, run_id), "report.html")
    headers = {"Content-Security-Policy": "sandbox allow-scripts"}  # the report's scripts get no access to this origin
    if download:
        headers["Content-Disposition"] = attachment(f"report-{run_id}.html")
    return HTMLResponse(html, headers=headers)


@router.get(
    "/runs/{run_id}/disclosures/{framework}.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def disclosure(
    run_id: str,
    framework: str,
    request: Request,
    lang: str | None = None,
    revenue: float | None = None,
    currency: str | None = None,
    who: Principal = Depends(viewer),
) -> Response:
    """One framework's disclosure export of a succeeded inventory run (``cdp``, ``esrs-e1``, ``ifrs-s2``,
    ``cn-exchange``) as an XLSX workbook: a cover with the run and its locked/verified state, the fields
    filled from its summary.json with value, unit and source, and what is missing with why
    (docs/disclosure.md). ``revenue`` and ``currency`` (together) give the net revenue for intensities."""
    from dualcarbon.disclosure.fill import fill, revenue_of
    from dualcarbon.disclosure.frameworks import framework as framework_of
    from dualcarbon.disclosure.frameworks import framework_ids
    from dualcarbon.i18n import translator
    from dualcarbon.report.disclosure import workbook_bytes

    store = store_of(request)
    run = run_or_404(store, who, run_id)
    if framework not in framework_ids():
        raise not_found("disclosure framework", framework)
    if run["kind"] == "footprint":
        raise ApiError(409, "not_an_inventory", f"run {run_id} is a product footprint: it has no inventory to disclose")
    income = revenue_of(revenue, currency, column="revenue")
    chosen = request_lang(request)
    data = results.output(store, who.org_id, run, "summary.json")
    summary = json.loads(data)
    from dualcarbon.api.routes.assurance import disclosure_state  # (a module that imports this one)

    filled = fill(framework_of(framework), summary, income, disclosure_state(request, who, run))
    sha256 = hashlib.sha256(data).hexdigest()
    book = workbook_bytes(filled, summary, sha256, chosen, translator(chosen), f"run {run_id}", income)
    name = f"disclosure-{framework}-{chosen}-{run_id}.xlsx"
    return Response(book, media_type=XLSX, headers={"Content-Disposition": attachment(name)})


@router.get("/runs/{run_id}/files", response_model=list[schemas.RunOutput])
def files(run_id: str, request: Request, who: Principal = Depends(viewer)) -> list[schemas.RunOutput]:
    """The run's output files with their SHA-256 and size."""
    store = store_of(request)
    run_or_404(store, who, run_id)
    return [schemas.RunOutput(**o) for o in store.run_outputs(who.org_id, run_id)]


@router.get(
    "/runs/{run_id}/files/{name}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def file(run_id: str, name: str, request: Request, who: Principal = Depends(viewer)) -> Response:
    """One output file, byte for byte as the job wrote it."""
    store = store_of(request)
    data = results.output(store, who.org_id, run_or_404(store, who, run_id), name)
    media = {
        ".json": "application/json",
        ".csv": "text/csv; charset=utf-8",
        ".html": "text/html; charset=utf-8",
        ".pdf": "application/pdf",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    suffix = name[name.rfind(".") :] if "." in name else ""
    headers = {"Content-Disposition": attachment(name)}
    return Response(data, media_type=media.get(suffix, "application/octet-stream"), headers=headers)


@router.get("/runs/{run_id}/inputs", response_class=Response, responses={200: {"content": {"application/zip": {}}}})
def inputs(run_id: str, request: Request, who: Principal = Depends(viewer)) -> Response:
    """The run's project folder as a zip, byte for byte as the run read it: unzip it and
    `dualcarbon run` reproduces the run's outputs."""
    store = store_of(request)
    run_or_404(store, who, run_id)
    members = [(i["path"], store.blob(i["sha256"])) for i in store.run_inputs(who.org_id, run_id)]
    return Response(
        layout.zip_bytes(members, run_id),
        media_type="application/zip",
        headers={"Content-Disposition": attachment(f"{run_id}-inputs.zip")},
    )
