"""The paged emissions endpoint over emissions.parquet (large runs) answers exactly as over
emissions.csv: same totals, same rows in the same order, same JSON types."""

from __future__ import annotations

from pathlib import Path

import pytest
import stores
from apiworld import api, bearer
from typer.testing import CliRunner

from dualcarbon.api import results
from dualcarbon.cli import app
from dualcarbon.project import outputs
from dualcarbon.store import repo


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    """emissions.csv and emissions.parquet of the dairy example, row groups of 7 rows."""
    root = tmp_path_factory.mktemp("dairy") / "p"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(root), "--example", "dairy"]).exit_code == 0
    files = {}
    for fmt in ("csv", "parquet"):
        out = root.parent / fmt
        assert runner.invoke(app, ["run", str(root), "--out", str(out), "--emissions", fmt]).exit_code == 0
        files[fmt] = (out / f"emissions.{fmt}").read_bytes()
    return files["csv"], files["parquet"]


@pytest.fixture
def small_row_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outputs, "PARQUET_ROW_GROUP", 7)


FILTERS = [
    {},
    {"scope": "1"},
    {"gas": "CH4", "scope": "1"},
    {"scope2_method": "market"},
    {"facility": "nowhere"},
    {"month": "2024-03"},
]


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("offset,limit", [(0, 5), (3, 11), (0, 1000), (10_000, 10)])
def test_parquet_page_equals_csv_page(written, filters, offset, limit):
    csv, parquet = written
    frame = results._parse(csv, typed=True)
    full = {c: filters.get(c) for c in ("scope", "gas", "scope2_method", "facility", "month")}
    expected = results.emissions_page(frame, full, offset, limit)
    got = results.parquet_page(parquet, full, offset, limit)
    assert got == expected


def test_pages_cross_row_groups(tmp_path: Path, small_row_groups: None, written) -> None:
    """Row groups of 7 rows: a page spans several, and a sparse filter's rows lie in many."""
    csv, _ = written
    frame = results._parse(csv, typed=True)
    outputs.write_emissions(tmp_path, [frame.rename({"source_file": "_file", "source_row": "_row"})], "parquet")
    import pyarrow.parquet as pq

    data = (tmp_path / "emissions.parquet").read_bytes()
    assert pq.ParquetFile(tmp_path / "emissions.parquet").metadata.num_row_groups > 5
    for filters in FILTERS:
        full = {c: filters.get(c) for c in ("scope", "gas", "scope2_method", "facility", "month")}
        for offset, limit in [(0, 20), (5, 9), (13, 1000)]:
            assert results.parquet_page(data, full, offset, limit) == results.emissions_page(frame, full, offset, limit)


@pytest.mark.parametrize("backend", stores.BACKENDS)
def test_a_run_keeps_a_large_emissions_parquet_in_parts_and_pages_it(backend, tmp_path, monkeypatch):
    """Through the runner: the run's files go to the store part by part (parts of 4 KiB here), and the
    paged endpoint and the file download answer from the parts as from the whole file."""
    monkeypatch.setattr(repo, "CHUNK_BYTES", 4096)
    # a store of its own (not apiworld's ``world``, whose own dairy run this test does not read)
    with api(backend, tmp_path) as client:
        _, _, token = client.app.state.store.create_organisation("parts", "admin")
        headers = bearer(token)
        project = client.post("/api/projects", json={"name": "p", "example": "dairy"}, headers=headers).json()
        path = f"/api/projects/{project['id']}/runs"
        queued = client.post(path, json={"emissions": "parquet"}, headers=headers).json()
        run = client.get(f"/api/runs/{queued['id']}", params={"wait": 60}, headers=headers).json()
        assert run["status"] == "succeeded", run
        listed = {o["name"]: o for o in run["outputs"]}
        store = client.app.state.store
        digest = listed["emissions.parquet"]["sha256"]
        with store.db.transaction() as tx:
            parts = tx.one("SELECT count(*) AS n FROM blob_chunks WHERE sha256 = ?", [digest])["n"]
        assert parts == -(-listed["emissions.parquet"]["size_bytes"] // 4096) > 1
        whole = client.get(f"/api/runs/{run['id']}/files/emissions.parquet", headers=headers).content
        assert len(whole) == listed["emissions.parquet"]["size_bytes"] and whole[:4] == b"PAR1"
        for filters in FILTERS:
            page = client.get(f"/api/runs/{run['id']}/emissions", params={**filters, "limit": 20}, headers=headers)
            assert page.status_code == 200
            expected = results.parquet_page(whole, {c: filters.get(c) for c in filters}, 0, 20)
            assert page.json() == expected
