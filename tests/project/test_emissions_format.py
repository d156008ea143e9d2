"""``dualcarbon run --emissions``: which row-level file a run writes, and that both hold the same rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from emission_files import differences, read_as, read_parquet
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
    parquet = read_parquet(tmp_path / "large/emissions.parquet")
    assert parquet.height == rows
    assert differences(parquet, read_as(tmp_path / "small/emissions.csv", parquet.schema)) == []  # every column


def test_none_writes_no_row_level_file(dairy: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(dairy), "--out", str(tmp_path / "o"), "--emissions", "none"])
    assert result.exit_code == 0, result.output
    names = {p.name for p in (tmp_path / "o").iterdir()}
    assert "summary.json" in names and "inventory.csv" in names and not names & {"emissions.csv", "emissions.parquet"}


def test_an_unknown_format_is_an_input_error(dairy: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["run", str(dairy), "--out", str(tmp_path / "o"), "--emissions", "json"])
    assert result.exit_code == 2
    assert "--emissions" in result.output and "json" in result.output and "xlsx" in result.output
    assert not (tmp_path / "o").exists()
