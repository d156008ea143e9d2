"""Data collection (docs/collection.md): a project's workflow members (coordinator, contributor,
reviewer), data requests (site × kind × period) assigned to contributors, their submissions (batches
checked exactly as uploads are), and the reviewer's approval or return with comments on rows."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from dualcarbon.api import schemas, uploads
from dualcarbon.api.auth import Principal, audit, store_of, viewer
from dualcarbon.api.errors import ApiError, input_error, not_found, request_lang
from dualcarbon.api.routes.projects import project_or_404
from dualcarbon.errors import InputError, Problem
from dualcarbon.store import Store
from dualcarbon.store.collection import WORKFLOW_ROLES, Transition

router = APIRouter(prefix="/api", tags=["collection"])
# The upload kinds a request may ask for: each site's activities, and the project's credits, sinks and
# indicators (one file each in the project folder: one request of such a kind per period).
REQUEST_KINDS = ("activities", "credits", "sinks", "indicators")
SINGLE_REQUEST_KINDS = ("credits", "sinks", "indicators")
DUE_SOON_DAYS = 7
MAX_ROW_COMMENTS = 1000
Role = Literal["coordinator", "contributor", "reviewer"]
Text = str


# -- bodies and answers ---------------------------------------------------------------------------------
class MemberAdd(schemas._Body):
    user_id: str = Field(min_length=1, max_length=100)
    role: Role


class Member(BaseModel):
    project_id: str
    user_id: str
    name: str
    role: Role
    added_by: str | None
    added_at: str | None

    @classmethod
    def of(cls, row: dict) -> Member:
        return cls(**{**row, "added_at": schemas._time(row["added_at"])})


class RequestCreate(schemas._Body):
    site: str = Field(
        min_length=1, max_length=200, description="The facility, as the activities' facility column names it."
    )
    kind: Literal["activities", "credits", "sinks", "indicators"] = "activities"
    period_start: dt.date
    period_end: dt.date
    assignee_id: str = Field(min_length=1, max_length=100, description="A contributor of the project.")
    due_on: dt.date
    note: str | None = Field(None, max_length=4000)


class RowComment(schemas._Body):
    row: int = Field(ge=2, description="The row number as problems give it (the header is row 1).")
    column: str | None = Field(None, max_length=200)
    text: str = Field(min_length=1, max_length=4000)


class Review(schemas._Body):
    decision: Literal["approve", "return"]
    comment: str | None = Field(None, max_length=4000)
    rows: list[RowComment] = Field(default_factory=list, max_length=MAX_ROW_COMMENTS)


class DataRequest(BaseModel):
    id: str
    project_id: str
    site: str
    kind: str
    period_start: str
    period_end: str
    assignee_id: str
    assignee_name: str
    due_on: str
    note: str | None
    status: Literal["requested", "submitted", "returned", "approved"]
    overdue: bool = Field(description="Past its due date and not approved.")
    batch_id: str | None = Field(description="The batch of the latest submission.")
    created_by: str
    created_at: str | None
    updated_at: str | None

    @classmethod
    def of(cls, row: dict, today: dt.date) -> DataRequest:
        return cls(
            **{
                **row,
                "period_start": row["period_start"].isoformat(),
                "period_end": row["period_end"].isoformat(),
                "due_on": row["due_on"].isoformat(),
                "overdue": row["status"] != "approved" and row["due_on"] < today,
                "created_at": schemas._time(row["created_at"]),
                "updated_at": schemas._time(row["updated_at"]),
            }
        )


class Event(BaseModel):
    seq: int
    action: str
    status: str
    batch_id: str | None
    comment: str | None
    rows: list[dict[str, Any]]
    user_id: str
    user_name: str
    done_at: str | None


class RequestDetail(DataRequest):
    history: list[Event]


class Missing(BaseModel):
    period_start: str | None
    period_end: str | None
    overdue: int = Field(description="Requests past their due date, not approved.")
    due_soon: int = Field(
        description=f"Requests due within {DUE_SOON_DAYS} days, not submitted or returned to be fixed."
    )
    to_review: int = Field(description="Submitted requests waiting for a reviewer.")
    requests: list[DataRequest] = Field(description="Requests not approved yet: overdue first, then by due date.")


# -- who may do what ----------------------------------------------------------------------------------
def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def roles_of(store: Store, who: Principal, project_id: str) -> set[str]:
    """The caller's workflow roles in the project; an org editor or admin acts as a coordinator."""
    roles = store.member_roles(who.org_id, project_id, who.user_id)
    return roles | {"coordinator"} if who.can("editor") else roles


