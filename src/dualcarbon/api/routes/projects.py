"""Projects, their settings, and the batches uploaded to them."""

from __future__ import annotations

import tomllib
from importlib import resources

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response

from dualcarbon.api import schemas, tomlwrite, uploads
from dualcarbon.api.auth import Principal, audit, editor, store_of, viewer
from dualcarbon.api.errors import ApiError, found, input_error, not_found, request_lang
from dualcarbon.errors import InputError, msg
from dualcarbon.model import Settings
from dualcarbon.store import Store

router = APIRouter(prefix="/api", tags=["projects"])
EXAMPLE_KINDS = {
    "dualcarbon": "settings",
    "activities": "activities",
    "credits": "credits",
    "sinks": "sinks",
    "measures": "measures",
    "indicators": "indicators",
    "processes": "processes",
    "exchanges": "exchanges",
    "holdings": "holdings",
    "holdings-2023": "holdings",  # the carbon-neutral-etf example's [financed] files
    "benchmark": "holdings",
    "units": "units",
    "generation": "generation",
    "instruments": "instruments",
    "prices": "prices",
}  # by file stem; other files (.md plans) are documents
# Upload order: a table after the ones its check reads (generation after units, instruments after measures)
_ORDER = ("settings", "factors", "units", "generation", "measures")


def example_files(name: str) -> list[tuple[str, str, bytes]]:
    """(kind, file name, content) of every file of a bundled example, settings first."""
    folder = resources.files("dualcarbon").joinpath("examples", name)
    files = [
        (EXAMPLE_KINDS.get(n.split(".")[0], "documents"), n) for n in (f.name for f in folder.iterdir() if f.is_file())
    ]
    files.sort(key=lambda f: (_ORDER.index(f[0]) if f[0] in _ORDER else len(_ORDER), f[1]))
    return [(kind, n, folder.joinpath(n).read_bytes()) for kind, n in files]


def project_or_404(store: Store, who: Principal, project_id: str) -> dict:
    row = store.project(who.org_id, project_id)
    if row is None:
        raise not_found("project", project_id)
    return row


def _store_batch(request: Request, who: Principal, project_id: str, kind: str, filename: str, data: bytes) -> dict:
    """Validate an upload like the CLI, then keep it."""
    store, state = store_of(request), request.app.state
    limits = state.config.upload_limits()
    lang = request_lang(request)
    rows = uploads.check(
        store, state.sandbox, limits, state.scratch, who.org_id, project_id, kind, filename, data, lang
    )
    batch = store.add_batch(who.org_id, project_id, kind, filename, data, rows, who.user_id)
    action = "settings.changed" if kind == "settings" else "batch.uploaded"
    audit(request, who, action, "batch", batch["id"], {"project_id": project_id, "kind": kind, "filename": filename})
    return batch


@router.get("/projects", response_model=list[schemas.Project])
def projects(request: Request, who: Principal = Depends(viewer)) -> list[schemas.Project]:
    """The organisation's projects."""
    return [schemas.Project.of(p) for p in store_of(request).projects(who.org_id)]


@router.post("/projects", status_code=201, response_model=schemas.Project)
def create_project(body: schemas.ProjectCreate, request: Request, who: Principal = Depends(editor)) -> schemas.Project:
    """A new project (editor); with ``example``, the example's files become its first batches."""
    row = store_of(request).create_project(who.org_id, body.name, who.user_id)
    audit(request, who, "project.created", "project", row["id"], {"name": body.name, "example": body.example})
    if body.example:
        for kind, name, data in example_files(body.example):
            _store_batch(request, who, row["id"], kind, name, data)
    return schemas.Project.of(row)


@router.get("/projects/{project_id}", response_model=schemas.Project)
def project(project_id: str, request: Request, who: Principal = Depends(viewer)) -> schemas.Project:
    return schemas.Project.of(project_or_404(store_of(request), who, project_id))


@router.patch("/projects/{project_id}", response_model=schemas.Project)
def rename_project(
    project_id: str, body: schemas.ProjectPatch, request: Request, who: Principal = Depends(editor)
) -> schemas.Project:
    """Rename a project (editor)."""
    store = store_of(request)
    project_or_404(store, who, project_id)
    return schemas.Project.of(found(store.rename_project(who.org_id, project_id, body.name), "project", project_id))


def _settings(store: Store, batch: dict) -> schemas.Settings:
    text = store.blob(batch["sha256"]).decode("utf-8-sig")
    parsed = Settings.model_validate(tomllib.loads(text)).model_dump(mode="json")
    return schemas.Settings(batch=schemas.Batch.of(batch), toml=text, settings=parsed)


