"""Data collection through the API on DuckDB and PostgreSQL (docs/collection.md): workflow members, data
requests for the dairy example's three sites, submissions checked as uploads are, returns with row
comments, resubmission, approval, the missing view, and a run for disclosure made of the approved sites'
batches only, whose emissions equal those of the example's own activities.csv.

The tests are the steps of one collection, in order, on one store per backend (a file goes to one
xdist worker whole: pyproject.toml's --dist loadfile)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import stores
from apiworld import EXAMPLES, SETUP_TOKEN, api, bearer

ACTIVITIES = (EXAMPLES / "dairy" / "activities.csv").read_text("utf-8")
SITES = ("乳品加工厂", "牧场", "物流")
TODAY = dt.datetime.now(dt.UTC).date()


def site_file(site: str) -> bytes:
    """The rows of the dairy example's activities.csv of one facility, with its header."""
    header, *rows = ACTIVITIES.splitlines()
    return "\n".join([header, *(r for r in rows if r.split(",")[1] == site)]).encode() + b"\n"


def wait(client, run_id: str, headers: dict) -> dict:
    """The run once finished (a few long polls: a loaded machine may take more than one)."""
    for _ in range(10):
        run = client.get(f"/api/runs/{run_id}", params={"wait": 60}, headers=headers).json()
        if run["status"] in ("succeeded", "failed"):
            break
    return run


@dataclass
class Team:
    client: object
    admin: dict
    coordinator: dict
    contributors: list[dict]
    reviewer: dict
    bystander: dict  # an org viewer without a project role
    project: dict
    example_run: dict  # a run of the example's own files, before any request


@pytest.fixture(scope="module", params=stores.BACKENDS)
def team(request, tmp_path_factory) -> Iterator[Team]:
    with api(request.param, tmp_path_factory.mktemp("store")) as client:
        signed = client.post(
            "/api/organisations", json={"name": "乳业", "admin_name": "Ann"}, headers=bearer(SETUP_TOKEN)
        )
        admin = {"id": signed.json()["user"]["id"], "headers": bearer(signed.json()["token"])}
        store, org_id = client.app.state.store, signed.json()["organisation"]["id"]

        def person(name: str) -> dict:
            user, token = store.create_user(org_id, name, None, "viewer")
            return {"id": user["id"], "headers": bearer(token)}

        project = client.post(
            "/api/projects", json={"name": "dairy", "example": "dairy"}, headers=admin["headers"]
        ).json()
        started = client.post(f"/api/projects/{project['id']}/runs", json={"lang": "en"}, headers=admin["headers"])
        example_run = wait(client, started.json()["id"], admin["headers"])
        assert example_run["status"] == "succeeded", example_run
        yield Team(
            client,
            admin,
            person("Cora"),
            [person(f"site {i}") for i in range(3)],
            person("Rex"),
            person("Vic"),
            project,
            example_run,
        )


def test_members_are_added_listed_and_removed_by_a_coordinator_only(team):
    c, base = team.client, f"/api/projects/{team.project['id']}/members"
    refused = c.post(
        base, json={"user_id": team.bystander["id"], "role": "reviewer"}, headers=team.bystander["headers"]
    )
    assert refused.status_code == 403
    assert "'coordinator'" in refused.json()["error"]["message"] and "none" in refused.json()["error"]["message"]
    # the org admin acts as a coordinator and names the project's coordinator
    made = c.post(base, json={"user_id": team.coordinator["id"], "role": "coordinator"}, headers=team.admin["headers"])
    assert made.status_code == 201 and made.json()["role"] == "coordinator"
    for person, role in [*((p, "contributor") for p in team.contributors), (team.reviewer, "reviewer")]:
        added = c.post(base, json={"user_id": person["id"], "role": role}, headers=team.coordinator["headers"])
        assert added.status_code == 201, added.text
    extra = c.post(
        base, json={"user_id": team.bystander["id"], "role": "reviewer"}, headers=team.coordinator["headers"]
    )
    assert extra.status_code == 201
    listed = c.get(base, headers=team.bystander["headers"]).json()
    assert sorted(m["role"] for m in listed) == ["contributor"] * 3 + ["coordinator", "reviewer", "reviewer"]
    gone = c.delete(f"{base}/{team.bystander['id']}/reviewer", headers=team.coordinator["headers"])
    assert gone.status_code == 204
    assert c.delete(f"{base}/{team.bystander['id']}/reviewer", headers=team.coordinator["headers"]).status_code == 404
    unknown = c.post(base, json={"user_id": "usr_nobody", "role": "reviewer"}, headers=team.coordinator["headers"])
    assert unknown.status_code == 404
    assert (
        c.post(base, json={"user_id": team.bystander["id"], "role": "boss"}, headers=team.admin["headers"]).status_code
        == 422
    )


