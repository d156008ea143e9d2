"""Assurance of runs (docs/assurance.md): an editor locks a succeeded inventory run (a report number,
its inputs and outputs frozen); an admin engages verifiers on it; a verifier leaves findings (on the
run, a check, an input row, a factor) that editors answer and close, then signs; evidence files
support batches, their rows, or data requests."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from dualcarbon.api import results
from dualcarbon.api.auth import Principal, admin, audit, editor, store_of, viewer
from dualcarbon.api.errors import ApiError, not_found
from dualcarbon.api.routes.projects import batch_or_404, project_or_404, stored_file
from dualcarbon.api.routes.runs import run_or_404
from dualcarbon.report.assurance import assured_report, print_variant
from dualcarbon.store import Store
from dualcarbon.store import folder as layout
from dualcarbon.store.assurance import ASSURANCE_OUTPUTS, REPLY_ACTIONS, covered_sha256
from dualcarbon.store.repo import new_id, utcnow

router = APIRouter(prefix="/api", tags=["assurance"])
MAX_TEXT = 20_000
EVIDENCE_TARGETS = ("batch", "row", "request")


class _Body(BaseModel):
    model_config = {"extra": "forbid"}


class Engage(_Body):
    user_id: str = Field(..., max_length=64, description="A user of the organisation (any role; viewer is enough).")


class FindingCreate(_Body):
    target: Literal["run", "check", "row", "factor"]
    check_id: str | None = Field(None, max_length=200, description="target=check: the id of a check of the run.")
    batch_id: str | None = Field(None, max_length=64, description="target=row: a batch the run read.")
    row_number: int | None = Field(
        None, ge=1, description="target=row: the row's number in that file (2 = first data row)."
    )
    factor_id: str | None = Field(None, max_length=300, description="target=factor: a factor id of the run's trace.")
    factor_version: str | None = Field(None, max_length=100, description="target=factor: its factor set's version.")
    severity: Literal["observation", "minor", "major"]
    body: str = Field(..., min_length=1, max_length=MAX_TEXT)


class ReplyCreate(_Body):
    action: Literal["answer", "close", "reopen"] = "answer"
    body: str = Field(..., min_length=1, max_length=MAX_TEXT)


class SignatureCreate(_Body):
    signer_name: str = Field(..., min_length=1, max_length=200)
    signer_organisation: str = Field(..., min_length=1, max_length=300)
    signed_on: date
    statement: str = Field(..., min_length=1, max_length=MAX_TEXT)


def _time(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def _lock_record(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {
        "report_number": row["report_number"],
        "locked_by": row["locked_by"],
        "locked_at": _time(row["locked_at"]),
    }


def _locked_run(store: Store, who: Principal, run_id: str) -> tuple[dict, dict]:
    run = run_or_404(store, who, run_id)
    lock = store.run_lock(who.org_id, run_id)
    if lock is None:
        raise ApiError(409, "not_locked", f"run {run_id} is not locked: lock it first (POST /api/runs/{run_id}/lock)")
    return run, lock


def _engaged(store: Store, who: Principal, run_id: str) -> bool:
    return any(v["user_id"] == who.user_id for v in store.verifiers(who.org_id, run_id))


def _must_be_verifier(store: Store, who: Principal, run_id: str) -> None:
    if not _engaged(store, who, run_id):
        raise ApiError(403, "forbidden", f"only a verifier engaged on run {run_id} may do this")


def _user_name(store: Store, org_id: str, user_id: str) -> str:
    user = store.user(org_id, user_id)
    return user["name"] if user else user_id


def _evidence_of_run(store: Store, who: Principal, run: dict) -> list[dict]:
    """The evidence of the batches a run read (on the batch or one of its rows)."""
    inputs = store.run_inputs(who.org_id, run["id"])
    names = {i["id"]: i["filename"] for i in inputs}
    rows = [
        e
        for e in store.evidence_list(who.org_id, run["project_id"], target_ids=list(names))
        if e["target_kind"] in ("batch", "row")
    ]
    for e in rows:
        e["target_filename"] = names.get(e["target_id"])
    return rows


def _evidence_for_report(rows: list[dict], t_lang: str) -> list[dict]:
    from dualcarbon.i18n import translator

    t = translator(t_lang)
    out = []
    for e in rows:
        if e["target_kind"] == "row":
            target = t(
                "assurance.evidence.target.row", file=e.get("target_filename") or e["target_id"], row=e["row_number"]
            )
        else:
            target = t("assurance.evidence.target.batch", file=e.get("target_filename") or e["target_id"])
        out.append(
            {
                "filename": e["filename"],
                "description": e["description"],
                "target": target,
                "uploaded_by_name": e["uploaded_by_name"],
                "uploaded_on": e["uploaded_at"].date().isoformat(),
                "sha256": e["sha256"],
            }
        )
    return out


def _store_reports(store: Store, who: Principal, run: dict, stem: str, signature: dict | None = None) -> list[str]:
    """``<stem>.html`` (and ``<stem>.pdf`` when the run printed report.pdf) added to the run's outputs."""
    from dualcarbon.report.assurance import report_lang

    lock = store.run_lock(who.org_id, run["id"])
    assert lock is not None
    html = results.output(store, who.org_id, run, "report.html").decode("utf-8")
    lang = report_lang(html)
    view = {
        "report_number": lock["report_number"],
        "locked_on": lock["locked_at"].date().isoformat(),
        "locked_by_name": _user_name(store, who.org_id, lock["locked_by"]),
    }
    evidence = _evidence_for_report(_evidence_of_run(store, who, run), lang)
    text = assured_report(html, view, evidence, signature)
    added = []
    if store.add_run_output(who.org_id, run["id"], f"{stem}.html", text.encode("utf-8")):
        added.append(f"{stem}.html")
    if "report.pdf" in {o["name"] for o in store.run_outputs(who.org_id, run["id"])}:
        from dualcarbon.report.pdf import engine_available, html_to_pdf

        if engine_available():
            printed = print_variant(text)
            if store.add_run_output(who.org_id, run["id"], f"{stem}.pdf", html_to_pdf(printed)):
                added.append(f"{stem}.pdf")
    return added


