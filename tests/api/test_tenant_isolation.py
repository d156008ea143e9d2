"""Tenant isolation: every route of the app, called with another organisation's token on
organisation A's objects, neither reads nor changes them, nor tells that they exist (404).

The routes are enumerated from the app itself: a new route fails this test until it is listed
here with the ids it takes, so no endpoint escapes the check.
"""

from __future__ import annotations

import re

from fastapi.routing import APIRoute

# Routes open without a token (no organisation's object behind them).
PUBLIC = {("GET", "/api/health"), ("POST", "/api/organisations"), ("POST", "/api/session"), ("POST", "/api/password")}
# Routes without an object id: they may only ever show the caller's own organisation.
OWN = {
    ("GET", "/api/me"),
    ("POST", "/api/me/password"),
    ("GET", "/api/session"),
    ("DELETE", "/api/session"),
    ("GET", "/api/audit"),
    ("GET", "/api/users"),
    ("POST", "/api/users"),
    ("GET", "/api/tokens"),
    ("POST", "/api/tokens"),
    ("GET", "/api/projects"),
    ("POST", "/api/projects"),
    ("GET", "/api/factors"),
    ("GET", "/api/factors/sets"),
    # the blank template of an input kind and the workbook of problems the caller sends: no stored object
    ("GET", "/api/templates/{kind}.xlsx"),
    ("POST", "/api/problems.xlsx"),
}
# A valid body for each route that changes something, so a 404 is not a 422 in disguise.
BODIES = {
    ("PATCH", "/api/organisations/{org_id}"): {"json": {"name": "taken over"}},
    ("PATCH", "/api/users/{user_id}"): {"json": {"role": "viewer"}},
    ("PATCH", "/api/projects/{project_id}"): {"json": {"name": "taken over"}},
    ("PUT", "/api/projects/{project_id}/settings"): {
        "json": {"toml": '[organization]\nname = "x"\n[period]\nstart = 2024-01-01\nend = 2024-12-31\n'}
    },
    ("POST", "/api/projects/{project_id}/batches"): {"files": {"file": ("activities.csv", b"id\n1\n")}},
    ("POST", "/api/projects/{project_id}/runs"): {"json": {}},
    ("POST", "/api/users"): {"json": {"name": "intruder"}},
    ("POST", "/api/tokens"): {"json": {}},
    ("POST", "/api/projects"): {"json": {"name": "own"}},
    ("POST", "/api/projects/{project_id}/members"): {"json": {"user_id": "usr_0000000000000000", "role": "reviewer"}},
    ("POST", "/api/projects/{project_id}/requests"): {
        "json": {
            "site": "牧场",
            "period_start": "2024-01-01",
            "period_end": "2024-12-31",
            "assignee_id": "usr_0000000000000000",
            "due_on": "2025-01-31",
        }
    },
    ("POST", "/api/requests/{request_id}/submissions"): {"files": {"file": ("activities.csv", b"id\n1\n")}},
    ("POST", "/api/requests/{request_id}/review"): {"json": {"decision": "approve"}},
    ("POST", "/api/runs/{run_id}/verifiers"): {"json": {"user_id": "usr_0000000000000000"}},
    ("POST", "/api/runs/{run_id}/findings"): {"json": {"target": "run", "severity": "minor", "body": "x"}},
    ("POST", "/api/findings/{finding_id}/replies"): {"json": {"body": "x"}},
    ("POST", "/api/runs/{run_id}/signature"): {
        "json": {"signer_name": "x", "signer_organisation": "x", "signed_on": "2026-01-01", "statement": "x"}
    },
    ("POST", "/api/projects/{project_id}/evidence"): {
        "files": {"file": ("a.pdf", b"%PDF")},
        "data": {"target_kind": "request", "target_id": "req_1"},
    },
}


