"""Every endpoint's answer and error shape, roles, tokens, CORS and the docs page (DuckDB and PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from apiworld import EXAMPLES, SETUP_TOKEN, api, bearer

from dualcarbon import __version__
from dualcarbon.factors import search as factor_search
from dualcarbon.store.migrate import migrations


def error(response, status: int, code: str) -> dict:
    """The one error shape: {"error": {"code", "message", "problems"?}}."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


def test_health_needs_no_token_and_tells_the_store(world):
    health = world.client.get("/api/health").json()
    assert health == {
        "status": "ok",
        "version": __version__,
        "store": world.backend,
        "schema_version": migrations()[-1].version,
        "signup": "closed",
        "pdf": health["pdf"],  # whether this machine can print report.pdf (tests/api/test_run_pdf.py)
    }
    assert isinstance(health["pdf"], bool)


def test_a_request_without_a_valid_token_is_refused(world):
    client = world.client
    for headers in ({}, bearer("dct_nonsense"), {"Authorization": world.a["token"]}, bearer(SETUP_TOKEN)):
        response = client.get("/api/projects", headers=headers)
        error(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_me_organisation_and_users(world):
    client, extra = world.client, world.org("renamed later", role_tokens=True)
    me = client.get("/api/me", headers=extra["headers"]).json()
    assert me["organisation"]["id"] == extra["org"]["id"] and me["user"]["role"] == "admin"
    org_path = f"/api/organisations/{extra['org']['id']}"
    assert client.get(org_path, headers=bearer(extra["viewer"])).json()["name"] == "renamed later"
    error(client.patch(org_path, json={"name": "x"}, headers=bearer(extra["editor"])), 403, "forbidden")
    assert client.patch(org_path, json={"name": "某建材集团"}, headers=extra["headers"]).json()["name"] == "某建材集团"

    made = client.post(
        "/api/users", json={"name": "李明", "email": "li@example.com", "role": "editor"}, headers=extra["headers"]
    )
    assert made.status_code == 201 and made.json()["user"]["role"] == "editor"
    user_id, token = made.json()["user"]["id"], made.json()["token"]
    assert client.get("/api/me", headers=bearer(token)).json()["user"]["name"] == "李明"
    assert user_id in {u["id"] for u in client.get("/api/users", headers=bearer(extra["viewer"])).json()}
    assert client.get(f"/api/users/{user_id}", headers=bearer(token)).json()["email"] == "li@example.com"
    error(client.post("/api/users", json={"name": "x"}, headers=bearer(token)), 403, "forbidden")
    error(
        client.post("/api/users", json={"name": "x", "role": "owner"}, headers=extra["headers"]), 422, "invalid_input"
    )

    assert (
        client.patch(f"/api/users/{user_id}", json={"role": "viewer"}, headers=extra["headers"]).json()["role"]
        == "viewer"
    )
    error(client.post("/api/projects", json={"name": "p"}, headers=bearer(token)), 403, "forbidden")
    client.patch(f"/api/users/{user_id}", json={"disabled": True}, headers=extra["headers"])
    error(client.get("/api/me", headers=bearer(token)), 401, "unauthorized")
    admin_id = extra["user"]["id"]
    error(client.patch(f"/api/users/{admin_id}", json={"role": "viewer"}, headers=extra["headers"]), 409, "conflict")


def test_tokens_are_shown_once_listed_without_secrets_and_revoked_at_once(world):
    client, extra = world.client, world.org("tokens", role_tokens=True)
    viewer = bearer(extra["viewer"])
    # a viewer's token may not mint tokens (test_accounts.py); its user gets a second one from the store
    viewer_id = client.get("/api/me", headers=viewer).json()["user"]["id"]
    row, second = client.app.state.store.create_token(extra["org"]["id"], viewer_id, "laptop")
    info = {"id": row["id"]}
    made = client.post("/api/tokens", json={"name": "script"}, headers=extra["headers"])  # an admin's token may
    assert made.status_code == 201 and made.json()["info"]["user_id"] == extra["user"]["id"]
    assert client.get("/api/me", headers=bearer(second)).status_code == 200
    listed = client.get("/api/tokens", headers=viewer)
    assert info["id"] in {t["id"] for t in listed.json()} and second.split("_", 2)[2] not in listed.text
    everyone = client.get("/api/tokens", headers=extra["headers"]).json()  # an admin sees every token
    assert len(everyone) > len(listed.json())
    admins = [t for t in everyone if t["user_id"] == extra["user"]["id"]]
    error(client.delete(f"/api/tokens/{admins[0]['id']}", headers=viewer), 404, "not_found")  # not the viewer's

    revoked = client.delete(f"/api/tokens/{info['id']}", headers=viewer)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    error(client.get("/api/me", headers=bearer(second)), 401, "unauthorized")
    assert client.get("/api/me", headers=viewer).status_code == 200  # other tokens unaffected
    me = client.get("/api/me", headers=extra["headers"]).json()  # an admin revokes their own token in use
    client.delete(f"/api/tokens/{me['token_id']}", headers=extra["headers"])
    error(client.get("/api/me", headers=extra["headers"]), 401, "unauthorized")


def test_projects_and_settings(world):
    client, extra = world.client, world.org("projects", role_tokens=True)
    made = client.post("/api/projects", json={"name": "水泥"}, headers=bearer(extra["editor"]))
    assert made.status_code == 201
    path = f"/api/projects/{made.json()['id']}"
    assert client.get("/api/projects", headers=bearer(extra["viewer"])).json() == [made.json()]
    assert client.patch(path, json={"name": "水泥 2024"}, headers=bearer(extra["editor"])).json()["name"] == "水泥 2024"
    error(client.get(f"{path}/settings", headers=extra["headers"]), 404, "not_found")

    toml = (EXAMPLES / "cement-plant" / "dualcarbon.toml").read_text("utf-8")
    put = client.put(f"{path}/settings", json={"toml": toml}, headers=bearer(extra["editor"]))
    assert put.status_code == 200 and put.json()["toml"] == toml
    assert put.json()["settings"]["method"]["gwp"] == "AR5" and put.json()["batch"]["kind"] == "settings"
    as_json = dict(put.json()["settings"], report={"lang": "en"})
    again = client.put(f"{path}/settings", json={"settings": as_json}, headers=extra["headers"])
    assert again.status_code == 200, again.text
    assert again.json()["settings"] == as_json and "start = 2024-01-01" in again.json()["toml"]
    assert client.get(f"{path}/settings", headers=bearer(extra["viewer"])).json() == again.json()

    bad = error(
        client.put(
            f"{path}/settings", json={"toml": toml.replace('gwp = "AR5"', 'gwp = "AR3"')}, headers=extra["headers"]
        ),
        422,
        "invalid_input",
    )
    assert bad["problems"][0]["file"] == "dualcarbon.toml" and bad["problems"][0]["column"] == "method.gwp"
    error(client.put(f"{path}/settings", json={}, headers=extra["headers"]), 422, "invalid_input")
    error(client.put(f"{path}/settings", json={"toml": toml}, headers=bearer(extra["viewer"])), 403, "forbidden")
    kinds = [b["kind"] for b in client.get(f"{path}/batches", headers=extra["headers"]).json()]
    assert kinds == ["settings", "settings"]  # refused settings are not kept


def test_batches_are_kept_byte_for_byte_and_withdrawn_from_later_runs(world):
    client, headers = world.client, world.a["headers"]
    path = f"/api/projects/{world.project['id']}"
    batches = client.get(f"{path}/batches", headers=headers).json()
    assert [b["kind"] for b in batches] == ["settings", "activities", "credits"]
    assert batches[1]["rows"] == 81 and batches[2]["rows"] == 2  # the dairy example's activities.csv and credits.csv
    for batch in batches:
        assert client.get(f"/api/batches/{batch['id']}", headers=headers).json() == batch
        content = client.get(f"/api/batches/{batch['id']}/content", headers=headers)
        assert hashlib.sha256(content.content).hexdigest() == batch["sha256"]
        assert batch["filename"] in content.headers["content-disposition"]
    assert [b["kind"] for b in client.get(f"{path}/batches", params={"kind": "credits"}, headers=headers).json()] == [
        "credits"
    ]

    extra = client.post(
        f"{path}/batches",
        data={"kind": "credits"},
        headers=headers,
        files={"file": ("credits-2.csv", (EXAMPLES / "dairy" / "credits.csv").read_bytes())},
    )
    assert extra.status_code == 201
    withdrawn = client.delete(f"/api/batches/{extra.json()['id']}", headers=headers).json()
    assert withdrawn["withdrawn_at"] and withdrawn["withdrawn_by"] == world.a["user"]["id"]
    queued = client.post(f"{path}/runs", json={"lang": "en"}, headers=headers).json()
    run = world.wait(queued["id"], headers)
    assert extra.json()["id"] not in {i["batch_id"] for i in run["inputs"]}
    assert run["totals"] == world.run["totals"]


def test_a_batch_that_runs_have_read_can_be_withdrawn_and_the_next_run_leaves_it_out(world):
    # On DuckDB this answered 500 (a foreign-key error) once any run had read the batch.
    client, headers, store = world.client, world.a["headers"], world.client.app.state.store
    org_id, user_id = world.a["org"]["id"], world.a["user"]["id"]
    project = client.post("/api/projects", json={"name": "withdraw", "example": "dairy"}, headers=headers).json()
    path = f"/api/projects/{project['id']}"
    dairy = (EXAMPLES / "dairy" / "activities.csv").read_bytes()

    def upload(name: str) -> dict:
        sent = client.post(
            f"{path}/batches", data={"kind": "activities"}, headers=headers, files={"file": (name, dairy)}
        )
        assert sent.status_code == 201, sent.text
        return sent.json()

    def run() -> dict:
        return world.wait(client.post(f"{path}/runs", json={"lang": "en"}, headers=headers).json()["id"], headers)

    succeeded = run()
    assert succeeded["status"] == "succeeded"
    wrong = upload("activities-again.csv")  # the same rows twice: the run fails on duplicate ids
    failed = run()
    assert failed["status"] == "failed" and wrong["id"] in {i["batch_id"] for i in failed["inputs"]}
    # a run under way on the same inputs (claimed in the store, so the runner leaves it running)
    inputs = [(b, b["path"]) for b in store.run_inputs(org_id, failed["id"])]
    running = store.create_run(org_id, project["id"], "inventory", {}, inputs, user_id, 5)
    assert store.claim_run(running["id"])

    answer = client.delete(f"/api/batches/{wrong['id']}", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["withdrawn_at"] and answer.json()["withdrawn_by"] == user_id
    assert client.delete(f"/api/batches/{wrong['id']}", headers=headers).json() == answer.json()  # once only
    again = run()
    assert again["status"] == "succeeded" and wrong["id"] not in {i["batch_id"] for i in again["inputs"]}
    assert again["totals"] == succeeded["totals"]

    original = next(i["batch_id"] for i in succeeded["inputs"] if i["kind"] == "activities")  # read by every run
    assert client.delete(f"/api/batches/{original}", headers=headers).status_code == 200
    assert client.post(f"{path}/runs", json={}, headers=headers).status_code == 409  # no activities left
    fresh = upload("activities.csv")
    last = run()
    assert [i["batch_id"] for i in last["inputs"] if i["kind"] == "activities"] == [fresh["id"]]
    assert last["totals"] == succeeded["totals"]
    for run_id, status in ((succeeded["id"], "succeeded"), (failed["id"], "failed"), (running["id"], "running")):
        assert client.get(f"/api/runs/{run_id}", headers=headers).json()["status"] == status
    store.finish_run(running["id"], None, None, {"code": "internal", "message": "the test is over"})


def test_runs_results_and_reports(world):
    client, headers, run = world.client, world.a["headers"], world.run
    base = f"/api/runs/{run['id']}"
    assert run["options"] == {"lang": "en"} and run["inputs_sha256"] and run["dualcarbon_version"] == __version__
    listed = client.get(f"/api/projects/{world.project['id']}/runs", params={"limit": 1}, headers=headers).json()
    assert listed["limit"] == 1 and len(listed["items"]) == 1 and listed["total"] >= 1

    summary = client.get(f"{base}/summary", headers=headers).json()
    assert summary["schema"] == "dualcarbon.summary/1" and summary["totals"] == run["totals"]

    page = client.get(f"{base}/emissions", params={"limit": 10, "offset": 5}, headers=headers).json()
    everything = client.get(f"{base}/emissions", params={"limit": 1000}, headers=headers).json()
    assert page["items"] == everything["items"][5:15] and page["total"] == everything["total"] > 100
    scope1 = client.get(f"{base}/emissions", params={"scope": "1", "gas": "CO2", "limit": 1000}, headers=headers).json()
    assert scope1["items"] and {(r["scope"], r["gas"]) for r in scope1["items"]} == {("1", "CO2")}
    assert isinstance(scope1["items"][0]["co2e_t"], float)
    market = client.get(f"{base}/emissions", params={"scope2_method": "market", "limit": 1000}, headers=headers).json()
    assert sum(r["co2e_t"] for r in market["items"]) == pytest.approx(summary["totals"]["scope2_market"], rel=1e-9)
    assert client.get(f"{base}/emissions", params={"facility": "nowhere"}, headers=headers).json()["total"] == 0
    error(client.get(f"{base}/emissions", params={"limit": 5000}, headers=headers), 422, "invalid_input")

    inventory = client.get(f"{base}/inventory", headers=headers).json()["items"]
    location = [r for r in inventory if r.get("scope2_method") != "market"]
    assert sum(r["co2e_t"] for r in location) == pytest.approx(summary["totals"]["total_location"], rel=1e-9)

    error(client.get(f"{base}/neutrality", headers=headers), 404, "not_produced")  # dairy assesses no claim
    error(client.get(f"{base}/pathway", headers=headers), 404, "not_produced")

    report = client.get(f"{base}/report", headers=headers)
    assert (
        report.headers["content-type"].startswith("text/html")
        and "sandbox" in report.headers["content-security-policy"]
    )
    assert report.content == client.get(f"{base}/files/report.html", headers=headers).content
    assert (
        "attachment"
        in client.get(f"{base}/report", params={"download": True}, headers=headers).headers["content-disposition"]
    )
    files = client.get(f"{base}/files", headers=headers).json()
    assert files == run["outputs"]
    for f in files:
        assert (
            hashlib.sha256(client.get(f"{base}/files/{f['name']}", headers=headers).content).hexdigest() == f["sha256"]
        )
    error(client.get(f"{base}/files/nothing.csv", headers=headers), 404, "not_produced")


def test_a_run_that_fails_tells_why_with_the_uploaded_file_row_and_column(world):
    client, extra = world.client, world.org("failing")
    project = client.post("/api/projects", json={"name": "p", "example": "dairy"}, headers=extra["headers"]).json()
    path = f"/api/projects/{project['id']}"
    settings = client.get(f"{path}/settings", headers=extra["headers"]).json()["toml"]
    client.put(
        f"{path}/settings",
        json={"toml": settings.replace("start = 2024-01-01", "start = 2024-06-01")},
        headers=extra["headers"],
    )
    activities = next(
        b for b in client.get(f"{path}/batches", headers=extra["headers"]).json() if b["kind"] == "activities"
    )
    run = world.wait(client.post(f"{path}/runs", headers=extra["headers"]).json()["id"], extra["headers"])
    assert run["status"] == "failed" and run["totals"] is None and run["outputs"] == []
    assert run["error"]["code"] == "invalid_input"
    first = run["error"]["problems"][0]
    assert (first["file"], first["batch"], first["row"], first["column"]) == (
        "activities.csv",
        activities["id"],
        2,
        "date",
    )
    assert first["message"].startswith("activities.csv, row 2, column date: ")
    error(client.get(f"/api/runs/{run['id']}/summary", headers=extra["headers"]), 409, "run_not_succeeded")


def test_a_run_needs_settings_and_activities(world):
    client, extra = world.client, world.org("empty")
    project = client.post("/api/projects", json={"name": "p"}, headers=extra["headers"]).json()
    error(client.post(f"/api/projects/{project['id']}/runs", headers=extra["headers"]), 409, "inputs_missing")


def test_a_run_writes_the_emission_rows_in_the_format_asked(world):
    """``emissions`` as `dualcarbon run --emissions`: parquet is read back by the paged endpoint with the same
    rows as the CSV of the same inputs; none writes no row file; absent stays out of the options (auto)."""
    client, extra = world.client, world.org("formats")
    project = client.post("/api/projects", json={"name": "p", "example": "dairy"}, headers=extra["headers"]).json()
    path = f"/api/projects/{project['id']}/runs"
    error(client.post(path, json={"emissions": "json"}, headers=extra["headers"]), 422, "invalid_input")
    asked = {
        "auto": {},
        "parquet": {"emissions": "parquet"},
        "xlsx": {"emissions": "xlsx"},
        "none": {"emissions": "none"},
    }
    runs = {
        fmt: world.wait(client.post(path, json=body, headers=extra["headers"]).json()["id"], extra["headers"])
        for fmt, body in asked.items()
    }
    assert {fmt: run["status"] for fmt, run in runs.items()} == dict.fromkeys(runs, "succeeded")
    assert runs["auto"]["options"] == {"lang": None}
    assert runs["parquet"]["options"] == {"lang": None, "emissions": "parquet"}
    names = {fmt: {o["name"] for o in run["outputs"]} for fmt, run in runs.items()}
    assert "emissions.csv" in names["auto"] and "emissions.parquet" not in names["auto"]
    assert names["parquet"] == names["auto"] - {"emissions.csv"} | {"emissions.parquet"}
    assert names["none"] == names["auto"] - {"emissions.csv"}
    assert names["xlsx"] == names["auto"] - {"emissions.csv"} | {"emissions.xlsx"}
    workbook = client.get(f"/api/runs/{runs['xlsx']['id']}/files/emissions.xlsx", headers=extra["headers"])
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    assert workbook.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    parquet = client.get(f"/api/runs/{runs['parquet']['id']}/files/emissions.parquet", headers=extra["headers"])
    assert parquet.status_code == 200 and parquet.content[:4] == b"PAR1"
    assert parquet.headers["content-type"] == "application/octet-stream"
    rows = {
        fmt: client.get(f"/api/runs/{runs[fmt]['id']}/emissions", params={"limit": 1000}, headers=extra["headers"])
        for fmt in ("auto", "parquet", "xlsx")
    }
    assert rows["parquet"].json() == rows["auto"].json() and rows["auto"].json()["total"] > 100
    # the workbook's rows: the same, its numbers to the 16 significant digits openpyxl writes
    workbook_page, csv_page = rows["xlsx"].json(), rows["auto"].json()
    assert workbook_page["total"] == csv_page["total"] and len(workbook_page["items"]) == len(csv_page["items"])
    for got, expected in zip(workbook_page["items"], csv_page["items"], strict=True):
        assert got == {k: pytest.approx(v, rel=1e-15) if isinstance(v, float) else v for k, v in expected.items()}
    assert runs["parquet"]["totals"] == runs["auto"]["totals"] == runs["none"]["totals"]
    again = world.wait(
        client.post(f"/api/runs/{runs['parquet']['id']}/reproduce", headers=extra["headers"]).json()["id"],
        extra["headers"],
    )
    assert {o["name"]: o["sha256"] for o in again["outputs"]} == {
        o["name"]: o["sha256"] for o in runs["parquet"]["outputs"]
    }


def test_factor_search_and_sets_match_the_cli(world, library):
    client, headers = world.client, bearer(world.b["viewer"])
    found = client.get("/api/factors", params={"q": "天然气", "limit": 20}, headers=headers).json()["items"]
    assert [r["factor_id"] for r in found] == library.search("天然气", 20)["factor_id"].to_list()
    assert found and "fuel/natural_gas" in {r["key"] for r in found}
    # issue 15: each factor says how far it was checked, beside (not inside) its citation
    assert all(r["check"] and r["check"] not in r["citation"] for r in found)
    # ranked for the page's language (zh: China first) and paged, as `dualcarbon factors search --lang zh`
    page = client.get("/api/factors", params={"q": "天然气", "lang": "zh", "limit": 5, "offset": 5}, headers=headers)
    expected = factor_search.search(library, factor_search.Filters("天然气"), factor_search.Fit.of(None, "zh"), 5, 5)
    assert page.json()["total"] == expected.total and page.json()["offset"] == 5
    assert [r["factor_id"] for r in page.json()["items"]] == expected.rows["factor_id"].to_list()
    assert all(r["name_zh"] and r["name_en"] for r in page.json()["items"])
    # filters without text; a project's country and region rank its grid first (the world's project is in CN)
    grid = client.get(
        "/api/factors",
        params={"set": "cn_mee_grid", "gas": "CO2", "year": 2022, "project": world.project["id"], "limit": 500},
        headers=world.a["headers"],
    ).json()
    assert grid["total"] == len(grid["items"]) > 0 and {r["year"] for r in grid["items"]} == {2022}
    assert grid["items"][0]["region"] == "CN-NECG"  # the dairy is in Heilongjiang, on the Northeast grid
    error(client.get("/api/factors", params={"set": "nope"}, headers=headers), 422, "invalid_input")
    error(client.get("/api/factors", params={"q": "x", "project": "nope"}, headers=headers), 404, "not_found")
    sets = client.get("/api/factors/sets", headers=headers).json()
    assert {s["factor_set"]: s["sha256"] for s in sets} == {k: s.sha256 for k, s in library.sets.items()}
    error(client.get("/api/factors", headers=headers), 422, "invalid_input")


def test_unknown_routes_and_methods_answer_in_the_error_shape(world):
    error(world.client.get("/api/nothing", headers=world.a["headers"]), 404, "not_found")
    error(world.client.delete("/api/projects", headers=world.a["headers"]), 405, "method_not_allowed")
    bad = error(
        world.client.post(
            "/api/projects", content=b"{not json", headers={**world.a["headers"], "Content-Type": "application/json"}
        ),
        422,
        "invalid_input",
    )
    assert bad["problems"]


def test_the_docs_page_and_openapi_load_nothing_from_the_network(world):
    client = world.client
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "dualcarbon API" and "/api/runs/{run_id}/emissions" in spec["paths"]
    page = client.get("/docs").text
    assert not re.search(r"(src|href)=[\"']?https?:", page) and "cdn" not in page.lower()
    for asset in re.findall(r"(?:src|href)=\"(/docs/assets/[^\"]+)\"", page):
        assert client.get(asset).status_code == 200
    assert len(re.findall(r"/docs/assets/", page)) == 3


def test_cors_is_closed_unless_origins_are_given(world, tmp_path):
    preflight = {
        "Origin": "https://dashboard.example",
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }
    closed = world.client.options("/api/projects", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers
    assert (
        "access-control-allow-origin"
        not in world.client.get("/api/health", headers={"Origin": preflight["Origin"]}).headers
    )
    with api("duckdb", tmp_path, cors_origins=["https://dashboard.example"]) as client:
        opened = client.options("/api/projects", headers=preflight)
        assert opened.headers["access-control-allow-origin"] == "https://dashboard.example"
        other = client.options("/api/projects", headers={**preflight, "Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers


def test_sign_up_takes_the_setup_token_once_or_is_open_when_configured(tmp_path):
    body = {"name": "org", "admin_name": "me"}
    with api("duckdb", tmp_path / "a") as client:
        error(client.post("/api/organisations", json=body), 401, "unauthorized")
        error(client.post("/api/organisations", json=body, headers=bearer("dcs_wrong")), 401, "unauthorized")
        assert client.post("/api/organisations", json=body, headers=bearer(SETUP_TOKEN)).status_code == 201
        error(client.post("/api/organisations", json=body, headers=bearer(SETUP_TOKEN)), 403, "signup_closed")
        assert client.get("/api/health").json()["signup"] == "closed"
    with api("duckdb", tmp_path / "b", setup_token=None, open_signup=True) as client:
        assert client.get("/api/health").json()["signup"] == "open"
        first = client.post("/api/organisations", json=body).json()
        second = client.post("/api/organisations", json=body).json()
        assert first["organisation"]["id"] != second["organisation"]["id"]
        assert json.dumps(first).count(first["token"]) == 1


def test_neutrality_and_pathway_return_what_a_run_wrote(world):
    """The neutrality and pathway jobs write summary.json's `neutrality`, neutrality.csv, pathway.json
    and its CSV files; the endpoints return them as written (here, outputs stored for a run)."""
    store, extra = world.client.app.state.store, world.org("claims")
    org_id, user_id = extra["org"]["id"], extra["user"]["id"]
    project = store.create_project(org_id, "p", user_id)
    batch = store.add_batch(org_id, project["id"], "settings", "dualcarbon.toml", b"[organization]\n", None, user_id)
    run = store.create_run(org_id, project["id"], "inventory", {}, [(batch, "dualcarbon.toml")], user_id, 5)
    assessment = {"standard": "ISO14068-1", "status": "achieved", "balance": {"net": 0.0}, "checks": []}
    outputs = {
        "summary.json": json.dumps({"totals": {}, "neutrality": assessment}).encode(),
        "neutrality.csv": b"check,status\n9.1,passed\n",
        "pathway.json": b'{"status": "optimal", "years": [2024, 2030]}',
        "pathway.csv": b"year,net_t\n2024,100.5\n2030,50.0\n",
    }
    assert store.claim_run(run["id"])
    store.finish_run(run["id"], outputs, [], None)
    client = world.client
    neutrality = client.get(f"/api/runs/{run['id']}/neutrality", headers=extra["headers"]).json()
    assert neutrality == {"assessment": assessment, "tables": {"neutrality": [{"check": 9.1, "status": "passed"}]}}
    pathway = client.get(f"/api/runs/{run['id']}/pathway", headers=extra["headers"]).json()
    assert pathway["pathway"] == {"status": "optimal", "years": [2024, 2030]}
    assert pathway["tables"] == {"pathway": [{"year": 2024, "net_t": 100.5}, {"year": 2030, "net_t": 50.0}]}
