"""``dualcarbon compare OLD NEW`` end to end: two real runs of a small project (2023 and 2024), their
output folders compared, compare.json/.csv/.html written in Chinese and English."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app
from tests.projects import write_settings

SETS = ["cn_mee_grid", "ipcc2006", "gbt32150"]


def _project(root: Path, year: int, gwp: str, gas_wan_m3: float, extra_row: str = "") -> Path:
    write_settings(root, sets=SETS, gwp=gwp, sector="1.A.2", start=f"{year}-01-01", end=f"{year}-12-31")
    rows = [
        "id,facility,date,activity,quantity,unit,region",
        f"A1,厂区,{year}-06-30,天然气,{gas_wan_m3},万立方米,CN-BJ",
        f"A2,厂区,{year}-06-30,外购电力,1000,兆瓦时,CN-BJ",
    ]
    (root / "activities.csv").write_text("\n".join(rows + ([extra_row] if extra_row else [])) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    return root / "out"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("yoy")
    # 2023 (AR5): 100 万 m3 of gas, 1,000 MWh, 20 t of diesel; 2024 (AR6): twice the gas, the same
    # electricity (the grid factor of the later year), no diesel.
    old = _project(base / "y2023", 2023, "AR5", 100, "A3,厂区,2023-06-30,柴油,20,t,CN-BJ")
    new = _project(base / "y2024", 2024, "AR6", 200)
    return old, new


def test_compare_two_runs(runs: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = runs
    out = tmp_path / "cmp"
    result = CliRunner().invoke(app, ["compare", str(old), str(new), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Reasons for the change" in result.output and "IPCC AR5 to IPCC AR6" in " ".join(result.output.split())
    record = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    assert record["schema"] == "dualcarbon.compare/1"
    s_old = json.loads((old / "summary.json").read_text(encoding="utf-8"))
    s_new = json.loads((new / "summary.json").read_text(encoding="utf-8"))
    d = record["decomposition"]
    change = s_new["totals"]["total_location"] - s_old["totals"]["total_location"]
    assert d["total_change_t"] == pytest.approx(change)
    parts = d["method_t"] + d["factor_t"] + d["activity_t"] + d["new_sources_t"] + d["dropped_sources_t"]
    assert parts == pytest.approx(change) and d["other_t"] == pytest.approx(0.0, abs=1e-6)
    by = {s["activity"]: s for s in record["sources"]}
    gas = by["fuel/natural_gas"]
    # Twice the gas at the same factors: A = (q1 − q0) · f1 = E1 / 2; the GWP change on CH4 and N2O is
    # the method effect (each gas's CO2e × (GWP_AR6 / GWP_AR5 − 1), recomputed here from emissions.csv).
    rows = pl.read_csv(old / "emissions.csv").filter(pl.col("key") == "fuel/natural_gas")
    gwp6 = s_new["gwp_values"]
    expected_method = sum(r["co2e_t"] * (gwp6[r["gas"]] / r["gwp"] - 1) for r in rows.iter_rows(named=True))
    assert expected_method != pytest.approx(0.0)
    assert gas["method_t"] == pytest.approx(expected_method)
    assert gas["factor_t"] == pytest.approx(0.0, abs=1e-9)
    assert gas["activity_t"] == pytest.approx(gas["co2e_t_new"] / 2)
    grid = by["electricity/grid"]
    # CO2 only, same quantity: what changed is the grid factor of the year.
    assert grid["method_t"] == pytest.approx(0.0) and grid["activity_t"] == pytest.approx(0.0, abs=1e-9)
    assert grid["factor_t"] == pytest.approx(grid["co2e_t_new"] - grid["co2e_t_old"])
    assert by["fuel/diesel"]["status"] == "dropped"
    assert d["dropped_sources_t"] == pytest.approx(-by["fuel/diesel"]["co2e_t_old"])
    csv = pl.read_csv(out / "compare.csv")
    assert csv.height == len(record["sources"]) and "activity_t" in csv.columns
    html = (out / "compare.html").read_text(encoding="utf-8")
    assert "Year-on-year comparison" in html and "Emission-factor changes" in html
    assert (out / "dualcarbon-manifest.json").is_file()


def test_compare_in_chinese_beside_new(runs: tuple[Path, Path]) -> None:
    old, new = runs
    result = CliRunner().invoke(app, ["compare", str(old), str(new), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    html = (new.parent / "compare" / "compare.html").read_text(encoding="utf-8")
    assert "排放同比分析" in html and "排放因子变化" in html and "停用" in html
    assert 'lang="zh-CN"' in html


def test_not_an_output_folder_is_refused(runs: tuple[Path, Path], tmp_path: Path) -> None:
    old, _ = runs
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / "cmp"
    result = CliRunner().invoke(app, ["compare", str(old), str(empty), "--out", str(out), "--lang", "en"])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "expected summary.json in this folder" in text and "empty" in text
    assert not out.exists()
