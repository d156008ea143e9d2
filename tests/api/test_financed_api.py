"""The carbon-neutral-etf example through the API (DuckDB store): created from the bundled example, its
holdings, benchmark and comparison-year files kept as ``holdings`` batches at the folder's top, the run's
summary with ``financed``; a bad holdings upload refused with 422 naming the row and column."""

from __future__ import annotations

import json

from apiworld import SETUP_TOKEN, api, bearer


def test_example_runs_with_its_holdings(tmp_path):
    with api("duckdb", tmp_path) as client:
        signed = client.post("/api/organisations", json={"name": "F", "admin_name": "Fan"}, headers=bearer(SETUP_TOKEN))
        headers = bearer(signed.json()["token"])
        made = client.post("/api/projects", json={"name": "etf", "example": "carbon-neutral-etf"}, headers=headers)
        assert made.status_code == 201, made.text
        path = f"/api/projects/{made.json()['id']}"
        batches = client.get(f"{path}/batches", headers=headers).json()
        assert {b["filename"] for b in batches if b["kind"] == "holdings"} == {
            "holdings.csv",
            "holdings-2023.csv",
            "benchmark.csv",
        }
        queued = client.post(f"{path}/runs", json={"lang": "en"}, headers=headers).json()
        run = {"status": "queued"}
        for _ in range(5):  # the API waits at most 60 s a call
            run = client.get(f"/api/runs/{queued['id']}", params={"wait": 60}, headers=headers).json()
            if run["status"] in ("succeeded", "failed"):
                break
        assert run["status"] == "succeeded", run
        summary = json.loads(client.get(f"/api/runs/{run['id']}/files/summary.json", headers=headers).content)
        assert summary["financed"]["holdings"] == 107 and summary["financed"]["benchmark"] is not None
        bad = b"id,asset_class,outstanding\nX,listed_equity,-1\n"
        sent = client.post(
            f"{path}/batches", data={"kind": "holdings"}, headers=headers, files={"file": ("holdings.csv", bad)}
        )
        assert sent.status_code == 422, sent.text
        places = {(p["row"], p["column"]) for p in sent.json()["error"]["problems"]}
        assert (2, "outstanding") in places and (2, "evic") in places
