"""People sign in as people (issue 13): passwords (argon2id), session cookies with CSRF protection,
the sign-in rate limit, invitations, resets, password changes, disabling, who may mint tokens
(defect 9), and the audit log; on DuckDB and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import stores
from apiworld import SETUP_TOKEN, api, bearer
from test_endpoints import error

from dualcarbon.api.auth import CSRF_HEADER, SESSION_COOKIE

PASSWORD = "correct horse battery"


@pytest.fixture(params=stores.BACKENDS)
def client(request, tmp_path) -> Iterator:
    """A fresh server for each test: the rate limit counts failures per client address, and the test
    client always has the same one."""
    with api(request.param, tmp_path) as made:
        yield made


def sign_up(client, login: str = "ann@example.com", password: str = PASSWORD) -> dict:
    """The first organisation, with the setup token; its admin signs in with login and password."""
    body = {"name": "A 乳业", "admin_name": "Ann", "admin_login": login, "admin_password": password}
    made = client.post("/api/organisations", json=body, headers=bearer(SETUP_TOKEN))
    assert made.status_code == 201, made.text
    return made.json()


def sign_in(client, login: str, password: str = PASSWORD) -> dict:
    """Sign in; returns {"cookie": headers with the session cookie, "csrf": with the CSRF token too,
    "answer": the JSON}. The client's own cookie jar is emptied, so each request names its session."""
    answer = client.post("/api/session", json={"login": login, "password": password})
    assert answer.status_code == 200, answer.text
    secret = answer.cookies[SESSION_COOKIE]
    client.cookies.clear()
    cookie = {"Cookie": f"{SESSION_COOKIE}={secret}"}
    return {
        "cookie": cookie,
        "csrf": {**cookie, CSRF_HEADER: answer.json()["csrf_token"]},
        "answer": answer.json(),
        "set_cookie": answer.headers["set-cookie"],
        "secret": secret,
    }


def invite(client, admin_headers: dict, login: str, role: str, password: str = PASSWORD) -> dict:
    """An admin invites a person, who sets a password with the code and signs in."""
    made = client.post("/api/users", json={"name": login.title(), "login": login, "role": role}, headers=admin_headers)
    assert made.status_code == 201, made.text
    assert made.json()["token"] is None and not made.json()["user"]["has_password"]
    code = made.json()["invitation"]["code"]
    assert client.post("/api/password", json={"code": code, "password": password}).json() == {"login": login}
    return {"user": made.json()["user"], **sign_in(client, login, password)}


def test_a_person_signs_in_with_a_password_into_an_httponly_strict_session(client):
    signed = sign_up(client, "Ann@Example.com")
    assert signed["user"]["login"] == "ann@example.com" and signed["user"]["has_password"]
    session = sign_in(client, "ANN@example.com ")  # names are compared trimmed, in lower case
    attributes = {part.strip().split("=")[0].lower() for part in session["set_cookie"].split(";")}
    assert {"httponly", "path", "max-age"} <= attributes and "secure" not in attributes  # http here
    assert "samesite=strict" in session["set_cookie"].lower() and "path=/" in session["set_cookie"].lower()
    me = client.get("/api/me", headers=session["cookie"]).json()
    assert me["user"]["name"] == "Ann" and me["via"] == "session" and me["token_id"] is None
    assert client.get("/api/session", headers=session["cookie"]).json()["csrf_token"] == session["answer"]["csrf_token"]
    with client.app.state.store.db.transaction() as tx:  # only hashes are kept
        rows = repr(tx.all("SELECT * FROM sessions")) + repr(tx.all("SELECT * FROM logins"))
    assert session["secret"] not in rows and PASSWORD not in rows and "$argon2id$" in rows
    # the admin's token of the sign-up keeps working for scripts, without any CSRF token
    assert client.post("/api/projects", json={"name": "script"}, headers=bearer(signed["token"])).status_code == 201