# -- locking ----------------------------------------------------------------------------------------
@router.post("/runs/{run_id}/lock", status_code=201)
def lock(run_id: str, request: Request, who: Principal = Depends(editor)) -> dict:
    """Lock a succeeded inventory run (editor): it gets the next report number of the organisation's year
    (``DC-<year>-<nnnn>``); the batches it read can no longer be withdrawn (409 ``locked``), its outputs never
    change, and ``report-locked.html`` (the report with the number and the evidence list) is added to its
    outputs. 409 when it is locked already, not succeeded, or not an inventory run."""
    store = store_of(request)
    run = run_or_404(store, who, run_id)
    if run["kind"] != "inventory" or run["status"] != "succeeded":
        raise ApiError(
            409,
            "not_lockable",
            f"run {run_id} is a {run['status']} {run['kind']} run: only a succeeded inventory run can be locked",
        )
    locked = store.lock_run(who.org_id, run_id, who.user_id, utcnow())
    if not locked["created"]:
        raise ApiError(409, "already_locked", f"run {run_id} is locked already, as report {locked['report_number']}")
    added = _store_reports(store, who, run, "report-locked")
    audit(request, who, "run.locked", "run", run_id, {"report_number": locked["report_number"]})
    return {**(_lock_record(locked) or {}), "run_id": run_id, "outputs": added}


