"""indicators.csv through the API: an upload of its own kind, checked as `dualcarbon validate` checks it
(422 naming file, row and column), laid out as the folder's indicators.csv, and in the run's summary."""

from __future__ import annotations

from apiworld import EXAMPLES, SETUP_TOKEN, api, bearer

GOOD = "indicator,year,value,unit,target,target_year\npm25,2023,33,μg/m3,30,2025\npm25,2024,31,,,\n"


def test_indicators_upload_is_checked_and_read_by_the_run(tmp_path):
    office = EXAMPLES / "us-office"
    with api("duckdb", tmp_path) as client:
        signed = client.post("/api/organisations", json={"name": "区", "admin_name": "李"}, headers=bearer(SETUP_TOKEN))
        headers = bearer(signed.json()["token"])
        project = client.post("/api/projects", json={"name": "p"}, headers=headers).json()
        base = f"/api/projects/{project['id']}"
        toml = (office / "dualcarbon.toml").read_text("utf-8")
        assert client.put(f"{base}/settings", json={"toml": toml}, headers=headers).status_code == 200
        for name in ("activities.csv",):
            kind = name.split(".")[0]
            sent = client.post(
                f"{base}/batches",
                data={"kind": kind},
                files={"file": (name, (office / name).read_bytes(), "text/csv")},
                headers=headers,
            )
            assert sent.status_code == 201, sent.text
        bad = GOOD.replace("2024,31", "2024,thirty-one")
        refused = client.post(
            f"{base}/batches",
            data={"kind": "indicators"},
            files={"file": ("indicators.csv", bad.encode(), "text/csv")},
            headers=headers,
        )
        assert refused.status_code == 422, refused.text
        problem = refused.json()["error"]["problems"][0]
        assert (problem["file"], problem["row"], problem["column"]) == ("indicators.csv", 3, "value")
        good = client.post(
            f"{base}/batches",
            data={"kind": "indicators"},
            files={"file": ("indicators.csv", GOOD.encode(), "text/csv")},
            headers=headers,
        )
        assert good.status_code == 201 and good.json()["rows"] == 2
        started = client.post(f"{base}/runs", json={"lang": "en"}, headers=headers)
        assert started.status_code == 202, started.text
        run = client.get(f"/api/runs/{started.json()['id']}", params={"wait": 60}, headers=headers).json()
        assert run["status"] == "succeeded", run
        summary = client.get(f"/api/runs/{run['id']}/summary", headers=headers).json()
        [pm25] = summary["indicators"]
        assert (pm25["indicator"], pm25["latest"], pm25["status"]) == ("pm25", 31.0, "on_track")
