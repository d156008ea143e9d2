"""The full tables behind summary.json's ``by_facility`` and the report's sources (issue 16): a run of more
facilities than the summary lists answers every one of them at GET /api/runs/{id}/facilities, and every
activity source at /sources, as facilities.csv and sources.csv hold them."""

from __future__ import annotations

import math

from apiworld import api, bearer
from projects import depot_activities, depots_toml

from dualcarbon import inventory

FACILITIES = 60  # more than inventory.TOP
TOML = depots_toml("Depots")


def activities() -> bytes:
    """Diesel at each depot, 1 t more at each than at the one before; depot "007" keeps its zeros."""
    return depot_activities([f"{i:03d}" for i in range(FACILITIES)], ["2024-06-30"])


def test_every_facility_and_source_of_a_run_listing_only_the_largest(tmp_path):
    assert FACILITIES > inventory.TOP
    with api("duckdb", tmp_path, open_signup=True) as client:
        headers = bearer(client.post("/api/organisations", json={"name": "D", "admin_name": "d"}).json()["token"])
        project = client.post("/api/projects", json={"name": "depots"}, headers=headers).json()
        base = f"/api/projects/{project['id']}"
        assert client.put(f"{base}/settings", json={"toml": TOML}, headers=headers).status_code == 200
        uploaded = client.post(
            f"{base}/batches",
            data={"kind": "activities"},
            files={"file": ("activities.csv", activities(), "text/csv")},
            headers=headers,
        )
        assert uploaded.status_code == 201, uploaded.text
        queued = client.post(f"{base}/runs", json={}, headers=headers).json()
        run = client.get(f"/api/runs/{queued['id']}", params={"wait": 60}, headers=headers).json()
        assert run["status"] == "succeeded", run
        assert {"facilities.csv", "sources.csv"} <= {o["name"] for o in run["outputs"]}

        summary = client.get(f"/api/runs/{run['id']}/summary", headers=headers).json()
        assert len(summary["by_facility"]) == inventory.TOP + 1 and summary["facilities"] == FACILITIES
        every = client.get(f"/api/runs/{run['id']}/facilities", headers=headers).json()["items"]
        assert len(every) == FACILITIES
        # names stay text ("007", not 7), the largest first: depot 059 burnt the most diesel
        assert every[0]["facility"] == "059" and every[-1]["facility"] == "000"
        assert {r["facility"] for r in every} == {f"{i:03d}" for i in range(FACILITIES)}
        assert list(every[0]) == ["facility", "scope1", "scope2_location", "scope2_market", "scope3"] + [
            "total_location",
            "total_market",
        ]
        assert math.fsum(r["scope1"] for r in every) == math.fsum(r["scope1"] for r in summary["by_facility"])
        names = client.get(f"/api/runs/{run['id']}/facilities", params={"names": True}, headers=headers).json()
        assert names["items"] == [{"facility": r["facility"]} for r in every]

        sources = client.get(f"/api/runs/{run['id']}/sources", headers=headers).json()["items"]
        assert [(r["activity"], r["scope"], r["category"]) for r in sources] == [("fuel/diesel", "1", "1.mobile")]
        assert sources[0]["co2e_t"] == summary["totals"]["scope1"]
        csv_bytes = client.get(f"/api/runs/{run['id']}/files/facilities.csv", headers=headers)
        assert csv_bytes.headers["content-type"].startswith("text/csv")
        assert csv_bytes.content.decode("utf-8").count("\n") == FACILITIES + 1