def _need(roles: set[str], wanted: tuple[str, ...], what: str) -> None:
    if not roles & set(wanted):
        have = ", ".join(sorted(roles)) or "none"
        need = " or ".join(repr(r) for r in wanted)
        raise ApiError(
            403,
            "forbidden",
            f"{what} needs the project role {need} (an org editor or admin acts as a coordinator); "
            f"your project roles: {have}",
        )


def request_or_404(store: Store, who: Principal, request_id: str) -> dict:
    row = store.request(who.org_id, request_id)
    if row is None:
        raise not_found("data request", request_id)
    return row


def _visible(store: Store, who: Principal, row: dict) -> set[str]:
    """The caller's roles, if they may see the request (its contributor, or a coordinator or reviewer)."""
    roles = roles_of(store, who, row["project_id"])
    if roles & {"coordinator", "reviewer"} or row["assignee_id"] == who.user_id:
        return roles
    raise not_found("data request", row["id"])  # a contributor sees only the requests assigned to them


def _listing(store: Store, who: Principal, project_id: str) -> list[dict]:
    project_or_404(store, who, project_id)
    roles = roles_of(store, who, project_id)
    _need(roles, WORKFLOW_ROLES, "seeing the project's data requests")
    if roles & {"coordinator", "reviewer"}:
        return store.requests(who.org_id, project_id)
    return store.requests(who.org_id, project_id, assignee_id=who.user_id)


# -- members --------------------------------------------------------------------------------------------
@router.get("/projects/{project_id}/members", response_model=list[Member])
def members(project_id: str, request: Request, who: Principal = Depends(viewer)) -> list[Member]:
    """The project's workflow members and their roles."""
    store = store_of(request)
    project_or_404(store, who, project_id)
    return [Member.of(m) for m in store.members(who.org_id, project_id)]


@router.post("/projects/{project_id}/members", status_code=201, response_model=Member)
def add_member(project_id: str, body: MemberAdd, request: Request, who: Principal = Depends(viewer)) -> Member:
    """Give a user of the organisation a workflow role in the project (a coordinator, or an org editor)."""
    store = store_of(request)
    project_or_404(store, who, project_id)
    _need(roles_of(store, who, project_id), ("coordinator",), "adding a project member")
    user = store.user(who.org_id, body.user_id)
    if user is None or user["disabled"]:
        raise not_found("user", body.user_id)
    row = store.add_member(who.org_id, project_id, body.user_id, body.role, who.user_id)
    audit(request, who, "member.added", "project", project_id, {"user_id": body.user_id, "role": body.role})
    return Member.of(row)


@router.delete("/projects/{project_id}/members/{user_id}/{role}", status_code=204)
def remove_member(
    project_id: str, user_id: str, role: Role, request: Request, who: Principal = Depends(viewer)
) -> Response:
    """Take a workflow role away (a coordinator, or an org editor); the requests assigned stay as they are."""
    store = store_of(request)
    project_or_404(store, who, project_id)
    _need(roles_of(store, who, project_id), ("coordinator",), "removing a project member")
    if not store.remove_member(who.org_id, project_id, user_id, role):
        raise ApiError(404, "not_found", f"user {user_id!r} has no role {role!r} in project {project_id}")
    audit(request, who, "member.removed", "project", project_id, {"user_id": user_id, "role": role})
    return Response(status_code=204)


# -- requests -------------------------------------------------------------------------------------------
def _body_problem(column: str, value: object, expected: str) -> ApiError:
    return input_error(InputError([Problem("body", None, column, None if value is None else str(value), expected)]))


@router.post("/projects/{project_id}/requests", status_code=201, response_model=DataRequest)
def create_request(
    project_id: str, body: RequestCreate, request: Request, who: Principal = Depends(viewer)
) -> DataRequest:
    """Ask a contributor for a site's data of one kind for one period, by a due date (a coordinator)."""
    store = store_of(request)
    project_or_404(store, who, project_id)
    _need(roles_of(store, who, project_id), ("coordinator",), "requesting data")
    if body.period_end < body.period_start:
        raise _body_problem("period_end", body.period_end, f"a date on or after period_start ({body.period_start})")
    if "contributor" not in store.member_roles(who.org_id, project_id, body.assignee_id):
        raise _body_problem(
            "assignee_id", body.assignee_id, "a contributor of the project (POST .../members with role contributor)"
        )
    if body.kind in SINGLE_REQUEST_KINDS:
        clash = [
            r
            for r in store.requests(who.org_id, project_id)
            if r["kind"] == body.kind and r["period_start"] <= body.period_end and body.period_start <= r["period_end"]
        ]
        if clash:
            raise ApiError(
                409,
                "conflict",
                f"the project reads one {body.kind} file: request {clash[0]['id']} already asks for "
                f"{body.kind} of {clash[0]['period_start']}–{clash[0]['period_end']}",
            )
    row = store.create_request(
        who.org_id,
        project_id,
        body.site.strip(),
        body.kind,
        body.period_start,
        body.period_end,
        body.assignee_id,
        body.due_on,
        body.note,
        who.user_id,
    )
    audit(request, who, "request.created", "data_request", row["id"], {"project_id": project_id, "site": row["site"]})
    return DataRequest.of(row, today())


