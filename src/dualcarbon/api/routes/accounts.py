"""Health, sign-up, the caller, their organisation, users and tokens."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from dualcarbon import __version__
from dualcarbon.api import schemas
from dualcarbon.api.auth import Principal, admin, audit, bearer, store_of, viewer
from dualcarbon.api.errors import ApiError, found, input_error, not_found
from dualcarbon.errors import InputError
from dualcarbon.report.pdf import engine_available
from dualcarbon.store.accounts import check_login, check_password, hash_password
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
        pdf=engine_available(),
    )


@router.post("/organisations", status_code=201, response_model=schemas.SignedUp, tags=["organisations"])
def sign_up(
    body: schemas.SignUp, request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> schemas.SignedUp:
    """Create an organisation and its first user, an admin, who signs in with ``admin_login`` and
    ``admin_password``; returns the admin's API token too, for scripts (shown once).

    Allowed when the server runs with open sign-up, or with the one-time setup token that
    `dualcarbon serve` prints while the store has no organisation.
    """
    state = request.app.state
    store = store_of(request)
    login, password_hash = _admin_credentials(body)
    with state.signup_lock:
        mode = state.signup_mode()
        if mode == "setup_token":
            given = credentials.credentials if credentials else ""
            if not hmac.compare_digest(sha256(given.encode()), state.setup_token_sha256 or ""):
                raise ApiError(
                    401,
                    "unauthorized",
                    "creating the first organisation needs the one-time setup token the server printed when it "
                    "started: Authorization: Bearer <setup token>",
                    headers={"WWW-Authenticate": "Bearer"},
                )
        elif mode == "closed":
            raise ApiError(
                403,
                "signup_closed",
                "sign-up is closed on this server: ask an administrator of this server to invite you "
                "or to create your organisation",
            )
        if login is not None and store.login_taken(login):
            raise _login_taken(login)
        org, user, token = store.create_organisation(body.name, body.admin_name, body.admin_email, login, password_hash)
        state.setup_token_sha256 = None  # one time only
    details = {"name": org["name"], "admin_user_id": user["id"], "login": login}
    audit(request, None, "organisation.created", "organisation", org["id"], details, org_id=org["id"])
    return schemas.SignedUp(organisation=schemas.Organisation.of(org), user=schemas.User.of(user), token=token)


def _admin_credentials(body: schemas.SignUp) -> tuple[str | None, str | None]:
    """The first admin's sign-in name and password hash, both or neither; 422 otherwise."""
    if (body.admin_login is None) != (body.admin_password is None):
        given, missing = (
            ("admin_login", "admin_password") if body.admin_password is None else ("admin_password", "admin_login")
        )
        raise input_error(InputError.single(f"{missing} too: {given} and {missing} go together", column=missing))
    if body.admin_login is None or body.admin_password is None:
        return None, None
    try:
        login = check_login(body.admin_login, "admin_login")
        check_password(body.admin_password, "admin_password")
    except InputError as exc:
        raise input_error(exc) from exc
    return login, hash_password(body.admin_password)


def _login_taken(login: str) -> ApiError:
    return ApiError(409, "login_taken", f"the sign-in name {login!r} is taken on this server: choose another")


