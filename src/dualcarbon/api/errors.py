"""The API's error responses, one shape for all of them:

``{"error": {"code": "invalid_input", "message": "...", "problems": [{file, batch, row, column,
value, expected, message, expected_key, fields}]}}`` — ``problems`` only where the input had problems
(the same facts ``dualcarbon validate`` prints). ``expected`` and ``message`` are in the request's
language (``request_lang``); ``expected_key`` and ``fields`` are the catalogue message they were
rendered from (``problem.*`` of ``locales/*.toml``), for programs that render their own text.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from dualcarbon.errors import InputError, Problem
from dualcarbon.i18n import FALLBACK, languages, translator
from dualcarbon.store.assurance import Frozen

log = logging.getLogger("dualcarbon.api")
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_input",
    429: "too_many_attempts",
    500: "internal",
    503: "unavailable",
}


class ApiError(Exception):
    """Raised by a route to answer with an error: HTTP status, a stable code and a message for people."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        problems: list[dict] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status, self.code, self.message, self.problems, self.headers = status, code, message, problems, headers


def not_found(kind: str, ident: str) -> ApiError:
    """The same answer whether the object does not exist or belongs to another organisation."""
    return ApiError(404, "not_found", f"no {kind} {ident!r}")


def found(row: dict[str, Any] | None, kind: str, ident: str) -> dict[str, Any]:
    """The row a store call returned, or the 404 of ``not_found`` if it returned none."""
    if row is None:
        raise not_found(kind, ident)
    return row


def body(code: str, message: str, problems: list[dict] | None = None) -> dict:
    error: dict = {"code": code, "message": message}
    if problems is not None:
        error["problems"] = problems
    return {"error": error}


def request_lang(request: Request | None) -> str:
    """The language of a request's messages: its ``lang`` parameter, else the first language of its
    ``Accept-Language`` header that has a catalogue (the dashboard sends the page's), else English."""
    if request is None:
        return FALLBACK
    known = languages()
    asked = request.query_params.get("lang")
    if asked in known:
        return str(asked)
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower().split("-")[0]
        if tag in known:
            return tag
    return FALLBACK


def problem_record(problem: Problem, lang: str = FALLBACK) -> dict:
    """A problem as JSON, for inputs that are not stored files (request fields, settings)."""
    return {"batch": None, **problem.record(lang, web=True)}


def problems_message(n: int, lang: str = FALLBACK) -> str:
    return translator(lang)("validate.n_problems", n=n) if n != 1 else translator(lang)("validate.one_problem")


def input_error(exc: InputError, records: list[dict] | None = None, lang: str = FALLBACK) -> ApiError:
    problems = records if records is not None else [problem_record(p, lang) for p in exc.problems]
    return ApiError(422, "invalid_input", problems_message(len(problems), lang), problems)


def _text(value: str) -> str:
    """``value`` as UTF-8 can hold it: a lone surrogate (which JSON may escape) shown as its escape (``\\udc80`` for U+DC80)."""
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


def install(app: FastAPI) -> None:
    """Map every error (ours, FastAPI's request validation, Starlette's HTTP errors, the
    unexpected) to the one JSON shape."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(body(exc.code, exc.message, exc.problems), exc.status, headers=exc.headers)

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> JSONResponse:
        err = input_error(exc, lang=request_lang(request))
        return JSONResponse(body(err.code, err.message, err.problems), err.status)

    @app.exception_handler(Frozen)
    async def _frozen(_: Request, exc: Frozen) -> JSONResponse:
        answer = body("locked", str(exc))
        answer["error"]["locked_runs"] = exc.runs
        return JSONResponse(answer, 409)

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            where = [str(p) for p in err.get("loc", ())]
            place = ".".join(where[1:]) if len(where) > 1 else ".".join(where)
            value = err.get("input")
            value = None if isinstance(value, (dict, list)) or value is None else _text(str(value)[:200])
            problem = Problem(where[0] if where else None, None, place, value, err.get("msg", "invalid"))
            problems.append(problem_record(problem))
        return JSONResponse(body("invalid_input", f"{len(problems)} problem(s) in the request", problems), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = STATUS_CODES.get(exc.status_code, "error")
        return JSONResponse(body(code, str(exc.detail)), exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return JSONResponse(body("internal", f"internal error: {exc.__class__.__name__}"), 500)