# -- verifiers and findings -------------------------------------------------------------------------
@router.post("/runs/{run_id}/verifiers", status_code=201)
def engage(run_id: str, body: Engage, request: Request, who: Principal = Depends(admin)) -> dict:
    """Engage a user of the organisation as a verifier of a locked run (admin). The verifier reads the run as any
    viewer does (inputs, outputs, factors, the checks of summary.json), leaves findings and signs."""
    store = store_of(request)
    _locked_run(store, who, run_id)
    user = store.user(who.org_id, body.user_id)
    if user is None:
        raise not_found("user", body.user_id)
    if user["disabled"]:
        raise ApiError(409, "user_disabled", f"user {body.user_id} is disabled")
    row = store.engage_verifier(who.org_id, run_id, body.user_id, who.user_id, utcnow())
    audit(request, who, "run.verifier_engaged", "run", run_id, {"user_id": body.user_id})
    return {"run_id": run_id, "user_id": row["user_id"], "name": user["name"], "engaged_at": _time(row["engaged_at"])}


def _check_ids(store: Store, who: Principal, run: dict) -> set[str]:
    neutrality = results.summary(store, who.org_id, run).get("neutrality") or {}
    return {str(c.get("id")) for c in neutrality.get("checks") or []}


def _finding_target(store: Store, who: Principal, run: dict, body: FindingCreate) -> dict:
    """The finding's target fields, checked against the run; 422 naming the field otherwise."""

    def bad(field: str, value: Any, expected: str) -> ApiError:
        problem = {"file": None, "batch": None, "row": None, "column": field, "value": value, "expected": expected}
        return ApiError(422, "invalid_input", f"{field}: {expected}", [problem | {"message": expected}])

    fields = {"check": ("check_id",), "row": ("batch_id", "row_number"), "factor": ("factor_id", "factor_version")}
    wanted = fields.get(body.target, ())
    for name in ("check_id", "batch_id", "row_number", "factor_id", "factor_version"):
        value = getattr(body, name)
        if name in wanted and value in (None, ""):
            raise bad(name, None, f"a finding on a {body.target} needs {name}")
        if name not in wanted and value is not None:
            raise bad(name, value, f"a finding on a {body.target} takes no {name}")
    if body.target == "check":
        checks = _check_ids(store, who, run)
        if body.check_id not in checks:
            raise bad("check_id", body.check_id, f"one of the run's checks: {', '.join(sorted(checks)) or 'none'}")
    if body.target == "row":
        inputs = {i["id"]: i for i in store.run_inputs(who.org_id, run["id"])}
        batch = inputs.get(body.batch_id or "")
        if batch is None:
            raise bad("batch_id", body.batch_id, "a batch the run read (GET /api/runs/{id}: inputs)")
        if batch["rows"] is not None and not 2 <= (body.row_number or 0) <= batch["rows"] + 1:
            raise bad("row_number", body.row_number, f"a row of {batch['filename']}: 2 to {batch['rows'] + 1}")
    if body.target == "factor":
        versions = {f.get("version") for f in json.loads(run["factor_sets_json"] or "[]")}
        if body.factor_version not in versions:
            raise bad(
                "factor_version", body.factor_version, f"a factor set version of the run: {sorted(map(str, versions))}"
            )
    return {"target": body.target, **{name: getattr(body, name) for name in wanted}}


@router.post("/runs/{run_id}/findings", status_code=201)
def add_finding(run_id: str, body: FindingCreate, request: Request, who: Principal = Depends(viewer)) -> dict:
    """A finding of an engaged verifier on a locked run: on the run as a whole, a check (``check_id``), an input
    row (``batch_id`` + ``row_number``) or a factor (``factor_id`` + ``factor_version``), with a severity
    (observation, minor, major) and its text."""
    store = store_of(request)
    run, _ = _locked_run(store, who, run_id)
    _must_be_verifier(store, who, run_id)
    finding = _finding_target(store, who, run, body) | {"severity": body.severity, "body": body.body}
    ident = new_id("fnd")
    store.add_finding(who.org_id, run_id, finding, who.user_id, utcnow(), ident)
    audit(request, who, "finding.created", "finding", ident, {"run_id": run_id, "severity": body.severity})
    return next(_finding_record(f) for f in store.findings(who.org_id, run_id) if f["id"] == ident)