def _ask(team, site: str, who: dict, due: dt.date) -> dict:
    body = {
        "site": site,
        "kind": "activities",
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "assignee_id": who["id"],
        "due_on": due.isoformat(),
        "note": f"{site} 2024",
    }
    made = team.client.post(
        f"/api/projects/{team.project['id']}/requests", json=body, headers=team.coordinator["headers"]
    )
    assert made.status_code == 201, made.text
    return made.json()


def test_requests_are_made_by_a_coordinator_for_contributors(team):
    c, base = team.client, f"/api/projects/{team.project['id']}/requests"
    body = {
        "site": "牧场",
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "assignee_id": team.reviewer["id"],
        "due_on": "2025-01-31",
    }
    not_contributor = c.post(base, json=body, headers=team.coordinator["headers"])
    assert not_contributor.status_code == 422
    assert not_contributor.json()["error"]["problems"][0]["column"] == "assignee_id"
    backwards = c.post(
        base,
        json={**body, "assignee_id": team.contributors[0]["id"], "period_end": "2023-12-31"},
        headers=team.coordinator["headers"],
    )
    assert backwards.status_code == 422 and backwards.json()["error"]["problems"][0]["column"] == "period_end"
    by_contributor = c.post(
        base, json={**body, "assignee_id": team.contributors[0]["id"]}, headers=team.contributors[0]["headers"]
    )
    assert by_contributor.status_code == 403
    for site, who, days in zip(SITES, team.contributors, (-3, 3, 30), strict=True):
        made = _ask(team, site, who, TODAY + dt.timedelta(days=days))
        assert made["status"] == "requested" and made["overdue"] is (days < 0)
    # a contributor sees their own requests only; a viewer without a project role none
    own = c.get(base, headers=team.contributors[1]["headers"]).json()
    assert [r["site"] for r in own] == ["牧场"]
    assert len(c.get(base, headers=team.reviewer["headers"]).json()) == 3
    refused = c.get(base, headers=team.bystander["headers"])
    assert refused.status_code == 403 and "contributor" in refused.json()["error"]["message"]
    other = c.get(f"/api/requests/{own[0]['id']}", headers=team.contributors[0]["headers"])
    assert other.status_code == 404
    template = c.get(f"/api/requests/{own[0]['id']}/template.xlsx", headers=team.contributors[1]["headers"])
    assert template.status_code == 200 and template.content[:2] == b"PK"


def _request_of(team, site: str) -> dict:
    rows = team.client.get(f"/api/projects/{team.project['id']}/requests", headers=team.coordinator["headers"]).json()
    return next(r for r in rows if r["site"] == site)


def _submit(team, who: dict, request: dict, data: bytes, name: str = "site.csv"):
    return team.client.post(
        f"/api/requests/{request['id']}/submissions", files={"file": (name, data, "text/csv")}, headers=who["headers"]
    )


