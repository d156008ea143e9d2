"""What issue 5 asks of the API, end to end on DuckDB and PostgreSQL: a new user creates an
organisation, uploads the dairy example's files, runs it and reads the CLI's totals; the run's
inputs reproduce its outputs byte for byte, with the CLI and through the API."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
import stores
from apiworld import EXAMPLES, SETUP_TOKEN, api, bearer
from exampleruns import example_outputs
from typer.testing import CliRunner

from dualcarbon.cli import app as cli

DAIRY = EXAMPLES / "dairy"


@pytest.fixture(scope="module")
def cli_outputs(tmp_path_factory) -> dict[str, bytes]:
    """The dairy example run by the CLI, in English (`dualcarbon run --lang en` of a copy, made once per
    session: the untranslated-text tests read the same run)."""
    root = example_outputs(tmp_path_factory, "dairy", "en")["root"]
    return {p.name: p.read_bytes() for p in (root / "out").iterdir() if p.is_file()}


@pytest.mark.parametrize("backend", stores.BACKENDS)
def test_a_new_user_runs_the_dairy_example_and_reads_the_cli_totals(backend, tmp_path, cli_outputs):
    with api(backend, tmp_path) as client:
        assert client.get("/api/health").json()["signup"] == "setup_token"
        signed = client.post(
            "/api/organisations", json={"name": "黑土地乳业", "admin_name": "王芳"}, headers=bearer(SETUP_TOKEN)
        )
        assert signed.status_code == 201, signed.text
        headers = bearer(signed.json()["token"])
        project = client.post("/api/projects", json={"name": "2024 inventory"}, headers=headers).json()
        base = f"/api/projects/{project['id']}"
        settings = client.put(
            f"{base}/settings", json={"toml": (DAIRY / "dualcarbon.toml").read_text("utf-8")}, headers=headers
        )
        assert settings.status_code == 200, settings.text
        for kind in ("activities", "credits"):
            name = f"{kind}.csv"
            uploaded = client.post(
                f"{base}/batches",
                data={"kind": kind},
                files={"file": (name, (DAIRY / name).read_bytes(), "text/csv")},
                headers=headers,
            )
            assert uploaded.status_code == 201, uploaded.text
            assert uploaded.json()["sha256"] == hashlib.sha256((DAIRY / name).read_bytes()).hexdigest()
        started = client.post(f"{base}/runs", json={"lang": "en"}, headers=headers)
        assert started.status_code == 202 and started.headers["Location"] == f"/api/runs/{started.json()['id']}"
        assert started.json()["status"] == "queued"
        run = client.get(started.headers["Location"], params={"wait": 60}, headers=headers).json()
        assert run["status"] == "succeeded", run
        assert (run["steps_done"], run["steps_total"], run["step"]) == (5, 5, "store")

        expected = json.loads(cli_outputs["summary.json"])
        summary = client.get(f"/api/runs/{run['id']}/summary", headers=headers).json()
        assert summary["totals"] == expected["totals"] == run["totals"]
        assert summary == expected
        for name in ("summary.json", "inventory.csv", "report.html"):  # emissions.csv names the batch's file
            assert client.get(f"/api/runs/{run['id']}/files/{name}", headers=headers).content == cli_outputs[name]
        assert {f["dataset"] for f in run["factor_sets"]} == {f["dataset"] for f in expected["factor_sets"]}


def test_a_runs_inputs_reproduce_its_outputs_byte_for_byte(tmp_path):
    with api("duckdb", tmp_path / "store", open_signup=True) as client:
        headers = bearer(client.post("/api/organisations", json={"name": "C", "admin_name": "c"}).json()["token"])
        project = client.post(
            "/api/projects", json={"name": "cement", "example": "cement-plant"}, headers=headers
        ).json()
        queued = client.post(f"/api/projects/{project['id']}/runs", json={}, headers=headers).json()
        run = client.get(f"/api/runs/{queued['id']}", params={"wait": 60}, headers=headers).json()
        assert run["status"] == "succeeded", run
        stored = {o["name"]: o["sha256"] for o in run["outputs"]}
        assert {"summary.json", "emissions.csv", "inventory.csv", "report.html"} <= set(stored)

        # with the CLI, from the inputs zip
        archive = client.get(f"/api/runs/{run['id']}/inputs", headers=headers)
        assert archive.headers["content-type"] == "application/zip"
        assert archive.content == client.get(f"/api/runs/{run['id']}/inputs", headers=headers).content
        zipfile.ZipFile(io.BytesIO(archive.content)).extractall(tmp_path / "unzipped")
        folder = tmp_path / "unzipped" / run["id"]
        assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) == sorted(
            i["path"] for i in run["inputs"]
        )
        assert CliRunner().invoke(cli, ["run", str(folder)]).exit_code == 0
        again = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in (folder / "out").iterdir()}
        assert again == stored

        # through the API
        repeat = client.post(f"/api/runs/{run['id']}/reproduce", headers=headers)
        assert repeat.status_code == 202 and repeat.json()["reproduces"] == run["id"]
        repeated = client.get(f"/api/runs/{repeat.json()['id']}", params={"wait": 60}, headers=headers).json()
        assert {o["name"]: o["sha256"] for o in repeated["outputs"]} == stored
        assert repeated["inputs_sha256"] == run["inputs_sha256"]