@router.post("/findings/{finding_id}/replies", status_code=201)
def reply(finding_id: str, body: ReplyCreate, request: Request, who: Principal = Depends(viewer)) -> dict:
    """Answer a finding, close it or reopen it: an editor or an engaged verifier answers and closes; only an
    engaged verifier reopens."""
    store = store_of(request)
    finding = store.finding(who.org_id, finding_id)
    if finding is None:
        raise not_found("finding", finding_id)
    verifier = _engaged(store, who, finding["run_id"])
    allowed = verifier if body.action == "reopen" else verifier or who.can("editor")
    if not allowed:
        who_may = "an engaged verifier" if body.action == "reopen" else "an editor or an engaged verifier"
        raise ApiError(403, "forbidden", f"only {who_may} may {body.action} a finding")
    assert body.action in REPLY_ACTIONS
    store.add_reply(who.org_id, finding_id, body.action, body.body, who.user_id, utcnow(), new_id("rpl"))
    audit(request, who, f"finding.{body.action}", "finding", finding_id)
    return next(_finding_record(f) for f in store.findings(who.org_id, finding["run_id"]) if f["id"] == finding_id)


def _finding_record(row: dict) -> dict:
    keep = ("id", "run_id", "target", "check_id", "batch_id", "row_number", "factor_id", "factor_version")
    return {
        **{k: row[k] for k in keep},
        "severity": row["severity"],
        "body": row["body"],
        "state": row["state"],
        "created_by": row["created_by"],
        "created_by_name": row["created_by_name"],
        "created_at": _time(row["created_at"]),
        "replies": [
            {
                "id": r["id"],
                "action": r["action"],
                "body": r["body"],
                "created_by": r["created_by"],
                "created_by_name": r["created_by_name"],
                "created_at": _time(r["created_at"]),
            }
            for r in row["replies"]
        ],
    }


# -- signature --------------------------------------------------------------------------------------
def covered_of(store: Store, who: Principal, run: dict) -> dict:
    """What a signature of the run covers, as the store holds it now."""
    inputs = store.run_inputs(who.org_id, run["id"])
    outputs = [o for o in store.run_outputs(who.org_id, run["id"]) if o["name"] not in ASSURANCE_OUTPUTS]
    return {
        "run_id": run["id"],
        "inputs": [{"path": i["path"], "batch_id": i["id"], "sha256": i["sha256"]} for i in inputs],
        "factor_sets": [
            {"dataset": str(f.get("dataset")), "version": str(f.get("version")), "sha256": str(f.get("sha256"))}
            for f in json.loads(run["factor_sets_json"] or "[]")
        ],
        "outputs": [{"name": o["name"], "sha256": o["sha256"]} for o in outputs],
    }


def _tampered(store: Store, covered: dict) -> list[dict]:
    """The covered files whose stored bytes no longer hash to the hash recorded for them."""
    problems = []
    for kind, key, items in (("input", "path", covered["inputs"]), ("output", "name", covered["outputs"])):
        for item in items:
            found = store.blob_sha256(item["sha256"])
            if found != item["sha256"]:
                problems.append(
                    {
                        "code": f"{kind}_tampered",
                        "file": item[key],
                        "expected_sha256": item["sha256"],
                        "found_sha256": found,
                    }
                )
    return problems


