"""Who is asking: a person signed in to the dashboard (a session cookie), or a script with a bearer
token; and their role, ordered ``viewer`` < ``editor`` < ``admin``.

- ``Authorization: Bearer dct_…`` (scripts): as before, no CSRF token needed, since a browser never
  adds that header by itself. A bearer header wins over a cookie.
- The ``dualcarbon_session`` cookie (people; ``POST /api/session`` sets it): HttpOnly, SameSite=Strict,
  and every unsafe method (POST, PUT, PATCH, DELETE) must also carry the session's CSRF token in
  ``X-CSRF-Token``, else 403. The CSRF token is derived from the cookie's secret, so only a page that
  was told it (by ``POST`` or ``GET /api/session``) can send it.

A missing, malformed, unknown or revoked token, an ended or expired session, or either of a
disabled user, gets the same 401.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from dualcarbon.api.errors import ApiError
from dualcarbon.store import Store

RANK = {"viewer": 0, "editor": 1, "admin": 2}
SESSION_COOKIE = "dualcarbon_session"
CSRF_HEADER = "X-CSRF-Token"
SESSION_IDLE = timedelta(hours=12)  # a session not used for this long ends
SESSION_LIFETIME = timedelta(days=7)  # and every session ends this long after sign-in
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
bearer = HTTPBearer(auto_error=False, description="An API token: dct_…")
cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description="A dashboard session (POST /api/session); unsafe methods also need the X-CSRF-Token header.",
)


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user of one organisation, through one token or one session."""

    org_id: str
    user_id: str
    name: str
    role: str
    token_id: str | None = None
    session_id: str | None = None
    csrf_token: str | None = None

    @property
    def via(self) -> Literal["token", "session"]:
        return "session" if self.session_id else "token"

    def can(self, role: str) -> bool:
        return RANK[self.role] >= RANK[role]


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def client_address(request: Request) -> str | None:
    """The peer's address (behind a proxy: the proxy's, unless uvicorn runs with --proxy-headers)."""
    return request.client.host if request.client else None


def csrf_token_of(secret: str) -> str:
    """The CSRF token of a session: derived from the cookie's secret, so it needs no storage."""
    return hashlib.sha256(f"dualcarbon-csrf:{secret}".encode()).hexdigest()


def principal(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    session_secret: str | None = Depends(cookie),
) -> Principal:
    """The caller of an authenticated route; 401 otherwise (403 for a cookie without its CSRF token)."""
    store = store_of(request)
    if credentials is not None:
        if credentials.scheme.lower() != "bearer":
            raise _unauthorized("an API token is required: Authorization: Bearer dct_…")
        row = store.authenticate(credentials.credentials)
        if row is None:
            raise ApiError(
                401,
                "unauthorized",
                "the token is not valid (unknown, revoked, or its user disabled)",
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return Principal(row["org_id"], row["user_id"], row["name"], row["role"], token_id=row["token_id"])
    if session_secret:
        session = store.session(session_secret, SESSION_IDLE)
        if session is None:
            raise _unauthorized("your session has ended (signed out, expired, or the user disabled): sign in again")
        csrf = csrf_token_of(session_secret)
        if request.method in UNSAFE and not hmac.compare_digest(request.headers.get(CSRF_HEADER, ""), csrf):
            raise ApiError(
                403,
                "csrf_failed",
                f"a request signed in with the session cookie that changes something needs the header "
                f"{CSRF_HEADER} with the token POST /api/session or GET /api/session gave",
            )
        return Principal(
            session["org_id"],
            session["user_id"],
            session["name"],
            session["role"],
            session_id=session["session_id"],
            csrf_token=csrf,
        )
    raise _unauthorized("sign in (POST /api/session), or send an API token: Authorization: Bearer dct_…")


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers={"WWW-Authenticate": "Bearer"})


def role(required: str) -> Callable[..., Principal]:
    """A dependency: the caller, who must have at least ``required``; 403 otherwise."""

    def check(who: Principal = Depends(principal)) -> Principal:
        if not who.can(required):
            raise ApiError(403, "forbidden", f"this needs the role {required!r}; your role is {who.role!r}")
        return who

    return check


viewer = role("viewer")
editor = role("editor")
admin = role("admin")


def audit(
    request: Request,
    who: Principal | None,
    action: str,
    object_kind: str | None = None,
    object_id: str | None = None,
    details: dict[str, Any] | None = None,
    org_id: str | None = None,
) -> None:
    """Record an action in the audit log (GET /api/audit), with the caller and their address."""
    extra = dict(details or {})
    if who is not None:
        extra.setdefault("via", who.via)
    store_of(request).audit(
        who.org_id if who else org_id,
        who.user_id if who else None,
        action,
        object_kind,
        object_id,
        extra,
        client_address(request),
    )
