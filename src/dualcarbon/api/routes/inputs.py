"""Helps for preparing inputs: the Excel template of an input table, and a set of problems as a workbook
(the dashboard's downloads; ``dualcarbon template`` and ``dualcarbon validate --problems`` on the CLI)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from dualcarbon.api.auth import Principal, viewer
from dualcarbon.api.errors import ApiError, request_lang

router = APIRouter(prefix="/api", tags=["inputs"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_PROBLEMS = 10_000


class ProblemRows(BaseModel):
    """Problems as the API gives them (``error.problems``): file, row, column, value, expected."""

    problems: list[dict[str, Any]] = Field(..., max_length=MAX_PROBLEMS)


def _xlsx(data: bytes, filename: str) -> Response:
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/templates/{kind}.xlsx")
def template(kind: str, request: Request, who: Principal = Depends(viewer)) -> Response:
    """The Excel template of an input table (activities, credits, sinks, measures, indicators): headers
    in the request's language (``lang`` parameter or Accept-Language), drop-down lists for enumerated
    columns. A filled template is accepted by the upload as it is."""
    from dualcarbon.project import templates

    if kind not in templates.KINDS:
        raise ApiError(404, "not_found", f"no template {kind!r}; expected one of {', '.join(templates.KINDS)}")
    return _xlsx(templates.workbook_bytes(kind, request_lang(request)), templates.TEMPLATES[kind].file)


@router.post("/problems.xlsx")
def problems_workbook(body: ProblemRows, request: Request, who: Principal = Depends(viewer)) -> Response:
    """The problems of an upload or a run (as the API returned them) as a workbook: file, row, column,
    value and what is expected, headers in the request's language."""
    from dualcarbon.project.problems_book import in_order, workbook_bytes

    rows = [
        {
            "file": p.get("file") or "",
            "row": p.get("row") if isinstance(p.get("row"), int) else None,
            "column": p.get("column") or "",
            "value": None if p.get("value") is None else str(p.get("value")),
            "expected": str(p.get("expected") or p.get("message") or ""),
        }
        for p in body.problems
    ]
    return _xlsx(workbook_bytes(in_order(rows), request_lang(request)), "problems.xlsx")