@router.get("/me", response_model=schemas.Me, tags=["organisations"])
def me(request: Request, who: Principal = Depends(viewer)) -> schemas.Me:
    """The caller: their user, organisation, and the token in use (None when signed in with a session)."""
    store = store_of(request)
    return schemas.Me(
        user=schemas.User.of(found(store.user(who.org_id, who.user_id), "user", who.user_id)),
        organisation=schemas.Organisation.of(found(store.organisation(who.org_id), "organisation", who.org_id)),
        token_id=who.token_id,
        via=who.via,
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
    renamed = found(store_of(request).rename_organisation(org_id, body.name), "organisation", org_id)
    audit(request, who, "organisation.renamed", "organisation", org_id, {"name": body.name})
    return schemas.Organisation.of(renamed)


@router.get("/users", response_model=list[schemas.User], tags=["users"])
def users(request: Request, who: Principal = Depends(viewer)) -> list[schemas.User]:
    """The organisation's users."""
    return [schemas.User.of(u) for u in store_of(request).users(who.org_id)]


@router.post("/users", status_code=201, response_model=schemas.NewUser, tags=["users"])
def create_user(body: schemas.UserCreate, request: Request, who: Principal = Depends(admin)) -> schemas.NewUser:
    """Add a user to the organisation (admin). With ``login``, a person is invited: the answer holds
    a one-time code (valid 7 days) with which they set their password. Without it, a user for
    scripts: the answer holds their first API token. Either is shown once."""
    store = store_of(request)
    if body.login is None:
        user, token = store.create_user(who.org_id, body.name, body.email, body.role)
        audit(request, who, "user.created", "user", user["id"], {"name": body.name, "role": body.role})
        return schemas.NewUser(user=schemas.User.of(user), token=token, invitation=None)
    login = _login(body.login)
    if store.login_taken(login):
        raise _login_taken(login)
    user, row, code = store.invite_user(who.org_id, body.name, login, body.email, body.role, who.user_id)
    audit(request, who, "user.invited", "user", user["id"], {"name": body.name, "login": login, "role": body.role})
    return schemas.NewUser(user=schemas.User.of(user), token=None, invitation=schemas.OneTimeCode.of(row, code))


def _login(login: str) -> str:
    try:
        return check_login(login)
    except InputError as exc:
        raise input_error(exc) from exc


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
    """Change a user's role, disable (or enable) them, or give a sign-in name to a user who has none
    (admin). Disabling ends the user's sessions and tokens at once. An admin cannot demote or disable
    themselves."""
    store = store_of(request)
    before = store.user(who.org_id, user_id)
    if before is None:
        raise not_found("user", user_id)
    if user_id == who.user_id and (body.disabled or (body.role and body.role != "admin")):
        raise ApiError(409, "conflict", "an admin cannot demote or disable themselves: ask another admin")
    if body.login is not None:
        login = _login(body.login)
        if before["login"]:
            raise ApiError(409, "conflict", f"the user already signs in as {before['login']!r}")
        if store.login_taken(login):
            raise _login_taken(login)
        store.set_login(who.org_id, user_id, login)
        audit(request, who, "user.login_set", "user", user_id, {"login": login})
    after = found(store.update_user(who.org_id, user_id, body.role, body.disabled), "user", user_id)
    if body.role is not None and body.role != before["role"]:
        audit(request, who, "user.role_changed", "user", user_id, {"from": before["role"], "to": body.role})
    if body.disabled is not None and body.disabled != bool(before["disabled"]):
        audit(request, who, "user.disabled" if body.disabled else "user.enabled", "user", user_id)
    return schemas.User.of(after)


@router.post("/users/{user_id}/password-reset", status_code=201, response_model=schemas.OneTimeCode, tags=["users"])
def reset_password(user_id: str, request: Request, who: Principal = Depends(admin)) -> schemas.OneTimeCode:
    """Reset a user's password (admin): the old one stops working, their sessions end, and the
    answer holds a one-time code (valid 7 days) with which they set a new one. Shown once."""
    store = store_of(request)
    user = store.user(who.org_id, user_id)
    if user is None:
        raise not_found("user", user_id)
    if not user["login"]:
        raise ApiError(409, "conflict", "this user has no sign-in name: give them one first (PATCH login)")
    row, code = store.reset_password(who.org_id, user_id, who.user_id)
    audit(request, who, "password.reset", "user", user_id)
    return schemas.OneTimeCode.of(row, code)


@router.get("/tokens", response_model=list[schemas.Token], tags=["tokens"])
def tokens(request: Request, who: Principal = Depends(viewer)) -> list[schemas.Token]:
    """The caller's tokens (an admin: every token of the organisation). Never the secrets."""
    rows = store_of(request).tokens(who.org_id, None if who.can("admin") else who.user_id)
    return [schemas.Token.of(t) for t in rows]


@router.post("/tokens", status_code=201, response_model=schemas.NewToken, tags=["tokens"])
def create_token(body: schemas.TokenCreate, request: Request, who: Principal = Depends(viewer)) -> schemas.NewToken:
    """A new token for the caller, with the caller's role (shown once). Only a person signed in
    (session) or an admin's token may create one: a stolen token must not outlive its revocation
    by minting others."""
    if who.via != "session" and not who.can("admin"):
        raise ApiError(
            403,
            "forbidden",
            "tokens are created by a person signed in to the dashboard (POST /api/session), or with an admin's token",
        )
    row, token = store_of(request).create_token(who.org_id, who.user_id, body.name)
    audit(request, who, "token.created", "token", row["id"], {"name": body.name})
    return schemas.NewToken(token=token, info=schemas.Token.of(row))


@router.delete("/tokens/{token_id}", response_model=schemas.Token, tags=["tokens"])
def revoke_token(token_id: str, request: Request, who: Principal = Depends(viewer)) -> schemas.Token:
    """Revoke a token at once: one's own, or (admin) any of the organisation."""
    store = store_of(request)
    row = store.token(who.org_id, token_id)
    if row is None or (row["user_id"] != who.user_id and not who.can("admin")):
        raise not_found("token", token_id)
    revoked = found(store.revoke_token(who.org_id, token_id), "token", token_id)
    audit(request, who, "token.revoked", "token", token_id, {"name": row["name"], "user_id": row["user_id"]})
    return schemas.Token.of(revoked)