def signature_state(
    store: Store, who: Principal, run: dict, signature: dict | None, library_sets: list[dict] | None = None
) -> dict:
    """Whether a run's signature holds: ``unsigned``; ``broken`` (what it covers no longer hashes as signed:
    a stored file altered, the run's records changed, the signature record itself altered), with the
    ``problems``; ``stale`` (it holds, but the project's current inputs are not the signed ones: a new run
    would read other files, or another version of a bundled factor set: ``library_sets``, as
    ``read_sets_table`` gives them), with the ``changes``; or ``valid``."""
    if signature is None:
        return {"status": "unsigned", "problems": [], "changes": []}
    signed = json.loads(signature["covered_json"])
    problems = []
    if covered_sha256(signed) != signature["covered_sha256"]:
        problems.append({"code": "record_altered"})
    now = covered_of(store, who, run)
    for part in ("inputs", "factor_sets", "outputs"):
        if now[part] != signed[part]:
            problems.append({"code": f"run_{part}_changed"})
    problems += _tampered(store, signed)
    if problems:
        return {"status": "broken", "problems": problems, "changes": []}
    current = {path: b for b, path in layout.layout(store.current_inputs(who.org_id, run["project_id"]))}
    was = {i["path"]: i for i in signed["inputs"]}
    changes = []
    for path in sorted(set(current) | set(was)):
        if path not in was:
            b = current[path]
            changes.append(
                {"change": "added", "path": path, "batch_id": b["id"], "filename": b["filename"], "sha256": b["sha256"]}
            )
        elif path not in current:
            changes.append(
                {"change": "removed", "path": path, "batch_id": was[path]["batch_id"], "sha256": was[path]["sha256"]}
            )
        elif current[path]["sha256"] != was[path]["sha256"]:
            b = current[path]
            changes.append(
                {
                    "change": "changed",
                    "path": path,
                    "batch_id": b["id"],
                    "filename": b["filename"],
                    "sha256": b["sha256"],
                    "signed_sha256": was[path]["sha256"],
                }
            )
    library = {str(f["dataset"]): f for f in library_sets or []}
    for signed_set in signed["factor_sets"]:
        now_set = library.get(signed_set["dataset"])
        if now_set is not None and str(now_set["sha256"]) != signed_set["sha256"]:
            changes.append(
                {
                    "change": "factor_set",
                    "path": signed_set["dataset"],
                    "signed_version": signed_set["version"],
                    "version": str(now_set["version"]),
                    "signed_sha256": signed_set["sha256"],
                    "sha256": str(now_set["sha256"]),
                }
            )
    return {"status": "stale" if changes else "valid", "problems": [], "changes": changes}


def _signature_record(row: dict | None) -> dict | None:
    if row is None:
        return None
    covered = json.loads(row["covered_json"])
    return {
        "user_id": row["user_id"],
        "signer_name": row["signer_name"],
        "signer_organisation": row["signer_organisation"],
        "signed_on": str(row["signed_on"]),
        "statement": row["statement"],
        "covered_sha256": row["covered_sha256"],
        "covered": covered,
        "open_findings": row["open_findings"],
        "signed_at": _time(row["signed_at"]),
    }


@router.post("/runs/{run_id}/signature", status_code=201)
def sign(run_id: str, body: SignatureCreate, request: Request, who: Principal = Depends(viewer)) -> dict:
    """The engaged verifier signs the locked run: name, organisation, date, statement. The signature keeps the
    SHA-256 over the inputs' hashes, the factor sets' versions and hashes and the outputs' hashes
    (docs/assurance.md), and ``report-verified.html`` (the report with its verification block) is added to the
    outputs. 409 when signed already, or when a stored file no longer matches its hash."""
    store = store_of(request)
    run, _ = _locked_run(store, who, run_id)
    _must_be_verifier(store, who, run_id)
    covered = covered_of(store, who, run)
    tampered = _tampered(store, covered)
    if tampered:
        files = ", ".join(p["file"] for p in tampered)
        raise ApiError(409, "inputs_tampered", f"the stored files {files} no longer match their hashes: not signed")
    open_findings = sum(1 for f in store.findings(who.org_id, run_id) if f["state"] == "open")
    fields = body.model_dump() | {"open_findings": open_findings}
    row = store.sign_run(who.org_id, run_id, who.user_id, fields, covered, utcnow())
    if row is None:
        raise ApiError(409, "already_signed", f"run {run_id} is signed already")
    view = {
        **fields,
        "signed_on": body.signed_on.isoformat(),
        "covered_sha256": row["covered_sha256"],
        "inputs": len(covered["inputs"]),
        "factor_sets": len(covered["factor_sets"]),
        "outputs": len(covered["outputs"]),
    }
    added = _store_reports(store, who, run, "report-verified", view)
    audit(request, who, "run.signed", "run", run_id, {"covered_sha256": row["covered_sha256"]})
    return {**(_signature_record(store.signature(who.org_id, run_id)) or {}), "outputs": added}


