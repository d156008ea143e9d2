"""People signing in: sessions (sign in, who am I, sign out), passwords (change one's own, set one
with a one-time code), the sign-in rate limit, and the organisation's audit log."""

from __future__ import annotations

import math
from datetime import timedelta

from fastapi import APIRouter, Depends, Query, Request, Response

from dualcarbon.api import schemas
from dualcarbon.api.auth import (
    SESSION_COOKIE,
    SESSION_LIFETIME,
    Principal,
    admin,
    audit,
    client_address,
    csrf_token_of,
    store_of,
    viewer,
)
from dualcarbon.api.errors import ApiError, input_error
from dualcarbon.errors import InputError
from dualcarbon.store import Store
from dualcarbon.store.accounts import check_password, hash_password, normalise_login, verify_password
from dualcarbon.store.repo import utcnow

router = APIRouter(prefix="/api")
# Failed sign-ins allowed per sign-in name and per client address within the window; kept in the
# store, so the limit holds across requests, workers and restarts.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
WRONG = "wrong sign-in name or password"


def _keys(login: str, address: str | None) -> list[str]:
    return [f"login:{normalise_login(login)}", f"address:{address or 'unknown'}"]


def check_rate_limit(store: Store, keys: list[str]) -> None:
    """429 with Retry-After while a key has ``MAX_FAILURES`` failures within the window."""
    now = utcnow()
    waits = []
    for times in store.sign_in_failures(keys, now - FAILURE_WINDOW).values():
        if len(times) >= MAX_FAILURES:
            # the wait until the failures within the window fall below the limit again
            waits.append((times[-MAX_FAILURES] + FAILURE_WINDOW - now).total_seconds())
    if waits:
        seconds = max(1, math.ceil(max(waits)))
        raise ApiError(
            429,
            "too_many_attempts",
            f"too many failed sign-ins for this name or from this address: try again in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )


def _failed(request: Request, store: Store, keys: list[str], login: str, org_id: str | None, user_id: str | None):
    store.record_sign_in_failure(keys, utcnow() - FAILURE_WINDOW)
    audit(request, None, "sign_in.failed", "user", user_id, {"login": normalise_login(login)}, org_id=org_id)
    return ApiError(401, "unauthorized", WRONG)


def _session_answer(store: Store, who: Principal, expires_at: str | None = None) -> schemas.Session:
    user = store.user(who.org_id, who.user_id)
    organisation = store.organisation(who.org_id)
    assert user is not None and organisation is not None
    return schemas.Session(
        user=schemas.User.of(user),
        organisation=schemas.Organisation.of(organisation),
        token_id=who.token_id,
        via=who.via,
        csrf_token=who.csrf_token,
        expires_at=expires_at,
    )


@router.post("/session", response_model=schemas.Session, tags=["sessions"])
def sign_in(body: schemas.SignIn, request: Request, response: Response) -> schemas.Session:
    """Sign in with a sign-in name and password: sets the session cookie (HttpOnly, SameSite=Strict)
    and returns the CSRF token. Five failures within 15 minutes, for a name or from an address: 429."""
    store = store_of(request)
    keys = _keys(body.login, client_address(request))
    check_rate_limit(store, keys)
    row = store.password_login(body.login)
    if row is None:
        verify_password(None, body.password)  # as slow as a real check
        raise _failed(request, store, keys, body.login, None, None)
    if not verify_password(row["password_hash"], body.password) or row["disabled"]:
        raise _failed(request, store, keys, body.login, row["org_id"], row["user_id"])
    store.clear_sign_in_failures(keys[0])
    session, secret = store.create_session(row["org_id"], row["user_id"], SESSION_LIFETIME, client_address(request))
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    who = Principal(
        row["org_id"],
        row["user_id"],
        row["name"],
        row["role"],
        session_id=session["id"],
        csrf_token=csrf_token_of(secret),
    )
    audit(request, who, "sign_in", "user", row["user_id"])
    return _session_answer(store, who, schemas._time(session["expires_at"]))


@router.get("/session", response_model=schemas.Session, tags=["sessions"])
def current_session(request: Request, who: Principal = Depends(viewer)) -> schemas.Session:
    """The caller and, signed in with the cookie, the session's CSRF token (for a page just loaded)."""
    return _session_answer(store_of(request), who)


@router.delete("/session", status_code=204, tags=["sessions"])
def sign_out(request: Request, who: Principal = Depends(viewer)) -> Response:
    """Sign out: the session ends at once and the cookie is cleared. (A token caller: nothing to end.)"""
    answer = Response(status_code=204)
    if who.session_id:
        store_of(request).end_session(who.session_id)
        audit(request, who, "sign_out", "user", who.user_id)
        answer.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return answer


def _checked_password(password: str, field: str) -> str:
    try:
        check_password(password, field)
    except InputError as exc:
        raise input_error(exc) from exc
    return hash_password(password)


@router.post("/me/password", status_code=204, tags=["sessions"])
def change_password(body: schemas.PasswordChange, request: Request, who: Principal = Depends(viewer)) -> Response:
    """Change one's own password (the current one required); one's other sessions end."""
    store = store_of(request)
    user = store.user(who.org_id, who.user_id)
    if user is None or not user.get("login"):
        raise ApiError(409, "conflict", "this user has no sign-in name (a user for scripts): ask an admin for one")
    keys = _keys(user["login"], client_address(request))
    check_rate_limit(store, keys)
    if not verify_password(store.password_hash_of(who.org_id, who.user_id), body.current_password):
        store.record_sign_in_failure(keys, utcnow() - FAILURE_WINDOW)
        audit(request, who, "password.change_failed", "user", who.user_id)
        raise ApiError(403, "wrong_password", "the current password is wrong")
    store.set_password(who.org_id, who.user_id, _checked_password(body.new_password, "new_password"), who.session_id)
    audit(request, who, "password.changed", "user", who.user_id)
    return Response(status_code=204)


@router.post("/password", response_model=schemas.PasswordSetDone, tags=["sessions"])
def set_password(body: schemas.PasswordSet, request: Request) -> schemas.PasswordSetDone:
    """Set one's password with the one-time code of an invitation or a reset (no sign-in needed);
    the code is used up, and the user's sessions end. Then sign in with POST /api/session."""
    store = store_of(request)
    password_hash = _checked_password(body.password, "password")
    row = store.redeem_code(body.code.strip(), password_hash)
    if row is None:
        raise ApiError(
            400, "invalid_code", "this code is unknown, used or expired (codes last 7 days): ask an admin for a new one"
        )
    audit(request, None, "password.set", "user", row["user_id"], {"purpose": row["purpose"]}, org_id=row["org_id"])
    return schemas.PasswordSetDone(login=row["login"])


@router.get("/audit", response_model=schemas.AuditPage, tags=["audit"])
def audit_log(
    request: Request,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    who: Principal = Depends(admin),
) -> schemas.AuditPage:
    """The organisation's audit log (admin), newest first: sign-ins, uploads, withdrawals, runs,
    settings, users, roles, tokens and passwords; who, when and from which address."""
    rows, total = store_of(request).audit_log(who.org_id, limit, offset)
    return schemas.AuditPage(total=total, offset=offset, limit=limit, items=[schemas.AuditEntry.of(r) for r in rows])