def test_a_request_with_the_session_cookie_that_changes_something_needs_the_csrf_token(client):
    sign_up(client)
    session = sign_in(client, "ann@example.com")
    for headers in (session["cookie"], {**session["cookie"], CSRF_HEADER: "0" * 64}):
        error(client.post("/api/projects", json={"name": "forged"}, headers=headers), 403, "csrf_failed")
        error(client.delete("/api/session", headers=headers), 403, "csrf_failed")
    assert client.get("/api/projects", headers=session["cookie"]).json() == []  # nothing was made
    assert client.post("/api/projects", json={"name": "mine"}, headers=session["csrf"]).status_code == 201
    # signing out ends the session at once, and clears the cookie
    out = client.delete("/api/session", headers=session["csrf"])
    assert out.status_code == 204 and f'{SESSION_COOKIE}=""' in out.headers["set-cookie"]
    error(client.get("/api/me", headers=session["cookie"]), 401, "unauthorized")


def test_a_wrong_password_is_refused_and_five_failures_lock_the_name_and_the_address(client):
    sign_up(client)
    for wrong in ("not the password", "", "Correct horse battery", "x" * 20, "still wrong"):
        answer = client.post("/api/session", json={"login": "ann@example.com", "password": wrong or " "})
        assert error(answer, 401, "unauthorized")["message"] == "wrong sign-in name or password"
    unknown = client.post("/api/session", json={"login": "nobody", "password": PASSWORD})
    locked = client.post("/api/session", json={"login": "ann@example.com", "password": PASSWORD})
    error(locked, 429, "too_many_attempts")  # even the right password, while locked
    assert 1 <= int(locked.headers["Retry-After"]) <= 15 * 60
    assert unknown.status_code == 429  # the address is locked too
    # a quarter of an hour later the failures no longer count
    with client.app.state.store.db.transaction(write=True) as tx:
        rows = tx.all("SELECT key, failed_at FROM sign_in_failures")
        tx.execute("DELETE FROM sign_in_failures")
        for row in rows:
            tx.execute(
                "INSERT INTO sign_in_failures (key, failed_at) VALUES (?, ?)",
                [row["key"], row["failed_at"] - timedelta(minutes=16)],
            )
    admin = sign_in(client, "ann@example.com")
    failed = [
        e for e in client.get("/api/audit", headers=admin["cookie"]).json()["items"] if e["action"] == "sign_in.failed"
    ]
    assert len(failed) == 5 and failed[0]["details"]["login"] == "ann@example.com"
    assert failed[0]["client_address"] == "testclient"


def test_only_a_person_signed_in_or_an_admins_token_may_mint_tokens(client):
    # defect 9: any token, a viewer's included, could mint new tokens, so a stolen token outlived
    # its revocation
    signed = sign_up(client)
    admin = sign_in(client, "ann@example.com")
    viewer = invite(client, admin["csrf"], "vera", "viewer")
    org_id = signed["organisation"]["id"]
    store = client.app.state.store
    for role in ("viewer", "editor"):
        _, token = store.create_user(org_id, f"script {role}", None, role)
        refused = client.post("/api/tokens", json={"name": "copy"}, headers=bearer(token))
        assert error(refused, 403, "forbidden")["message"].startswith("tokens are created by a person")
    assert len(client.get("/api/tokens", headers=admin["cookie"]).json()) == 3  # none was made
    by_admin_token = client.post("/api/tokens", json={"name": "ci"}, headers=bearer(signed["token"]))
    assert by_admin_token.status_code == 201
    # a viewer signed in mints a token that is theirs, with their role and no more
    made = client.post("/api/tokens", json={"name": "laptop"}, headers=viewer["csrf"])
    assert made.status_code == 201 and made.json()["info"]["user_id"] == viewer["user"]["id"]
    new = bearer(made.json()["token"])
    assert client.get("/api/me", headers=new).json()["user"]["role"] == "viewer"
    error(client.post("/api/projects", json={"name": "p"}, headers=new), 403, "forbidden")
    error(client.post("/api/tokens", json={}, headers=new), 403, "forbidden")  # and it mints none itself
    # revoked, it works no more
    assert client.delete(f"/api/tokens/{made.json()['info']['id']}", headers=viewer["csrf"]).status_code == 200
    error(client.get("/api/me", headers=new), 401, "unauthorized")


