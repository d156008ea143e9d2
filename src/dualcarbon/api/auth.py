"""Bearer tokens and roles.

Every request but the health check, the sign-up and the docs carries ``Authorization: Bearer
dct_…``. The token names its user, the user's organisation and role; roles are ordered
``viewer`` < ``editor`` < ``admin``. A missing, malformed, unknown or revoked token, or one of a
disabled user, gets the same 401.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from dualcarbon.api.errors import ApiError
from dualcarbon.store import Store

RANK = {"viewer": 0, "editor": 1, "admin": 2}
bearer = HTTPBearer(auto_error=False, description="An API token: dct_…")


@dataclass(frozen=True)
class Principal:
    """Who is asking: a user of one organisation, through one token."""

    org_id: str
    user_id: str
    name: str
    role: str
    token_id: str

    def can(self, role: str) -> bool:
        return RANK[self.role] >= RANK[role]


def store_of(request: Request) -> Store:
    return request.app.state.store


def principal(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Principal:
    """The caller of an authenticated route; 401 otherwise."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(
            401,
            "unauthorized",
            "an API token is required: Authorization: Bearer dct_…",
            headers={"WWW-Authenticate": "Bearer"},
        )
    row = store_of(request).authenticate(credentials.credentials)
    if row is None:
        raise ApiError(
            401,
            "unauthorized",
            "the token is not valid (unknown, revoked, or its user disabled)",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    return Principal(row["org_id"], row["user_id"], row["name"], row["role"], row["token_id"])


def role(required: str):
    """A dependency: the caller, who must have at least ``required``; 403 otherwise."""

    def check(who: Principal = Depends(principal)) -> Principal:
        if not who.can(required):
            raise ApiError(403, "forbidden", f"this needs the role {required!r}; your role is {who.role!r}")
        return who

    return check


viewer = role("viewer")
editor = role("editor")
admin = role("admin")
