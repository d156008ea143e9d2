"""Health, sign-up, the caller, their organisation, users and tokens."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from dualcarbon import __version__
from dualcarbon.api import schemas
from dualcarbon.api.auth import Principal, admin, bearer, store_of, viewer
from dualcarbon.api.errors import ApiError, found, not_found
from dualcarbon.store.migrate import current_version
from dualcarbon.store.repo import sha256

router = APIRouter(prefix="/api")


@router.get("/health", response_model=schemas.Health, tags=["server"])
def health(request: Request) -> schemas.Health:
    """Is the server up; its version, store kind, schema version and sign-up policy. No token needed."""
    store = store_of(request)
    return schemas.Health(
        status="ok",
        version=__version__,
        store=store.db.dialect,
        schema_version=current_version(store.db),
        signup=request.app.state.signup_mode(),
    )


@router.post("/organisations", status_code=201, response_model=schemas.SignedUp, tags=["organisations"])
def sign_up(
    body: schemas.SignUp, request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> schemas.SignedUp:
    """Create an organisation and its first user, an admin; returns the admin's token (shown once).

    Allowed when the server runs with open sign-up, or with the one-time setup token that
    `dualcarbon serve` prints while the store has no organisation.
    """
    state = request.app.state
    store = store_of(request)
    with state.signup_lock:
        mode = state.signup_mode()
        if mode == "setup_token":
            given = credentials.credentials if credentials else ""
            if not hmac.compare_digest(sha256(given.encode()), state.setup_token_sha256 or ""):
                raise ApiError(
                    401,
                    "unauthorized",
                    "creating the first organisation needs the setup token that "
                    "`dualcarbon serve` printed: Authorization: Bearer <setup token>",
                    headers={"WWW-Authenticate": "Bearer"},
                )
        elif mode == "closed":
            raise ApiError(
                403,
                "signup_closed",
                "sign-up is closed on this server: its operator creates "
                "organisations with `dualcarbon org create NAME`",
            )
        org, user, token = store.create_organisation(body.name, body.admin_name, body.admin_email)
        state.setup_token_sha256 = None  # one time only
    return schemas.SignedUp(organisation=schemas.Organisation.of(org), user=schemas.User.of(user), token=token)


@router.get("/me", response_model=schemas.Me, tags=["organisations"])
def me(request: Request, who: Principal = Depends(viewer)) -> schemas.Me:
    """The caller: their user, organisation and the id of the token in use."""
    store = store_of(request)
    return schemas.Me(
        user=schemas.User.of(found(store.user(who.org_id, who.user_id), "user", who.user_id)),
        organisation=schemas.Organisation.of(found(store.organisation(who.org_id), "organisation", who.org_id)),
        token_id=who.token_id,
    )


def _own_org(who: Principal, org_id: str) -> None:
    if org_id != who.org_id:
        raise not_found("organisation", org_id)


@router.get("/organisations/{org_id}", response_model=schemas.Organisation, tags=["organisations"])
def organisation(org_id: str, request: Request, who: Principal = Depends(viewer)) -> schemas.Organisation:
    """The caller's organisation (any other id: 404)."""
    _own_org(who, org_id)
    return schemas.Organisation.of(found(store_of(request).organisation(org_id), "organisation", org_id))


@router.patch("/organisations/{org_id}", response_model=schemas.Organisation, tags=["organisations"])
def rename_organisation(
    org_id: str, body: schemas.OrganisationPatch, request: Request, who: Principal = Depends(admin)
) -> schemas.Organisation:
    """Rename the caller's organisation (admin)."""
    _own_org(who, org_id)
    return schemas.Organisation.of(
        found(store_of(request).rename_organisation(org_id, body.name), "organisation", org_id)
    )


@router.get("/users", response_model=list[schemas.User], tags=["users"])
def users(request: Request, who: Principal = Depends(viewer)) -> list[schemas.User]:
    """The organisation's users."""
    return [schemas.User.of(u) for u in store_of(request).users(who.org_id)]


@router.post("/users", status_code=201, response_model=schemas.NewUser, tags=["users"])
def create_user(body: schemas.UserCreate, request: Request, who: Principal = Depends(admin)) -> schemas.NewUser:
    """Add a user to the organisation (admin); returns their first token (shown once)."""
    user, token = store_of(request).create_user(who.org_id, body.name, body.email, body.role)
    return schemas.NewUser(user=schemas.User.of(user), token=token)


@router.get("/users/{user_id}", response_model=schemas.User, tags=["users"])
def user(user_id: str, request: Request, who: Principal = Depends(viewer)) -> schemas.User:
    row = store_of(request).user(who.org_id, user_id)
    if row is None:
        raise not_found("user", user_id)
    return schemas.User.of(row)


@router.patch("/users/{user_id}", response_model=schemas.User, tags=["users"])
def update_user(
    user_id: str, body: schemas.UserPatch, request: Request, who: Principal = Depends(admin)
) -> schemas.User:
    """Change a user's role, or disable them (admin). An admin cannot demote or disable themselves."""
    store = store_of(request)
    if store.user(who.org_id, user_id) is None:
        raise not_found("user", user_id)
    if user_id == who.user_id and (body.disabled or (body.role and body.role != "admin")):
        raise ApiError(409, "conflict", "an admin cannot demote or disable themselves: ask another admin")
    return schemas.User.of(found(store.update_user(who.org_id, user_id, body.role, body.disabled), "user", user_id))


@router.get("/tokens", response_model=list[schemas.Token], tags=["tokens"])
def tokens(request: Request, who: Principal = Depends(viewer)) -> list[schemas.Token]:
    """The caller's tokens (an admin: every token of the organisation). Never the secrets."""
    rows = store_of(request).tokens(who.org_id, None if who.can("admin") else who.user_id)
    return [schemas.Token.of(t) for t in rows]


@router.post("/tokens", status_code=201, response_model=schemas.NewToken, tags=["tokens"])
def create_token(body: schemas.TokenCreate, request: Request, who: Principal = Depends(viewer)) -> schemas.NewToken:
    """A new token for the caller, with the caller's role (shown once)."""
    row, token = store_of(request).create_token(who.org_id, who.user_id, body.name)
    return schemas.NewToken(token=token, info=schemas.Token.of(row))


@router.delete("/tokens/{token_id}", response_model=schemas.Token, tags=["tokens"])
def revoke_token(token_id: str, request: Request, who: Principal = Depends(viewer)) -> schemas.Token:
    """Revoke a token at once: one's own, or (admin) any of the organisation."""
    store = store_of(request)
    row = store.token(who.org_id, token_id)
    if row is None or (row["user_id"] != who.user_id and not who.can("admin")):
        raise not_found("token", token_id)
    return schemas.Token.of(found(store.revoke_token(who.org_id, token_id), "token", token_id))