def test_an_invited_person_sets_a_password_with_the_code_once(client):
    sign_up(client)
    admin = sign_in(client, "ann@example.com")
    made = client.post("/api/users", json={"name": "李明", "login": "liming", "role": "editor"}, headers=admin["csrf"])
    code = made.json()["invitation"]["code"]
    assert made.json()["invitation"]["purpose"] == "invitation" and made.json()["invitation"]["expires_at"]
    error(client.post("/api/session", json={"login": "liming", "password": "anything at all"}), 401, "unauthorized")
    short = error(client.post("/api/password", json={"code": code, "password": "short"}), 422, "invalid_input")
    assert short["problems"][0]["column"] == "password" and "at least 10 characters" in short["problems"][0]["message"]
    assert client.post("/api/password", json={"code": code, "password": "李明的密码很长很长很长"}).status_code == 200
    error(client.post("/api/password", json={"code": code, "password": PASSWORD}), 400, "invalid_code")  # used up
    editor = sign_in(client, "liming", "李明的密码很长很长很长")
    assert editor["answer"]["user"]["role"] == "editor"
    assert client.post("/api/projects", json={"name": "p"}, headers=editor["csrf"]).status_code == 201
    error(client.post("/api/users", json={"name": "x", "login": "x"}, headers=editor["csrf"]), 403, "forbidden")
    taken = client.post("/api/users", json={"name": "again", "login": "LiMing"}, headers=admin["csrf"])
    error(taken, 409, "login_taken")
    # an expired code is refused
    other = client.post("/api/users", json={"name": "o", "login": "olga"}, headers=admin["csrf"]).json()
    with client.app.state.store.db.transaction(write=True) as tx:
        tx.execute("UPDATE one_time_codes SET expires_at = created_at WHERE user_id = ?", [other["user"]["id"]])
    error(
        client.post("/api/password", json={"code": other["invitation"]["code"], "password": PASSWORD}),
        400,
        "invalid_code",
    )


def test_an_admin_resets_a_password_and_the_users_sessions_end(client):
    sign_up(client)
    admin = sign_in(client, "ann@example.com")
    eve = invite(client, admin["csrf"], "eve", "editor")
    reset = client.post(f"/api/users/{eve['user']['id']}/password-reset", headers=admin["csrf"])
    assert reset.status_code == 201 and reset.json()["purpose"] == "reset"
    error(client.get("/api/me", headers=eve["cookie"]), 401, "unauthorized")  # her session ended
    error(client.post("/api/session", json={"login": "eve", "password": PASSWORD}), 401, "unauthorized")
    assert (
        client.post("/api/password", json={"code": reset.json()["code"], "password": "a new one, long"}).status_code
        == 200
    )
    again = sign_in(client, "eve", "a new one, long")
    error(client.post(f"/api/users/{eve['user']['id']}/password-reset", headers=again["csrf"]), 403, "forbidden")