def test_the_missing_view_lists_overdue_requests_first_with_the_reminders(team):
    missing = team.client.get(
        f"/api/projects/{team.project['id']}/requests/missing",
        params={"start": "2024-01-01", "end": "2024-12-31"},
        headers=team.coordinator["headers"],
    ).json()
    assert [r["site"] for r in missing["requests"]] == list(SITES)
    assert (missing["overdue"], missing["due_soon"], missing["to_review"]) == (1, 1, 0)
    mine = team.client.get(
        f"/api/projects/{team.project['id']}/requests/missing", headers=team.contributors[2]["headers"]
    ).json()
    assert [r["site"] for r in mine["requests"]] == ["物流"] and (mine["overdue"], mine["due_soon"]) == (0, 0)
    half = team.client.get(
        f"/api/projects/{team.project['id']}/requests/missing",
        params={"start": "2024-01-01"},
        headers=team.coordinator["headers"],
    )
    assert half.status_code == 422 and half.json()["error"]["problems"][0]["column"] == "end"


def test_a_disclosure_run_is_refused_while_a_request_is_not_approved(team):
    refused = team.client.post(
        f"/api/projects/{team.project['id']}/runs", json={"disclosure": True}, headers=team.admin["headers"]
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "requests_not_approved"
    message = refused.json()["error"]["message"]
    assert "3 not approved" in message and all(site in message for site in SITES)


def test_a_submission_is_checked_like_an_upload_and_must_be_of_its_site(team):
    farm, plant = _request_of(team, "牧场"), _request_of(team, "乳品加工厂")
    stranger = _submit(team, team.contributors[0], farm, site_file("牧场"))
    assert stranger.status_code == 404  # not their request: not even shown
    mixed = site_file("牧场") + site_file("物流").split(b"\n", 1)[1]
    wrong = _submit(team, team.contributors[1], farm, mixed)
    assert wrong.status_code == 422, wrong.text
    problems = wrong.json()["error"]["problems"]
    assert {(p["file"], p["column"], p["value"]) for p in problems} == {("site.csv", "facility", "物流")}
    assert [p["row"] for p in problems] == list(range(37, 49))  # 35 rows of the farm after the header, then 12
    header, first, *rest = site_file("乳品加工厂").decode().splitlines()
    bad_unit = "\n".join([header, first.replace("万立方米", "万立方"), *rest]).encode()
    invalid = _submit(team, team.contributors[0], plant, bad_unit)
    assert invalid.status_code == 422
    assert [(p["row"], p["column"]) for p in invalid.json()["error"]["problems"]] == [(2, "unit")]
    assert _request_of(team, "乳品加工厂")["status"] == "requested"


def test_submit_return_with_row_comments_resubmit_and_approve(team):
    c = team.client
    for site, who in zip(SITES, team.contributors, strict=True):
        sent = _submit(team, who, _request_of(team, site), site_file(site), f"{site}.csv")
        assert sent.status_code == 201, sent.text
        assert sent.json()["status"] == "submitted"
    plant = _request_of(team, "乳品加工厂")
    first_batch = plant["batch_id"]
    again = _submit(team, team.contributors[0], plant, site_file("乳品加工厂"))
    assert again.status_code == 409
    review = f"/api/requests/{plant['id']}/review"
    assert c.post(review, json={"decision": "approve"}, headers=team.contributors[0]["headers"]).status_code == 403
    by_coordinator = c.post(review, json={"decision": "approve"}, headers=team.coordinator["headers"])
    assert by_coordinator.status_code == 403 and "'reviewer'" in by_coordinator.json()["error"]["message"]
    assert c.post(review, json={"decision": "return"}, headers=team.reviewer["headers"]).status_code == 422
    past_end = c.post(
        review, json={"decision": "return", "rows": [{"row": 36, "text": "?"}]}, headers=team.reviewer["headers"]
    )
    assert past_end.status_code == 422 and "2 to 35" in past_end.json()["error"]["problems"][0]["expected"]
    returned = c.post(
        review,
        json={
            "decision": "return",
            "comment": "一月天然气与发票不符",
            "rows": [{"row": 2, "column": "quantity", "text": "发票为 55.28 万立方米"}],
        },
        headers=team.reviewer["headers"],
    )
    assert returned.status_code == 200, returned.text
    assert returned.json()["status"] == "returned"
    seen = c.get(f"/api/requests/{plant['id']}", headers=team.contributors[0]["headers"]).json()
    assert seen["history"][-1]["rows"] == [{"row": 2, "column": "quantity", "text": "发票为 55.28 万立方米"}]
    assert seen["history"][-1]["comment"] == "一月天然气与发票不符" and seen["history"][-1]["user_name"] == "Rex"
    resent = _submit(team, team.contributors[0], plant, site_file("乳品加工厂"), "乳品加工厂-v2.csv")
    assert resent.status_code == 201 and resent.json()["batch_id"] != first_batch
    withdrawn = c.get(f"/api/batches/{first_batch}", headers=team.admin["headers"]).json()
    assert withdrawn["withdrawn_at"] is not None  # a request has one live batch: no double count
    for site in SITES:
        done = c.post(
            f"/api/requests/{_request_of(team, site)['id']}/review",
            json={"decision": "approve"},
            headers=team.reviewer["headers"],
        )
        assert done.status_code == 200 and done.json()["status"] == "approved"
    history = c.get(f"/api/requests/{plant['id']}", headers=team.coordinator["headers"]).json()["history"]
    assert [e["action"] for e in history] == ["requested", "submitted", "returned", "resubmitted", "approved"]
    assert [e["user_name"] for e in history] == ["Cora", "site 0", "Rex", "site 0", "Rex"]
    assert (
        c.post(
            f"/api/requests/{plant['id']}/review", json={"decision": "approve"}, headers=team.reviewer["headers"]
        ).status_code
        == 409
    )


def test_a_disclosure_run_reads_the_approved_sites_batches_only(team):
    c = team.client
    started = c.post(
        f"/api/projects/{team.project['id']}/runs",
        json={"lang": "en", "disclosure": True},
        headers=team.admin["headers"],
    )
    assert started.status_code == 202, started.text
    run = wait(c, started.json()["id"], team.admin["headers"])
    assert run["status"] == "succeeded", run
    assert run["options"]["disclosure"] is True
    kinds = {(i["kind"], i["filename"]) for i in run["inputs"]}
    # the example's own activities.csv and credits.csv were not asked for: left out; its settings read
    assert {k for k in kinds if k[0] in ("activities", "credits")} == {
        ("activities", "乳品加工厂-v2.csv"),
        ("activities", "牧场.csv"),
        ("activities", "物流.csv"),
    }
    assert ("settings", "dualcarbon.toml") in kinds
    # the three sites' rows are the example's activities.csv split by facility: the same emissions; the
    # market-based Scope 2 is higher by the example's green certificates (credits.csv), not asked for
    expected, disclosed = team.example_run["totals"], run["totals"]
    same = [k for k in expected if k.startswith("scope") and k != "scope2_market"]
    assert "scope1" in same and "scope2_location" in same
    for key in same:
        assert disclosed[key] == pytest.approx(expected[key], rel=1e-12), key
    assert disclosed["scope2_market"] > expected["scope2_market"]
    # an approved batch withdrawn since (DELETE /api/batches/…): the disclosure run is refused, naming it
    farm = next(i for i in run["inputs"] if i["filename"] == "牧场.csv")
    assert c.delete(f"/api/batches/{farm['batch_id']}", headers=team.admin["headers"]).status_code == 200
    refused = c.post(
        f"/api/projects/{team.project['id']}/runs", json={"disclosure": True}, headers=team.admin["headers"]
    )
    assert refused.status_code == 409 and "牧场" in refused.json()["error"]["message"]
    assert farm["batch_id"] in refused.json()["error"]["message"]
