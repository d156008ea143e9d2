"""A project's own factors (factors/*.csv, same columns as the bundled data) win over the library."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from dualcarbon.cli import app


def test_own_factor_overrides_and_is_traced(tmp_path):
    root = tmp_path / "p"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(root), "--example", "us-office"]).exit_code == 0
    (root / "factors").mkdir()
    # A utility's disclosed supplier-specific grid factor for the CAMX office (illustrative).
    (root / "factors" / "utility.csv").write_text(
        "dataset,parameter,activity_id,region,year,gas,value,unit_numerator,unit_denominator,source_ref\n"
        "utility,ef,electricity/grid,US-CAMX,2024,CO2,0.2,kg CO2,kWh,Utility power content label 2024\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["run", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    emissions = (root / "out" / "emissions.csv").read_text(encoding="utf-8")
    camx = [line for line in emissions.splitlines() if "US-CAMX" in line and ",location," in line]
    assert camx and all("project:" in line for line in camx)
    summary = json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))
    assert any(s["factor_set"] == "project" for s in summary["factor_sets"])


def test_bad_own_factor_file_is_an_input_error(tmp_path):
    root = tmp_path / "p"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(root), "--example", "us-office"]).exit_code == 0
    (root / "factors").mkdir()
    (root / "factors" / "bad.csv").write_text(
        "parameter,activity_id,value\nef,electricity/grid,abc\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["run", str(root)])
    assert result.exit_code == 2, result.output
    assert "bad.csv" in result.output
    assert not (root / "out").exists()