def test_a_person_changes_their_password_and_their_other_sessions_end(client):
    sign_up(client)
    here, there = sign_in(client, "ann@example.com"), sign_in(client, "ann@example.com")
    wrong = {"current_password": "not it at all", "new_password": "another long one"}
    error(client.post("/api/me/password", json=wrong, headers=here["csrf"]), 403, "wrong_password")
    short = {"current_password": PASSWORD, "new_password": "short"}
    assert error(client.post("/api/me/password", json=short, headers=here["csrf"]), 422, "invalid_input")
    change = {"current_password": PASSWORD, "new_password": "another long one"}
    assert client.post("/api/me/password", json=change, headers=here["csrf"]).status_code == 204
    assert client.get("/api/me", headers=here["cookie"]).status_code == 200  # this session goes on
    error(client.get("/api/me", headers=there["cookie"]), 401, "unauthorized")  # the other one ended
    error(client.post("/api/session", json={"login": "ann@example.com", "password": PASSWORD}), 401, "unauthorized")
    sign_in(client, "ann@example.com", "another long one")


def test_disabling_a_user_ends_their_sessions_and_tokens_at_once(client):
    sign_up(client)
    admin = sign_in(client, "ann@example.com")
    vic = invite(client, admin["csrf"], "vic", "editor")
    token = client.post("/api/tokens", json={"name": "vic's script"}, headers=vic["csrf"]).json()["token"]
    assert client.get("/api/me", headers=bearer(token)).status_code == 200
    disabled = client.patch(f"/api/users/{vic['user']['id']}", json={"disabled": True}, headers=admin["csrf"])
    assert disabled.json()["disabled"] is True
    error(client.get("/api/me", headers=vic["cookie"]), 401, "unauthorized")
    error(client.get("/api/me", headers=bearer(token)), 401, "unauthorized")
    error(client.post("/api/session", json={"login": "vic", "password": PASSWORD}), 401, "unauthorized")


def test_sessions_end_when_idle_or_too_old(client):
    sign_up(client)
    idle, old = sign_in(client, "ann@example.com"), sign_in(client, "ann@example.com")
    with client.app.state.store.db.transaction(write=True) as tx:
        seen = tx.one("SELECT last_seen_at FROM sessions WHERE id = ?", [_id(idle)])["last_seen_at"]
        tx.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ?", [seen - timedelta(hours=12), _id(idle)])
        tx.execute("UPDATE sessions SET expires_at = created_at WHERE id = ?", [_id(old)])
    error(client.get("/api/me", headers=idle["cookie"]), 401, "unauthorized")
    error(client.get("/api/me", headers=old["cookie"]), 401, "unauthorized")


def _id(session: dict) -> str:
    import hashlib

    return hashlib.sha256(session["secret"].encode()).hexdigest()


