"""``dualcarbon run --emissions``: which row-level file a run writes, and that both hold the same rows."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.project import job, outputs


@pytest.fixture(scope="module")
def dairy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dairy") / "p"
    assert CliRunner().invoke(app, ["init", str(root), "--example", "dairy"]).exit_code == 0
    return root


def test_auto_writes_csv_up_to_a_spreadsheet_and_parquet_above(dairy: Path, tmp_path: Path, monkeypatch) -> None:
    small = job.run(dairy, out=tmp_path / "small")
    rows = small.inventory.summary["emission_rows"]
    assert {p.name for p in small.written} >= {"emissions.csv"} and not (tmp_path / "small/emissions.parquet").exists()
    monkeypatch.setattr(outputs, "SPREADSHEET_ROWS", rows - 1)
    job.run(dairy, out=tmp_path / "large")
    assert (tmp_path / "large/emissions.parquet").exists() and not (tmp_path / "large/emissions.csv").exists()
    csv = pl.read_csv(tmp_path / "small/emissions.csv", infer_schema=False)
    parquet = pl.read_parquet(tmp_path / "large/emissions.parquet")
    assert parquet.columns == csv.columns and parquet.height == csv.height == rows
    as_text = parquet.select(pl.col(c).cast(pl.String) for c in parquet.columns)
    for c in ("id", "source_row", "facility", "gas", "scope2_method", "factor_ids", "formula", "parameters", "month"):
        assert as_text[c].to_list() == csv[c].to_list(), c
    diff = (parquet["co2e_t"] - csv["co2e_t"].cast(pl.Float64)).abs().max()
    assert isinstance(diff, float) and diff <= 1e-9 * parquet["co2e_t"].abs().max()


def test_none_writes_no_row_level_file(dairy: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(dairy), "--out", str(tmp_path / "o"), "--emissions", "none"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in (tmp_path / "o").iterdir()}
    assert "summary.json" in names and "inventory.csv" in names and not names & {"emissions.csv", "emissions.parquet"}


def test_an_unknown_format_is_an_input_error(dairy: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(dairy), "--out", str(tmp_path / "o"), "--emissions", "xlsx"])
    assert result.exit_code == 2
    assert "--emissions" in result.output and "xlsx" in result.output and "parquet" in result.output
    assert not (tmp_path / "o").exists()