def _library_sets(request: Request) -> list[dict]:
    from dualcarbon.factors.library import read_sets_table

    return [dict(s) for s in read_sets_table(request.app.state.library())]


def disclosure_state(request: Request, who: Principal, run: dict) -> Any:
    """The run's locked and verified state as the disclosure export reads it (``disclosure.fill.RunState``),
    from the store: its lock, and its signature, valid unless broken (a signature that no longer covers the
    project's current inputs still covers this run's figures)."""
    from dualcarbon.disclosure.fill import RunState

    store = store_of(request)
    lock = store.run_lock(who.org_id, run["id"])
    if lock is None:
        return RunState()
    signature = store.signature(who.org_id, run["id"])
    if signature is None:
        return RunState(locked=True, report_number=lock["report_number"], locked_at=_time(lock["locked_at"]))
    status = signature_state(store, who, run, signature)["status"]
    return RunState(
        locked=True,
        report_number=lock["report_number"],
        locked_at=_time(lock["locked_at"]),
        verified_by=signature["signer_name"],
        verifier_organisation=signature["signer_organisation"],
        verified_on=str(signature["signed_on"]),
        signature_valid=status != "broken",
    )


@router.get("/runs/{run_id}/assurance")
def assurance(run_id: str, request: Request, who: Principal = Depends(viewer)) -> dict:
    """Everything of a run's assurance: its lock (report number), verifiers, findings with their replies, the
    signature and whether it holds (``state``: unsigned, valid, stale with the ``changes`` of the project's
    inputs since, broken with the ``problems``), and the evidence of its inputs."""
    store = store_of(request)
    run = run_or_404(store, who, run_id)
    signature = store.signature(who.org_id, run_id)
    findings = [_finding_record(f) for f in store.findings(who.org_id, run_id)]
    return {
        "run_id": run_id,
        "lock": _lock_record(store.run_lock(who.org_id, run_id)),
        "verifiers": [
            {"user_id": v["user_id"], "name": v["name"], "engaged_at": _time(v["engaged_at"])}
            for v in store.verifiers(who.org_id, run_id)
        ],
        "me_verifier": _engaged(store, who, run_id),
        "findings": findings,
        "open_findings": sum(1 for f in findings if f["state"] == "open"),
        "signature": _signature_record(signature),
        "state": signature_state(store, who, run, signature, _library_sets(request) if signature else None),
        "evidence": [_evidence_record(e) for e in _evidence_of_run(store, who, run)],
    }


# -- evidence ---------------------------------------------------------------------------------------
def _evidence_record(row: dict) -> dict:
    return {
        "id": row["id"],
        "project_id": row["project_id"],
        "target_kind": row["target_kind"],
        "target_id": row["target_id"],
        "row_number": row["row_number"],
        "filename": row["filename"],
        "description": row["description"],
        "sha256": row["sha256"],
        "size_bytes": row["size_bytes"],
        "uploaded_by": row["uploaded_by"],
        "uploaded_by_name": row["uploaded_by_name"],
        "uploaded_at": _time(row["uploaded_at"]),
        "withdrawn_at": _time(row["withdrawn_at"]),
    }