def test_the_audit_log_tells_who_did_what_and_when_to_admins_only(client):
    signed = sign_up(client)
    admin = sign_in(client, "ann@example.com")
    eve = invite(client, admin["csrf"], "eve", "editor")
    project = client.post("/api/projects", json={"name": "p"}, headers=eve["csrf"]).json()
    settings = '[organization]\nname = "x"\n[period]\nstart = 2024-01-01\nend = 2024-12-31\n'
    assert (
        client.put(f"/api/projects/{project['id']}/settings", json={"toml": settings}, headers=eve["csrf"]).status_code
        == 200
    )

    def upload(name: str) -> str:
        data = b"id,facility,date,activity,quantity,unit\n1,f,2024-01-01,fuel/diesel,1,t\n"
        batch = client.post(
            f"/api/projects/{project['id']}/batches",
            files={"file": (name, data)},
            data={"kind": "activities"},
            headers=eve["csrf"],
        )
        assert batch.status_code == 201, batch.text
        return batch.json()["id"]

    upload("activities.csv")
    assert client.post(f"/api/projects/{project['id']}/runs", json={}, headers=eve["csrf"]).status_code == 202
    # a batch no run read (withdrawing one a run read is the server branch's DuckDB fix)
    assert client.delete(f"/api/batches/{upload('more.csv')}", headers=eve["csrf"]).status_code == 200
    client.patch(f"/api/users/{eve['user']['id']}", json={"role": "viewer"}, headers=admin["csrf"])
    token = client.post("/api/tokens", json={"name": "ci"}, headers=admin["csrf"]).json()["info"]["id"]
    client.delete(f"/api/tokens/{token}", headers=admin["csrf"])
    client.post(f"/api/users/{eve['user']['id']}/password-reset", headers=admin["csrf"])
    client.patch(f"/api/users/{eve['user']['id']}", json={"disabled": True}, headers=admin["csrf"])

    log = client.get("/api/audit", params={"limit": 100}, headers=admin["cookie"]).json()
    actions = [e["action"] for e in reversed(log["items"])]
    assert actions == [
        "organisation.created",
        "sign_in",
        "user.invited",
        "password.set",
        "sign_in",
        "project.created",
        "settings.changed",
        "batch.uploaded",
        "run.started",
        "batch.uploaded",
        "batch.withdrawn",
        "user.role_changed",
        "token.created",
        "token.revoked",
        "password.reset",
        "user.disabled",
    ]
    assert log["total"] == len(actions)
    by_action = {e["action"]: e for e in log["items"]}
    assert (
        by_action["batch.uploaded"]["user_name"] == "Eve"
        and by_action["batch.uploaded"]["details"]["kind"] == "activities"
    )
    assert by_action["user.role_changed"]["details"] == {"from": "editor", "to": "viewer", "via": "session"}
    assert by_action["user.role_changed"]["user_id"] == admin["answer"]["user"]["id"]
    assert all(e["at"].endswith("Z") and e["client_address"] == "testclient" for e in log["items"])
    page = client.get("/api/audit", params={"limit": 2, "offset": 1}, headers=bearer(signed["token"])).json()
    assert [e["id"] for e in page["items"]] == [e["id"] for e in log["items"][1:3]]  # newest first, paged
    _, viewer_token = client.app.state.store.create_user(signed["organisation"]["id"], "v", None, "viewer")
    error(client.get("/api/audit", headers=bearer(viewer_token)), 403, "forbidden")


def test_the_first_admins_login_and_password_are_checked_at_sign_up(client):
    body = {"name": "A", "admin_name": "Ann"}
    missing = client.post("/api/organisations", json={**body, "admin_login": "ann"}, headers=bearer(SETUP_TOKEN))
    assert error(missing, 422, "invalid_input")["problems"][0]["column"] == "admin_password"
    short = {**body, "admin_login": "ann", "admin_password": "123456789"}
    problem = error(client.post("/api/organisations", json=short, headers=bearer(SETUP_TOKEN)), 422, "invalid_input")
    assert problem["problems"][0]["column"] == "admin_password" and "123456789" not in str(problem)
    spaced = {**body, "admin_login": "ann smith", "admin_password": PASSWORD}
    error(client.post("/api/organisations", json=spaced, headers=bearer(SETUP_TOKEN)), 422, "invalid_input")
    assert client.app.state.store.count_organisations() == 0  # nothing half-made; the setup token still works
    sign_up(client, "ann")


def test_a_user_of_an_older_store_gets_a_sign_in_name_then_a_password(client):
    # users made before sign-in names existed (or for scripts) have none: an admin gives one
    org, admin, token = client.app.state.store.create_organisation("old", "Olga")
    error(client.post(f"/api/users/{admin['id']}/password-reset", headers=bearer(token)), 409, "conflict")
    named = client.patch(f"/api/users/{admin['id']}", json={"login": "Olga"}, headers=bearer(token))
    assert named.json()["login"] == "olga" and not named.json()["has_password"]
    again = client.patch(f"/api/users/{admin['id']}", json={"login": "olga2"}, headers=bearer(token))
    error(again, 409, "conflict")  # a sign-in name is given once
    code = client.post(f"/api/users/{admin['id']}/password-reset", headers=bearer(token)).json()["code"]
    assert client.post("/api/password", json={"code": code, "password": PASSWORD}).json() == {"login": "olga"}
    assert sign_in(client, "olga")["answer"]["organisation"]["id"] == org["id"]
