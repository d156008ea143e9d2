"""The paged emissions endpoint over emissions.parquet (large runs) answers exactly as over
emissions.csv: same totals, same rows in the same order, same JSON types."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dualcarbon.api import results
from dualcarbon.cli import app
from dualcarbon.project import outputs


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