def api_routes(app) -> set[tuple[str, str]]:
    """(method, path) of every route of the app under /api/, whether or not the OpenAPI schema shows it.

    Walks the routers included in the app (FastAPI keeps them as routers, not flattened), and checks
    the walk against the OpenAPI schema, so neither can miss a route the other has.
    """
    found: set[tuple[str, str]] = set()

    def walk(routes) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                walk(inner.routes)
            elif isinstance(route, APIRoute) and route.path.startswith("/api"):
                found.update((method, route.path) for method in route.methods)

    walk(app.router.routes)
    documented = {(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item}
    assert documented <= found, f"routes the walk missed: {documented - found}"
    return found


def _assurance_ids(world) -> dict[str, str]:
    """A's run locked, with a verifier's finding and an evidence file (made once per world)."""
    made = getattr(world, "assurance_ids", None)
    if made is None:
        client, headers, run = world.client, world.a["headers"], world.run
        assert client.post(f"/api/runs/{run['id']}/lock", headers=headers).status_code == 201
        engaged = client.post(
            f"/api/runs/{run['id']}/verifiers", json={"user_id": world.a["user"]["id"]}, headers=headers
        )
        assert engaged.status_code == 201
        finding = client.post(
            f"/api/runs/{run['id']}/findings", json={"target": "run", "severity": "minor", "body": "x"}, headers=headers
        )
        evidence = client.post(
            f"/api/projects/{world.project['id']}/evidence",
            files={"file": ("invoice.pdf", b"%PDF-1.4")},
            data={"target_kind": "request", "target_id": "req_1"},
            headers=headers,
        )
        made = {"finding_id": finding.json()["id"], "evidence_id": evidence.json()["id"]}
        world.assurance_ids = made  # type: ignore[attr-defined]
    return made


def ids_of_a(world) -> dict[str, str]:
    run = world.run
    batch = next(i for i in run["inputs"] if i["kind"] == "activities")
    return {
        **_assurance_ids(world),
        "org_id": world.a["org"]["id"],
        "user_id": world.a["user"]["id"],
        "token_id": _token_id(world),
        "project_id": world.project["id"],
        "batch_id": batch["batch_id"],
        "run_id": run["id"],
        "other_id": run["id"],  # the earlier run of a comparison (GET /api/runs/{run_id}/compare/{other_id})
        "name": "summary.json",
        "framework": "cdp",  # GET /api/runs/{run_id}/disclosures/{framework}.xlsx
        "request_id": _request_id(world),
        "role": "contributor",
    }


def _request_id(world) -> str:
    """A data request of organisation A (docs/collection.md), made once: its admin, a contributor, asked for the farm."""
    if not hasattr(world, "request_id"):
        client, headers, base = world.client, world.a["headers"], f"/api/projects/{world.project['id']}"
        user_id = world.a["user"]["id"]
        assert client.post(
            f"{base}/members", json={"user_id": user_id, "role": "contributor"}, headers=headers
        ).is_success
        body = {"site": "牧场", "period_start": "2024-01-01", "period_end": "2024-12-31", "assignee_id": user_id}
        made = client.post(f"{base}/requests", json={**body, "due_on": "2025-01-31"}, headers=headers)
        assert made.status_code == 201, made.text
        world.request_id = made.json()["id"]
    return world.request_id


def _token_id(world) -> str:
    return world.client.get("/api/me", headers=world.a["headers"]).json()["token_id"]


def test_every_route_is_either_public_own_or_checked_here(world):
    routes = api_routes(world.client.app)
    with_ids = {r for r in routes if "{" in r[1]} - OWN
    assert routes == PUBLIC | OWN | with_ids, "a new route: add it to PUBLIC, OWN or give it ids"
    params = set(ids_of_a(world))
    for _, path in with_ids:
        needed = set(re.findall(r"\{(\w+)\}", path))  # "{framework}.xlsx" names "framework"
        assert needed <= params, f"{path}: no id of organisation A for {needed - params}"


def unknown(ids: dict[str, str]) -> dict[str, str]:
    """Ids shaped like A's that exist nowhere."""
    fixed = {"name": "nothing.csv", "role": ids["role"]}  # a role is one of three words: the same one
    return {k: fixed.get(k, v[:-4] + "0000") for k, v in ids.items()}


def _masked(text: str, ids: dict[str, str]) -> str:
    """A response with the ids the request named replaced (a 404 may echo the id asked for)."""
    for value in sorted(ids.values(), key=len, reverse=True):  # a short one ('0000') may be part of a long one
        text = text.replace(value, "ID")
    return text


def test_another_organisations_token_gets_404_on_every_object_of_a(world):
    client, ids = world.client, ids_of_a(world)
    before = {
        path: client.get(path, headers=world.a["headers"]).content
        for path in (
            f"/api/projects/{ids['project_id']}",
            f"/api/runs/{ids['run_id']}/summary",
            f"/api/batches/{ids['batch_id']}",
            f"/api/users/{ids['user_id']}",
            f"/api/organisations/{ids['org_id']}",
            f"/api/projects/{ids['project_id']}/settings",
            f"/api/projects/{ids['project_id']}/batches",
        )
    }
    checked = 0
    for method, template in sorted(api_routes(client.app)):
        if "{" not in template or (method, template) in OWN:
            continue
        extra = BODIES.get((method, template), {})
        path = template.format(**ids)
        # B's admin passes every role check: the answer must be 404, as for an id that exists nowhere
        response = client.request(method, path, headers=world.b["headers"], **extra)
        assert response.status_code == 404, (method, path, response.status_code, response.text)
        assert response.json()["error"]["code"] == "not_found", (method, path)
        nowhere = client.request(method, template.format(**unknown(ids)), headers=world.b["headers"], **extra)
        assert _masked(response.text, ids) == _masked(nowhere.text, unknown(ids)), (method, path)
        assert "A 乳业" not in response.text and world.a["user"]["name"] not in response.text
        # B's editor and viewer: whatever they get (404, or 403 for a role they lack) is what an unknown id gets
        for role in ("editor", "viewer"):
            headers = {"Authorization": f"Bearer {world.b[role]}"}
            theirs = client.request(method, path, headers=headers, **extra)
            nowhere = client.request(method, template.format(**unknown(ids)), headers=headers, **extra)
            assert theirs.status_code == nowhere.status_code and theirs.status_code in (403, 404), (method, path, role)
            assert theirs.json()["error"]["code"] == nowhere.json()["error"]["code"]
        checked += 1
    assert checked >= 25
    # nothing of A changed: the same bytes as before, and A's token still works
    for path, content in before.items():
        assert client.get(path, headers=world.a["headers"]).content == content
    assert client.get("/api/me", headers=world.a["headers"]).status_code == 200


def test_an_unknown_id_and_an_id_of_another_organisation_answer_alike(world):
    client, ids = world.client, ids_of_a(world)
    for kind, template in (
        ("project", "/api/projects/{}"),
        ("run", "/api/runs/{}"),
        ("batch", "/api/batches/{}"),
        ("user", "/api/users/{}"),
        ("organisation", "/api/organisations/{}"),
    ):
        real = ids[f"{'org' if kind == 'organisation' else kind}_id"]
        fake = real[:-4] + ("0000" if not real.endswith("0000") else "1111")
        theirs = client.get(template.format(real), headers=world.b["headers"])
        unknown = client.get(template.format(fake), headers=world.b["headers"])
        assert theirs.status_code == unknown.status_code == 404
        assert theirs.json()["error"].keys() == unknown.json()["error"].keys()
        assert theirs.json()["error"]["message"].replace(real, "ID") == unknown.json()["error"]["message"].replace(
            fake, "ID"
        )


def test_lists_show_only_the_callers_organisation(world):
    client, b = world.client, world.b["headers"]
    assert client.get("/api/projects", headers=b).json() == [] or all(
        p["id"] != world.project["id"] for p in client.get("/api/projects", headers=b).json()
    )
    users = client.get("/api/users", headers=b).json()
    assert world.a["user"]["id"] not in {u["id"] for u in users}
    assert client.get("/api/me", headers=b).json()["organisation"]["id"] == world.b["org"]["id"]
    tokens = client.get("/api/tokens", headers=b).json()
    assert _token_id(world) not in {t["id"] for t in tokens}
    assert client.post("/api/projects", json={"name": "B's own"}, headers=b).status_code == 201  # audited
    audit = client.get("/api/audit", params={"limit": 500}, headers=b).json()
    assert audit["items"] and all(world.a["org"]["id"] not in str(e) for e in audit["items"])
    assert world.project["id"] not in str(audit) and world.a["user"]["id"] not in str(audit)
    factors = client.get("/api/factors", params={"q": "天然气"}, headers=b)
    assert factors.status_code == 200 and world.a["org"]["id"] not in factors.text
