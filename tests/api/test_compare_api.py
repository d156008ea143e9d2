"""GET /api/runs/{id}/compare/{other_id} (docs/compare.md): two stored runs compared as ``dualcarbon compare``
compares their folders; the same figures, in JSON and as the HTML page."""

from __future__ import annotations

import pytest
import stores
from apiworld import api, bearer

from dualcarbon.compare import RunResults, compare


def _toml(year: int, gwp: str) -> str:
    return f"""[organization]
name = "Depots"
country = "CN"
region = "CN-NCG"

[period]
start = {year}-01-01
end = {year}-12-31

[method]
gwp = "{gwp}"
factor_sets = ["gbt32150", "cn_mee_grid", "ipcc2006"]
"""


def _activities(year: int, diesel_t: float, grid_mwh: float) -> bytes:
    return (
        "id,facility,date,activity,quantity,unit\n"
        f"D1,油库,{year}-06-30,柴油,{diesel_t},吨\n"
        f"E1,油库,{year}-06-30,外购电力,{grid_mwh},兆瓦时\n"
    ).encode()


@pytest.mark.parametrize("backend", stores.BACKENDS)
def test_compare_two_stored_runs(backend, tmp_path):
    with api(backend, tmp_path, open_signup=True) as client:
        headers = bearer(client.post("/api/organisations", json={"name": "D", "admin_name": "d"}).json()["token"])
        runs = []
        # 2023 (AR5): 100 t of diesel, 500 MWh; 2024 (AR6): 150 t of diesel, 500 MWh.
        for year, gwp, diesel in ((2023, "AR5", 100), (2024, "AR6", 150)):
            project = client.post("/api/projects", json={"name": f"depots {year}"}, headers=headers).json()
            base = f"/api/projects/{project['id']}"
            assert client.put(f"{base}/settings", json={"toml": _toml(year, gwp)}, headers=headers).status_code == 200
            files = {"file": ("activities.csv", _activities(year, diesel, 500), "text/csv")}
            uploaded = client.post(f"{base}/batches", data={"kind": "activities"}, files=files, headers=headers)
            assert uploaded.status_code == 201, uploaded.text
            queued = client.post(f"{base}/runs", json={}, headers=headers).json()
            run = client.get(f"/api/runs/{queued['id']}", params={"wait": 60}, headers=headers).json()
            assert run["status"] == "succeeded", run
            runs.append(run["id"])
        old, new = runs
        answer = client.get(f"/api/runs/{new}/compare/{old}", headers=headers)
        assert answer.status_code == 200, answer.text
        record = answer.json()
        assert record["schema"] == "dualcarbon.compare/1"
        assert record["method_changes"]["gwp_set"] == ["AR5", "AR6"]
        diesel = next(s for s in record["sources"] if s["activity"] == "fuel/diesel")
        # 1.5 times the diesel at the same factors: A = (q1 − q0) · f1 = E1 / 3; the rest is the GWP restatement.
        assert diesel["activity_t"] == pytest.approx(diesel["co2e_t_new"] / 3)
        assert diesel["factor_t"] == pytest.approx(0.0, abs=1e-9)
        assert diesel["method_t"] != pytest.approx(0.0)
        d = record["decomposition"]
        summaries = [client.get(f"/api/runs/{r}/summary", headers=headers).json() for r in (old, new)]
        change = summaries[1]["totals"]["total_location"] - summaries[0]["totals"]["total_location"]
        assert d["total_change_t"] == pytest.approx(change)
        assert d["method_t"] + d["factor_t"] + d["activity_t"] == pytest.approx(change)
        # The same comparison as the core computes from the runs' own files.
        import io

        import polars as pl

        def stored(run_id: str) -> RunResults:
            def read(name: str) -> bytes:
                return client.get(f"/api/runs/{run_id}/files/{name}", headers=headers).content

            summary = client.get(f"/api/runs/{run_id}/summary", headers=headers).json()
            sources = pl.read_csv(io.BytesIO(read("sources.csv")), schema_overrides={"scope": pl.String})
            emissions = pl.read_csv(
                io.BytesIO(read("emissions.csv")), infer_schema_length=None, schema_overrides={"scope": pl.String}
            )
            return RunResults(summary, sources, emissions.lazy(), run_id)

        expected = compare(stored(old), stored(new))
        assert record["decomposition"] == pytest.approx(expected["decomposition"])
        html = client.get(f"/api/runs/{new}/compare/{old}", params={"format": "html", "lang": "zh"}, headers=headers)
        assert html.status_code == 200 and "排放同比分析" in html.text
        assert client.get(f"/api/runs/{new}/compare/nope", headers=headers).status_code == 404
        bad = client.get(f"/api/runs/{new}/compare/{old}", params={"lang": "fr"}, headers=headers)
        assert bad.status_code == 422
