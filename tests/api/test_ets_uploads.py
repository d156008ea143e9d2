"""The thermal-plant example through the API (docs/ets.md, docs/pathway.md): its power units, their months,
the fiscal instruments and a carbon price file are upload kinds of their own (``units``, ``generation``,
``instruments``, ``prices``), checked like the CLI checks them (422 naming file, row and column) and laid out
in the project folder for runs; the API's run with the pathway equals ``dualcarbon pathway``'s."""

from __future__ import annotations

import json

import pytest
import stores
from apiworld import EXAMPLES, SETUP_TOKEN, api, bearer
from exampleruns import example_outputs

from dualcarbon.store import folder

LAID_OUT = {"units": "机组.xlsx", "generation": "generation.csv", "instruments": "support.csv", "prices": "prices.csv"}


def _signed(client) -> dict[str, str]:
    signed = client.post("/api/organisations", json={"name": "台州", "admin_name": "王"}, headers=bearer(SETUP_TOKEN))
    assert signed.status_code == 201, signed.text
    return bearer(signed.json()["token"])


@pytest.mark.parametrize("backend", stores.BACKENDS)
def test_thermal_plant_with_pathway_equals_the_cli(backend, tmp_path, tmp_path_factory):
    planned = example_outputs(tmp_path_factory, "thermal-plant", "en")["root"] / "pw"
    expected = json.loads((planned / "summary.json").read_text(encoding="utf-8"))
    expected_pathway = json.loads((planned / "pathway.json").read_text(encoding="utf-8"))
    with api(backend, tmp_path / "store") as client:
        headers = _signed(client)
        project = client.post("/api/projects", json={"name": "plant", "example": "thermal-plant"}, headers=headers)
        assert project.status_code == 201, project.text
        path = f"/api/projects/{project.json()['id']}"
        kinds = {b["filename"]: b["kind"] for b in client.get(f"{path}/batches", headers=headers).json()}
        assert kinds == {
            "dualcarbon.toml": "settings",
            "activities.csv": "activities",
            "units.csv": "units",
            "generation.csv": "generation",
            "measures.csv": "measures",
            "instruments.csv": "instruments",
        }
        started = client.post(f"{path}/runs", json={"lang": "en", "pathway": True}, headers=headers)
        assert started.status_code == 202, started.text
        run = {"status": "queued"}
        for _ in range(5):  # the API waits at most 60 s a call
            run = client.get(f"/api/runs/{started.json()['id']}", params={"wait": 60}, headers=headers).json()
            if run["status"] in ("succeeded", "failed"):
                break
        assert run["status"] == "succeeded", run
        summary = client.get(f"/api/runs/{run['id']}/summary", headers=headers).json()
        assert summary["totals"] == expected["totals"]
        assert summary["ets"] == expected["ets"]
        assert summary["ets"]["totals"]["allowance_t"] == pytest.approx(4_778_740.06, abs=0.01)  # docs/ets.md
        got = json.loads(client.get(f"/api/runs/{run['id']}/files/pathway.json", headers=headers).content)
        assert got["status"] == "optimal" == expected_pathway["status"]
        assert got["cost_discounted"] == pytest.approx(expected_pathway["cost_discounted"], rel=1e-6)
        assert [i["id"] for i in got["instruments"]] == [i["id"] for i in expected_pathway["instruments"]]
        assert got["chosen"] == expected_pathway["chosen"]
        assert got["without_support"]["chosen"] == expected_pathway["without_support"]["chosen"]
        assert got["without_support"]["cost_discounted"] == pytest.approx(
            expected_pathway["without_support"]["cost_discounted"], rel=1e-6
        )


def _upload(client, headers, path, kind, name, data: bytes):
    return client.post(f"{path}/batches", data={"kind": kind}, files={"file": (name, data)}, headers=headers)


def test_bad_ets_and_fiscal_uploads_name_file_row_and_column(tmp_path):
    plant = EXAMPLES / "thermal-plant"
    with api("duckdb", tmp_path) as client:
        headers = _signed(client)
        path = f"/api/projects/{client.post('/api/projects', json={'name': 'p'}, headers=headers).json()['id']}"
        toml = (plant / "dualcarbon.toml").read_text("utf-8")
        assert client.put(f"{path}/settings", json={"toml": toml}, headers=headers).status_code == 200

        def refused(kind: str, name: str, data: bytes) -> set[tuple]:
            sent = _upload(client, headers, path, kind, name, data)
            assert sent.status_code == 422, sent.text
            return {(p["file"], p["row"], p["column"]) for p in sent.json()["error"]["problems"]}

        generation = (plant / "generation.csv").read_bytes()
        # generation.csv names the units: without units.csv it is refused, as `dualcarbon validate` refuses it
        assert {f for f, _, _ in refused("generation", "generation.csv", generation)} == {"generation.csv"}
        units = (plant / "units.csv").read_text("utf-8")
        bad_units = units.replace(",600,", ",-600,", 1)
        assert ("units.csv", 2, "capacity_mw") in refused("units", "units.csv", bad_units.encode())
        assert _upload(client, headers, path, "units", "units.csv", units.encode()).status_code == 201
        bad_generation = generation.decode("utf-8").replace("U1,2023-01,252000", "U9,2023-01,252000").encode()
        assert ("generation.csv", 2, "unit") in refused("generation", "generation.csv", bad_generation)
        assert _upload(client, headers, path, "generation", "generation.csv", generation).status_code == 201
        measures = (plant / "measures.csv").read_bytes()
        assert _upload(client, headers, path, "measures", "measures.csv", measures).status_code == 201
        instruments = (plant / "instruments.csv").read_text("utf-8").replace("retrofit_u1;retrofit_u2,20%", "zz,20%")
        assert ("instruments.csv", 2, "measures") in refused("instruments", "instruments.csv", instruments.encode())
        prices = b"year,price,status\n2024,95.84,second-hand\n2025,-1,assumption\n"
        assert ("prices.csv", 3, "price") in refused("prices", "prices.csv", prices)
        good = b"year,price,status\n2024,95.84,second-hand\n2030,150,assumption\n"
        sent = _upload(client, headers, path, "prices", "prices.csv", good)
        assert sent.status_code == 201, sent.text
        assert sent.json()["rows"] == 2
        # laid out where the readers look: units.<ext> and generation.<ext>, the others under their own name
        place = {k: folder.path_of({"id": "b1", "kind": k, "filename": n}) for k, n in LAID_OUT.items()}
        assert place == {
            "units": "units.xlsx",
            "generation": "generation.csv",
            "instruments": "support.csv",
            "prices": "prices.csv",
        }