@router.get("/projects/{project_id}/requests", response_model=list[DataRequest])
def requests(project_id: str, request: Request, who: Principal = Depends(viewer)) -> list[DataRequest]:
    """The project's data requests by due date: all of them for a coordinator or reviewer, one's own
    for a contributor."""
    now = today()
    return [DataRequest.of(r, now) for r in _listing(store_of(request), who, project_id)]


@router.get("/projects/{project_id}/requests/missing", response_model=Missing)
def missing(
    project_id: str,
    request: Request,
    start: dt.date | None = Query(None, description="The period's first day (with end): requests overlapping it."),
    end: dt.date | None = Query(None),
    who: Principal = Depends(viewer),
) -> Missing:
    """What is missing for the period: the requests not approved yet, overdue ones first, with the
    reminders' counts (overdue, due soon, waiting for review)."""
    if (start is None) != (end is None):
        given = "start" if end is None else "end"
        raise _body_problem(
            "end" if end is None else "start", None, f"both start and end of the period, or neither ({given} given)"
        )
    rows = _listing(store_of(request), who, project_id)
    if start is not None and end is not None:
        rows = [r for r in rows if r["period_start"] <= end and start <= r["period_end"]]
    now = today()
    open_rows = [r for r in rows if r["status"] != "approved"]
    open_rows.sort(key=lambda r: (r["due_on"] >= now, r["due_on"], r["site"], r["kind"]))
    soon = now + dt.timedelta(days=DUE_SOON_DAYS)
    return Missing(
        period_start=None if start is None else start.isoformat(),
        period_end=None if end is None else end.isoformat(),
        overdue=sum(r["due_on"] < now for r in open_rows),
        due_soon=sum(now <= r["due_on"] <= soon and r["status"] in ("requested", "returned") for r in open_rows),
        to_review=sum(r["status"] == "submitted" for r in open_rows),
        requests=[DataRequest.of(r, now) for r in open_rows],
    )


@router.get("/requests/{request_id}", response_model=RequestDetail)
def data_request(request_id: str, request: Request, who: Principal = Depends(viewer)) -> RequestDetail:
    """A request with its history: each transition, who made it and when, the comments of a return."""
    store = store_of(request)
    row = request_or_404(store, who, request_id)
    _visible(store, who, row)
    history = [
        Event(**{**e, "done_at": schemas._time(e["done_at"])}) for e in store.request_history(who.org_id, request_id)
    ]
    return RequestDetail(**DataRequest.of(row, today()).model_dump(), history=history)


@router.get("/requests/{request_id}/template.xlsx")
def request_template(request_id: str, request: Request, who: Principal = Depends(viewer)) -> Response:
    """The Excel template of the request's kind (as GET /api/templates/{kind}.xlsx)."""
    from dualcarbon.api.routes.inputs import template

    store = store_of(request)
    row = request_or_404(store, who, request_id)
    _visible(store, who, row)
    return template(row["kind"], request, who)


@router.post("/requests/{request_id}/submissions", status_code=201, response_model=RequestDetail)
def submit(
    request_id: str, request: Request, file: UploadFile = File(...), who: Principal = Depends(viewer)
) -> RequestDetail:
    """Submit the request's data (its contributor), as multipart/form-data ``file``: checked exactly as an
    upload (422 naming file, row and column), and each activity row must be of the request's site and
    dated within its period. Kept as a batch of the project; a resubmission withdraws the earlier batch."""
    store = store_of(request)
    row = request_or_404(store, who, request_id)
    _visible(store, who, row)
    if row["assignee_id"] != who.user_id:
        raise ApiError(403, "forbidden", f"only the request's contributor ({row['assignee_name']}) submits its data")
    if row["status"] not in ("requested", "returned"):
        raise ApiError(
            409, "conflict", f"the request is {row['status']}: only a requested or returned one is submitted"
        )
    data = file.file.read()
    limit = request.app.state.config.max_upload_bytes
    if len(data) > limit:
        raise ApiError(413, "too_large", f"the file has {len(data)} bytes; the limit is {limit}")
    filename = file.filename or "upload"
    state = request.app.state
    site, period = (
        (row["site"], (row["period_start"], row["period_end"])) if row["kind"] == "activities" else (None, None)
    )
    rows = uploads.check(
        store,
        state.sandbox,
        state.config.upload_limits(),
        state.scratch,
        who.org_id,
        row["project_id"],
        row["kind"],
        filename,
        data,
        request_lang(request),
        site,
        period,
    )
    batch = store.new_batch(who.org_id, row["project_id"], row["kind"], filename, data, rows, who.user_id)
    try:
        store.submit(who.org_id, request_id, batch, who.user_id)
    except Transition as moved:
        raise ApiError(
            409, "conflict", f"the request is {moved.status}: only a requested or returned one is submitted"
        ) from None
    audit(request, who, "request.submitted", "data_request", request_id, {"batch_id": batch["id"]})
    return data_request(request_id, request, who)