@router.post("/projects/{project_id}/evidence", status_code=201)
def add_evidence(
    project_id: str,
    request: Request,
    file: UploadFile = File(..., description="Any file: a PDF invoice, a meter photo, a GEC certificate."),
    target_kind: Literal["batch", "row", "request"] = Form(...),
    target_id: str = Form(..., max_length=64, description="The batch id, or the data request's id."),
    row_number: int | None = Form(None, ge=2, description="target_kind=row: the row's number in the file."),
    description: str = Form("", max_length=2000),
    who: Principal = Depends(editor),
) -> dict:
    """Attach an evidence file (editor) to a batch of the project, one row of it, or a data request (by id):
    kept unchanged with its SHA-256, size-limited like uploads (413)."""
    store = store_of(request)
    project_or_404(store, who, project_id)
    data = file.file.read()
    limit = request.app.state.config.max_upload_bytes
    if len(data) > limit:
        raise ApiError(413, "too_large", f"the file has {len(data)} bytes; the limit is {limit}")
    if target_kind in ("batch", "row"):
        batch = batch_or_404(store, who, target_id)
        if batch["project_id"] != project_id:
            raise not_found("batch", target_id)
        if target_kind == "row":
            rows = batch["rows"]
            if row_number is None or (rows is not None and row_number > rows + 1):
                expected = f"a row of {batch['filename']}: 2 to {rows + 1}" if rows is not None else "a row number"
                problem = {"file": None, "batch": None, "row": None, "column": "row_number", "value": row_number}
                raise ApiError(
                    422,
                    "invalid_input",
                    f"row_number: {expected}",
                    [problem | {"expected": expected, "message": expected}],
                )
        elif row_number is not None:
            raise ApiError(422, "invalid_input", "row_number: only for target_kind=row")
    elif row_number is not None:
        raise ApiError(422, "invalid_input", "row_number: only for target_kind=row")
    from dualcarbon.store.repo import sha256

    ident = new_id("evd")
    row: dict[str, Any] = {
        "id": ident,
        "org_id": who.org_id,
        "project_id": project_id,
        "target_kind": target_kind,
        "target_id": target_id,
        "row_number": row_number if target_kind == "row" else None,
        "filename": file.filename or "evidence",
        "description": description,
        "sha256": sha256(data),
        "size_bytes": len(data),
        "uploaded_by": who.user_id,
        "uploaded_at": utcnow(),
    }
    kept = store.add_evidence(row, data)
    audit(
        request, who, "evidence.attached", "evidence", row["id"], {"target_kind": target_kind, "target_id": target_id}
    )
    return _evidence_record(kept)


@router.get("/projects/{project_id}/evidence")
def evidence_list(
    project_id: str,
    request: Request,
    target_kind: Literal["batch", "row", "request"] | None = None,
    target_id: str | None = None,
    who: Principal = Depends(viewer),
) -> list[dict]:
    """The project's evidence (not withdrawn), oldest first; of one target when asked."""
    store = store_of(request)
    project_or_404(store, who, project_id)
    rows = store.evidence_list(who.org_id, project_id, target_kind, None if target_id is None else [target_id])
    return [_evidence_record(e) for e in rows]


def _evidence_or_404(store: Store, who: Principal, evidence_id: str) -> dict:
    row = store.evidence(who.org_id, evidence_id)
    if row is None:
        raise not_found("evidence", evidence_id)
    return row


@router.get(
    "/evidence/{evidence_id}", response_class=Response, responses={200: {"content": {"application/octet-stream": {}}}}
)
def evidence_content(evidence_id: str, request: Request, who: Principal = Depends(viewer)) -> Response:
    """An evidence file, byte for byte as uploaded (a verifier downloads it)."""
    store = store_of(request)
    row = _evidence_or_404(store, who, evidence_id)
    return stored_file(store, row)


@router.delete("/evidence/{evidence_id}")
def withdraw_evidence(evidence_id: str, request: Request, who: Principal = Depends(editor)) -> dict:
    """Withdraw evidence (editor): 409 ``locked`` when it supports a batch a locked run read."""
    store = store_of(request)
    _evidence_or_404(store, who, evidence_id)
    row = store.withdraw_evidence(who.org_id, evidence_id, who.user_id, utcnow())
    audit(request, who, "evidence.withdrawn", "evidence", evidence_id)
    assert row is not None
    return _evidence_record(row)
