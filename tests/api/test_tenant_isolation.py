"""Tenant isolation: every route of the app, called with another organisation's token on
organisation A's objects, neither reads nor changes them, nor tells that they exist (404).

The routes are enumerated from the app itself: a new route fails this test until it is listed
here with the ids it takes, so no endpoint escapes the check.
"""

from __future__ import annotations

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


def ids_of_a(world) -> dict[str, str]:
    run = world.run
    batch = next(i for i in run["inputs"] if i["kind"] == "activities")
    return {
        "org_id": world.a["org"]["id"],
        "user_id": world.a["user"]["id"],
        "token_id": _token_id(world),
        "project_id": world.project["id"],
        "batch_id": batch["batch_id"],
        "run_id": run["id"],
        "other_id": run["id"],  # the earlier run of a comparison (GET /api/runs/{run_id}/compare/{other_id})
        "name": "summary.json",
    }


def _token_id(world) -> str:
    return world.client.get("/api/me", headers=world.a["headers"]).json()["token_id"]


def test_every_route_is_either_public_own_or_checked_here(world):
    routes = api_routes(world.client.app)
    with_ids = {r for r in routes if "{" in r[1]} - OWN
    assert routes == PUBLIC | OWN | with_ids, "a new route: add it to PUBLIC, OWN or give it ids"
    params = set(ids_of_a(world))
    for _, path in with_ids:
        needed = {part[1:-1] for part in path.split("/") if part.startswith("{")}
        assert needed <= params, f"{path}: no id of organisation A for {needed - params}"


def unknown(ids: dict[str, str]) -> dict[str, str]:
    """Ids shaped like A's that exist nowhere."""
    return {k: (v[:-4] + "0000" if k != "name" else "nothing.csv") for k, v in ids.items()}


def _masked(text: str, ids: dict[str, str]) -> str:
    """A response with the ids the request named replaced (a 404 may echo the id asked for)."""
    for value in ids.values():
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