@router.post("/requests/{request_id}/review", response_model=RequestDetail)
def review(request_id: str, body: Review, request: Request, who: Principal = Depends(viewer)) -> RequestDetail:
    """Approve or return a submitted request (a reviewer other than its contributor), with a comment and
    comments on rows (row number as problems give them, column, text). A return needs a comment."""
    store = store_of(request)
    row = request_or_404(store, who, request_id)
    _need(_visible(store, who, row), ("reviewer",), "reviewing a submission")
    if row["assignee_id"] == who.user_id:
        raise ApiError(403, "forbidden", "a contributor does not review their own submission")
    if row["status"] != "submitted":
        raise ApiError(409, "conflict", f"the request is {row['status']}: only a submitted one is reviewed")
    comment = (body.comment or "").strip() or None
    if body.decision == "return" and comment is None and not body.rows:
        raise _body_problem("comment", None, "a comment (or comments on rows) saying what to fix")
    batch = store.batch(who.org_id, row["batch_id"]) if row["batch_id"] else None
    last = 1 + int(batch["rows"] or 0) if batch else 1
    problems = [
        Problem("body", None, f"rows.{i}.row", str(c.row), f"a row of the submission, 2 to {last}")
        for i, c in enumerate(body.rows)
        if c.row > last
    ]
    if problems:
        raise input_error(InputError(problems))
    decision = "approved" if body.decision == "approve" else "returned"
    notes = [(c.row, c.column, c.text) for c in body.rows]
    try:
        store.review(who.org_id, request_id, decision, comment, notes, who.user_id)
    except Transition as moved:
        raise ApiError(409, "conflict", f"the request is {moved.status}: only a submitted one is reviewed") from None
    audit(request, who, f"request.{decision}", "data_request", request_id, {"rows": len(notes)})
    return data_request(request_id, request, who)


# -- disclosure runs ------------------------------------------------------------------------------------
def disclosure_inputs(store: Store, who: Principal, project_id: str, start: dt.date, end: dt.date) -> list[dict]:
    """The batches of a run "for disclosure" of the period ``start``–``end``: for the collected kinds
    (REQUEST_KINDS), the approved submissions of the requests of the period, and nothing else; the other
    kinds (settings, own factors, documents …) as a run reads them. 409 when a request of the period
    is not approved, naming each; 409 when the period has no request at all."""
    rows = [r for r in store.requests(who.org_id, project_id) if r["period_start"] <= end and start <= r["period_end"]]
    if not rows:
        raise ApiError(
            409,
            "requests_missing",
            f"a run for disclosure uses approved data requests only, and project {project_id} has none for "
            f"{start}–{end}",
        )
    pending = [r for r in rows if r["status"] != "approved"]
    if pending:
        listed = "; ".join(
            f"{r['id']} {r['site']} {r['kind']} {r['period_start']}–{r['period_end']} ({r['status']})" for r in pending
        )
        raise ApiError(
            409,
            "requests_not_approved",
            f"a run for disclosure needs every data request of {start}–{end} approved; "
            f"{len(pending)} not approved: {listed}",
        )
    approved = {r["batch_id"]: r for r in rows}
    batches = store.batches(who.org_id, project_id)
    withdrawn = [approved[b["id"]] for b in batches if b["id"] in approved and b["withdrawn_at"] is not None]
    if withdrawn:
        listed = "; ".join(f"{r['id']} {r['site']} {r['kind']} (batch {r['batch_id']})" for r in withdrawn)
        raise ApiError(
            409,
            "requests_not_approved",
            f"a run for disclosure needs the approved data of every request of {start}–{end}; the approved "
            f"batch of {len(withdrawn)} was withdrawn since: {listed}",
        )
    other = [b for b in store.current_inputs(who.org_id, project_id) if b["kind"] not in REQUEST_KINDS]
    collected = [b for b in batches if b["id"] in approved]
    order = {b["id"]: i for i, b in enumerate(batches)}
    return sorted(other + collected, key=lambda b: order[b["id"]])
