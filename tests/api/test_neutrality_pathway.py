"""Issue 4's inputs and outputs through the API: forest stands, measures and plan documents are
uploads like the activities; a run may compute the least-cost pathway (as `dualcarbon pathway`);
the results equal the CLI's."""

from __future__ import annotations

import json

import pytest
import stores
from apiworld import EXAMPLES, SETUP_TOKEN, api, bearer
from exampleruns import example_outputs


def _signed(client) -> dict[str, str]:
    signed = client.post("/api/organisations", json={"name": "大兴区", "admin_name": "李"}, headers=bearer(SETUP_TOKEN))
    assert signed.status_code == 201, signed.text
    return bearer(signed.json()["token"])


@pytest.mark.parametrize("backend", stores.BACKENDS)
def test_district_example_with_pathway_equals_the_cli(backend, tmp_path, tmp_path_factory):
    # `dualcarbon pathway` of the example in English, made once per session (the untranslated-text
    # tests read the same run): its outputs are in the copy's folder "pw"
    planned = example_outputs(tmp_path_factory, "daxing-district", "en")["root"] / "pw"
    expected = json.loads((planned / "summary.json").read_text(encoding="utf-8"))
    expected_pathway = json.loads((planned / "pathway.json").read_text(encoding="utf-8"))
    with api(backend, tmp_path / "store") as client:
        headers = _signed(client)
        project = client.post("/api/projects", json={"name": "district", "example": "daxing-district"}, headers=headers)
        assert project.status_code == 201, project.text
        kinds = {
            b["filename"]: b["kind"]
            for b in client.get(f"/api/projects/{project.json()['id']}/batches", headers=headers).json()
        }
        assert kinds == {
            "dualcarbon.toml": "settings",
            "activities.csv": "activities",
            "credits.csv": "credits",
            "sinks.csv": "sinks",
            "measures.csv": "measures",
            "indicators.csv": "indicators",
            "碳达峰碳中和实施方案.md": "documents",
        }
        started = client.post(
            f"/api/projects/{project.json()['id']}/runs", json={"lang": "en", "pathway": True}, headers=headers
        )
        assert started.status_code == 202
        run = client.get(f"/api/runs/{started.json()['id']}", params={"wait": 60}, headers=headers).json()
        assert run["status"] == "succeeded", run
        assert (run["kind"], run["steps_done"], run["steps_total"]) == ("pathway", 6, 6)
        summary = client.get(f"/api/runs/{run['id']}/summary", headers=headers).json()
        assert summary["totals"] == expected["totals"]
        assert summary["neutrality"] == expected["neutrality"]  # the plan document was found: same checks
        pathway = client.get(f"/api/runs/{run['id']}/pathway", headers=headers).json()
        assert pathway["pathway"]["status"] == "optimal" == expected_pathway["status"]
        assert pathway["pathway"]["cost_discounted"] == pytest.approx(expected_pathway["cost_discounted"], rel=1e-6)


def test_bad_sinks_and_measures_are_refused_with_file_row_column(tmp_path):
    cement = EXAMPLES / "cement-plant"
    with api("duckdb", tmp_path) as client:
        headers = _signed(client)
        project = client.post("/api/projects", json={"name": "c"}, headers=headers).json()
        base = f"/api/projects/{project['id']}"
        assert (
            client.put(
                f"{base}/settings", json={"toml": (cement / "dualcarbon.toml").read_text("utf-8")}, headers=headers
            ).status_code
            == 200
        )
        bad_sinks = (cement / "sinks.csv").read_text("utf-8").replace(",1200,亩,", ",-5,亩,")
        refused = client.post(
            f"{base}/batches",
            data={"kind": "sinks"},
            files={"file": ("sinks.csv", bad_sinks.encode(), "text/csv")},
            headers=headers,
        )
        assert refused.status_code == 422, refused.text
        problem = refused.json()["error"]["problems"][0]
        assert (problem["file"], problem["row"], problem["column"]) == ("sinks.csv", 2, "area")
        bad_measures = (cement / "measures.csv").read_text("utf-8").replace(",30%,", ",130%,", 1)
        refused = client.post(
            f"{base}/batches",
            data={"kind": "measures"},
            files={"file": ("measures.csv", bad_measures.encode(), "text/csv")},
            headers=headers,
        )
        assert refused.status_code == 422, refused.text
        problem = refused.json()["error"]["problems"][0]
        assert (problem["file"], problem["row"], problem["column"]) == ("measures.csv", 2, "share")
        reserved = client.post(
            f"{base}/batches",
            data={"kind": "documents"},
            files={"file": ("activities.md", b"# x", "text/markdown")},
            headers=headers,
        )
        assert reserved.status_code == 422
        good = client.post(
            f"{base}/batches",
            data={"kind": "sinks"},
            files={"file": ("sinks.csv", (cement / "sinks.csv").read_bytes(), "text/csv")},
            headers=headers,
        )
        assert good.status_code == 201 and good.json()["rows"] == 2
