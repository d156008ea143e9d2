"""A product project through the API (issue 17): processes.csv and exchanges.csv uploaded as batches of their own
kinds (checked as `dualcarbon validate` checks them, 422 naming file, row and column), the footprint run by
``POST /api/projects/{id}/footprints`` (editors only), and the bundled product examples computed to a footprint
whose figure is the CLI's."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from importlib import resources
from pathlib import Path

import pytest
import stores
from apiworld import SETUP_TOKEN, api, bearer

from dualcarbon.project.job import footprint_job

EXAMPLES = Path(str(resources.files("dualcarbon").joinpath("examples")))


def _signed(client) -> dict[str, str]:
    signed = client.post("/api/organisations", json={"name": "某乳业", "admin_name": "李"}, headers=bearer(SETUP_TOKEN))
    assert signed.status_code == 201, signed.text
    return bearer(signed.json()["token"])


def _wait(client, run: dict, headers: dict) -> dict:
    for _ in range(10):
        run = client.get(f"/api/runs/{run['id']}", params={"wait": 60}, headers=headers).json()
        if run["status"] in ("succeeded", "failed"):
            break
    return run


def cli_footprint(tmp_path: Path, name: str) -> float:
    root = tmp_path / f"cli-{name}"
    shutil.copytree(EXAMPLES / name, root)
    return footprint_job(root, iterations=0).record["footprint_kg_co2e"]


@pytest.mark.parametrize("backend", stores.BACKENDS)
@pytest.mark.parametrize("example", ["milk", "cement-product"])
def test_a_product_example_runs_to_its_footprint(tmp_path, backend, example):
    with api(backend, tmp_path / "store") as client:
        headers = _signed(client)
        project = client.post("/api/projects", json={"name": "p", "example": example}, headers=headers).json()
        kinds = {b["kind"] for b in client.get(f"/api/projects/{project['id']}/batches", headers=headers).json()}
        assert {"settings", "processes", "exchanges"} <= kinds
        # an inventory run needs activities: a product project is computed by the footprint endpoint
        refused = client.post(f"/api/projects/{project['id']}/runs", json={}, headers=headers)
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "inputs_missing"
        started = client.post(
            f"/api/projects/{project['id']}/footprints", json={"lang": "zh", "iterations": 100}, headers=headers
        )
        assert started.status_code == 202, started.text
        assert started.json()["kind"] == "footprint" and started.json()["options"]["iterations"] == 100
        run = _wait(client, started.json(), headers)
        assert run["status"] == "succeeded", run
        assert {"footprint.json", "by_process.csv", "by_stage.csv", "report.html"} <= {
            o["name"] for o in run["outputs"]
        }
        assert run["totals"] is None and run["factor_sets"]
        record = json.loads(client.get(f"/api/runs/{run['id']}/files/footprint.json", headers=headers).content)
        assert record["footprint_kg_co2e"] == pytest.approx(cli_footprint(tmp_path, example), rel=1e-12)
        assert record["uncertainty"]["iterations"] == 100
        report = client.get(f"/api/runs/{run['id']}/report", headers=headers)
        assert report.status_code == 200 and "产品碳足迹报告" in report.text
        listed = client.get(f"/api/projects/{project['id']}/runs", headers=headers).json()["items"]
        assert [r["kind"] for r in listed] == ["footprint"]


def test_uploads_checked_and_the_footprint_authorised_like_a_run(tmp_path):
    with api("duckdb", tmp_path / "store") as client:
        headers = _signed(client)
        project = client.post("/api/projects", json={"name": "牛奶"}, headers=headers).json()
        base = f"/api/projects/{project['id']}"
        toml = (EXAMPLES / "milk" / "dualcarbon.toml").read_text(encoding="utf-8")
        assert client.put(f"{base}/settings", json={"toml": toml}, headers=headers).status_code == 200
        for name in ("credits.csv", "产品碳中和管理计划.md"):
            kind = "credits" if name.endswith(".csv") else "documents"
            files = {"file": (name, (EXAMPLES / "milk" / name).read_bytes())}
            assert client.post(f"{base}/batches", data={"kind": kind}, files=files, headers=headers).status_code == 201
        missing = client.post(f"{base}/footprints", json={}, headers=headers)
        assert missing.status_code == 409 and "processes and exchanges" in missing.json()["error"]["message"]

        processes = (EXAMPLES / "milk" / "processes.csv").read_bytes()
        files = {"file": ("processes.csv", processes)}
        assert (
            client.post(f"{base}/batches", data={"kind": "processes"}, files=files, headers=headers).status_code == 201
        )
        # an exchange of a process that processes.csv does not have: 422 naming the file, row and column
        good = (EXAMPLES / "milk" / "exchanges.csv").read_text(encoding="utf-8")
        bad = good.replace("\nmilk-plant,", "\nmilk-plnat,", 1)
        row = good.split("\n").index(next(line for line in good.split("\n") if line.startswith("milk-plant,"))) + 1
        files = {"file": ("交换.csv", bad.encode())}
        refused = client.post(f"{base}/batches", data={"kind": "exchanges"}, files=files, headers=headers)
        assert refused.status_code == 422, refused.text
        problems = refused.json()["error"]["problems"]
        found = {(p["file"], p["row"], p["column"], p["value"]): p["expected"] for p in problems}
        assert "milk-plant" in found[("交换.csv", row, "process", "milk-plnat")]  # with the closest process id
        # and what follows in the model as a whole: milk-plant (processes.csv row 6) has no production any more
        assert ("processes.csv", 6, "id", "milk-plant") in found
        files = {"file": ("exchanges.csv", good.encode())}
        assert (
            client.post(f"{base}/batches", data={"kind": "exchanges"}, files=files, headers=headers).status_code == 201
        )

        store = client.app.state.store
        _, viewer = store.create_user(_org(client, headers), "viewer", None, "viewer")
        forbidden = client.post(f"{base}/footprints", json={}, headers=bearer(viewer))
        assert forbidden.status_code == 403
        started = client.post(f"{base}/footprints", json={"lang": "en", "iterations": 0}, headers=headers)
        assert started.status_code == 202, started.text
        run = _wait(client, started.json(), headers)
        assert run["status"] == "succeeded", run
        record = json.loads(client.get(f"/api/runs/{run['id']}/files/footprint.json", headers=headers).content)
        assert record["uncertainty"] is None and record["neutrality"]["status"] == "achieved"
        # the run's inputs zip is the folder `dualcarbon footprint` computes the same figure from
        inputs = client.get(f"/api/runs/{run['id']}/inputs", headers=headers)
        assert inputs.status_code == 200
        names = set(zipfile.ZipFile(io.BytesIO(inputs.content)).namelist())
        assert {f"{run['id']}/processes.csv", f"{run['id']}/exchanges.csv", f"{run['id']}/dualcarbon.toml"} <= names


def test_a_header_is_checked_before_the_model_is_complete(tmp_path):
    with api("duckdb", tmp_path / "store") as client:
        headers = _signed(client)
        project = client.post("/api/projects", json={"name": "p"}, headers=headers).json()
        base = f"/api/projects/{project['id']}"
        toml = (EXAMPLES / "milk" / "dualcarbon.toml").read_text(encoding="utf-8")
        assert client.put(f"{base}/settings", json={"toml": toml}, headers=headers).status_code == 200
        files = {"file": ("processes.csv", "id,name,unit,stag\nfarm,牧场,a,farm\n".encode())}
        refused = client.post(f"{base}/batches", data={"kind": "processes"}, files=files, headers=headers)
        assert refused.status_code == 422, refused.text
        (problem,) = refused.json()["error"]["problems"]
        assert (problem["file"], problem["row"], problem["column"]) == ("processes.csv", 1, "stag")
        assert "stage" in problem["expected"]


def _org(client, headers) -> str:
    return client.get("/api/me", headers=headers).json()["organisation"]["id"]