@router.get("/projects/{project_id}/settings", response_model=schemas.Settings)
def settings(project_id: str, request: Request, who: Principal = Depends(viewer)) -> schemas.Settings:
    """The project's current settings: the text of its dualcarbon.toml and the settings as read."""
    store = store_of(request)
    project_or_404(store, who, project_id)
    current = [b for b in store.current_inputs(who.org_id, project_id) if b["kind"] == "settings"]
    if not current:
        raise ApiError(404, "not_found", f"project {project_id} has no settings yet")
    return _settings(store, current[0])


@router.put("/projects/{project_id}/settings", response_model=schemas.Settings)
def put_settings(
    project_id: str, body: schemas.SettingsPut, request: Request, who: Principal = Depends(editor)
) -> schemas.Settings:
    """New settings for the project (editor), as TOML text or as JSON; checked like the CLI checks
    dualcarbon.toml, and kept as a new settings batch (earlier ones stay, for the runs that read them)."""
    store = store_of(request)
    project_or_404(store, who, project_id)
    if body.toml is not None and body.settings is None:
        text = body.toml
    elif body.settings is not None and body.toml is None:
        text = tomlwrite.dumps(body.settings)
    else:
        raise input_error(InputError.single(msg("problem.settings_body"), column="body"))
    batch = _store_batch(request, who, project_id, "settings", "dualcarbon.toml", text.encode("utf-8"))
    return _settings(store, batch)


@router.get("/projects/{project_id}/batches", response_model=list[schemas.Batch])
def batches(
    project_id: str, request: Request, kind: schemas.Kind | None = None, who: Principal = Depends(viewer)
) -> list[schemas.Batch]:
    """Every batch of the project, withdrawn ones too, in upload order."""
    store = store_of(request)
    project_or_404(store, who, project_id)
    return [schemas.Batch.of(b) for b in store.batches(who.org_id, project_id, kind)]


@router.post("/projects/{project_id}/batches", status_code=201, response_model=schemas.Batch)
def upload(
    project_id: str,
    request: Request,
    file: UploadFile = File(..., description="CSV, TSV, XLSX or Parquet"),
    kind: schemas.Kind = Form("activities"),
    who: Principal = Depends(editor),
) -> schemas.Batch:
    """Upload a file (editor) as multipart/form-data: ``file``, and ``kind`` (activities, credits,
    factors, settings, sinks, measures, indicators, or documents such as the neutrality plan). It is validated exactly as `dualcarbon validate` does (422 with every
    problem's file, row and column) and, if valid, kept unchanged with its SHA-256."""
    store = store_of(request)
    project_or_404(store, who, project_id)
    data = file.file.read()
    limit = request.app.state.config.max_upload_bytes
    if len(data) > limit:
        raise ApiError(413, "too_large", f"the file has {len(data)} bytes; the limit is {limit}")
    return schemas.Batch.of(_store_batch(request, who, project_id, kind, file.filename or "upload", data))


def batch_or_404(store: Store, who: Principal, batch_id: str) -> dict:
    row = store.batch(who.org_id, batch_id)
    if row is None:
        raise not_found("batch", batch_id)
    return row


@router.get("/batches/{batch_id}", response_model=schemas.Batch)
def batch(batch_id: str, request: Request, who: Principal = Depends(viewer)) -> schemas.Batch:
    return schemas.Batch.of(batch_or_404(store_of(request), who, batch_id))


@router.get(
    "/batches/{batch_id}/content",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def batch_content(batch_id: str, request: Request, who: Principal = Depends(viewer)) -> Response:
    """The batch's file, byte for byte as uploaded."""
    store = store_of(request)
    row = batch_or_404(store, who, batch_id)
    return stored_file(store, row)


@router.delete("/batches/{batch_id}", response_model=schemas.Batch)
def withdraw(batch_id: str, request: Request, who: Principal = Depends(editor)) -> schemas.Batch:
    """Withdraw a batch (editor): later runs leave it out; it stays stored for the runs that read it."""
    store = store_of(request)
    batch_or_404(store, who, batch_id)
    withdrawn = found(store.withdraw_batch(who.org_id, batch_id, who.user_id), "batch", batch_id)
    audit(request, who, "batch.withdrawn", "batch", batch_id)
    return schemas.Batch.of(withdrawn)


def stored_file(store: Store, row: dict) -> Response:
    """A stored file (a batch's, an evidence file's: ``filename`` and ``sha256``), byte for byte as uploaded."""
    return Response(
        store.blob(row["sha256"]),
        media_type="application/octet-stream",
        headers={"Content-Disposition": attachment(row["filename"]), "ETag": f'"{row["sha256"]}"'},
    )


def attachment(filename: str) -> str:
    from urllib.parse import quote

    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
