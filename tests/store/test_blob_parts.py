"""Large run outputs are kept in parts (migration 0005) and read part by part: storing a run never
reads an output file whole, and a page of emissions.parquet fetches only the parts its reads reach.
On DuckDB and PostgreSQL, with parts made small so that a test file has many."""

from __future__ import annotations

import os

import numpy as np
import polars as pl
import pytest

from dualcarbon.api import results
from dualcarbon.project import outputs
from dualcarbon.store import Store, repo


@pytest.fixture
def store(store_location):
    opened = Store.open(store_location)
    yield opened
    opened.close()


def a_run(store: Store) -> tuple[dict, dict]:
    org, user, _ = store.create_organisation("A", "alice")
    project = store.create_project(org["id"], "p", user["id"])
    batch = store.add_batch(org["id"], project["id"], "activities", "a.csv", b"x\n", 1, user["id"])
    run = store.create_run(org["id"], project["id"], "inventory", {}, [(batch, "activities/a.csv")], user["id"], 5)
    assert store.claim_run(run["id"])
    return org, run


def test_a_file_over_a_part_is_kept_in_parts_and_read_back_exactly(store, tmp_path, monkeypatch):
    monkeypatch.setattr(repo, "CHUNK_BYTES", 1000)
    data = os.urandom(10_500)
    (tmp_path / "emissions.parquet").write_bytes(data)
    org, run = a_run(store)
    store.finish_run(run["id"], {"emissions.parquet": tmp_path / "emissions.parquet", "summary.json": b"{}"}, [], None)
    listed = {o["name"]: o for o in store.run_outputs(org["id"], run["id"])}
    digest = listed["emissions.parquet"]["sha256"]
    assert listed["emissions.parquet"]["size_bytes"] == 10_500
    with store.db.transaction() as tx:
        assert tx.one("SELECT count(*) AS n FROM blob_chunks WHERE sha256 = ?", [digest])["n"] == 11
        assert len(bytes(tx.one("SELECT data FROM blobs WHERE sha256 = ?", [digest])["data"])) == 0
    assert store.run_output(org["id"], run["id"], "emissions.parquet") == store.blob(digest) == data
    assert store.run_output(org["id"], run["id"], "summary.json") == b"{}"  # a small output: whole, as before
    source = store.blob_file(digest)
    assert source.read(10) == data[:10]
    source.seek(2_500)
    assert source.read(3_000) == data[2_500:5_500]
    source.seek(-7, os.SEEK_END)
    assert source.read() == data[-7:] and source.read(5) == b""
    # the same content again (a reproduced run) adds no parts
    _, again = a_run(store)
    store.finish_run(again["id"], {"emissions.parquet": tmp_path / "emissions.parquet"}, [], None)
    with store.db.transaction() as tx:
        assert tx.one("SELECT count(*) AS n FROM blob_chunks")["n"] == 11


def test_a_page_of_a_large_emissions_parquet_reads_a_few_parts(store, tmp_path, monkeypatch):
    """100,000 rows in row groups of 1,000, kept in parts of 32 KiB: a page equals the page over the
    whole file, and fetches the parts of the footer (pyarrow reads its last 64 KiB at once) and of one
    row group, not the file's."""
    monkeypatch.setattr(repo, "CHUNK_BYTES", 32 * 1024)
    monkeypatch.setattr(outputs, "PARQUET_ROW_GROUP", 1_000)
    rng = np.random.default_rng(5)
    n = 100_000
    frame = pl.DataFrame(
        {
            "id": [f"R{i}" for i in range(n)],
            "_file": ["activities.csv"] * n,
            "_row": np.arange(2, n + 2),
            "facility": [f"F{i % 7}" for i in range(n)],
            "scope": [str(1 + i % 3) for i in range(n)],
            "gas": ["CO2", "CH4", "N2O", "CO2"] * (n // 4),
            "co2e_t": rng.random(n),
        }
    )
    path = outputs.write_emissions(tmp_path, [frame], "parquet")
    assert path is not None
    data = path.read_bytes()
    parts = -(-len(data) // repo.CHUNK_BYTES)
    assert parts >= 20
    org, run = a_run(store)
    store.finish_run(run["id"], {"emissions.parquet": path, "summary.json": b"{}"}, [], None)
    fetched: list[int] = []
    real = store.blob_part
    monkeypatch.setattr(store, "blob_part", lambda digest, seq: fetched.append(seq) or real(digest, seq))
    done = store.run(org["id"], run["id"])
    for filters, offset in (({}, 0), ({}, 62_345), ({"scope": "2"}, 100)):
        fetched.clear()
        page = results.emissions(store, org["id"], done, filters, offset, 50)
        assert page == results.parquet_page(data, filters, offset, 50)
        assert len(page["items"]) == 50
        if not filters:  # the footer and one row group (a filter reads its column in every row group)
            assert 0 < len(set(fetched)) <= 6 and 4 * len(set(fetched)) < parts, (fetched, parts)
