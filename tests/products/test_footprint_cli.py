"""`dualcarbon footprint` and summary.json `product` of `dualcarbon run`, end to end on small projects built here
(the footprints solved by hand in test_product_reader.py)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from test_product_reader import project
from typer.testing import CliRunner

from dualcarbon.cli import app

# farm: milk 12 and meat 15 kg CO2e/kg by allocation; shop: 1.03 kg milk + 0.1 kg CO2 = 12.46 kg CO2e/kg
PROCESSES = "farm,牧场,Farm,a,,farm\nmilk,原料奶,Raw milk,kg,,farm\nshop,零售,Retail,kg,,retail\n"
EXCHANGES = (
    "farm,milk,100,kg,production,,,,,,0.8\nfarm,meat,20,kg,production,,,,,,0.2\n"
    "farm,CH4_biogenic,50,kg,biosphere,lognormal,1.2\nfarm,CO2,100,kg,biosphere,normal,,10\n"
    "shop,shop,1,kg,production\nshop,milk,1.03,kg,technosphere,uniform,,,1.0,1.06\nshop,CO2,0.1,kg,biosphere\n"
)


def dairy(root: Path, extra: str = 'report = ["milk"]\n') -> Path:
    return project(root, PROCESSES, EXCHANGES, "shop", extra=extra)


def invoke(*args: str):
    return CliRunner().invoke(app, ["footprint", *args])


def test_footprint_writes_the_figures_solved_by_hand(tmp_path):
    root = dairy(tmp_path / "dairy")
    result = invoke(str(root), "--iterations", "400", "--seed", "7", "--lang", "en")
    assert result.exit_code == 0, result.output
    record = json.loads((root / "out" / "footprint.json").read_text(encoding="utf-8"))
    assert record["schema"] == "dualcarbon.footprint/1"
    assert record["reference"] == "shop" and record["functional_unit"] == "1 kg"
    assert record["footprint_kg_co2e"] == pytest.approx(12.46, rel=1e-9)
    products = {p["id"]: p for p in record["products"]}
    assert products["milk"]["footprint_kg_co2e"] == pytest.approx(12.0, rel=1e-9)
    # contributions add up to the score: the shop's own 0.1 and 1.03 × the milk column's 12 (its 1,200 CH4 + CO2
    # of 0.8 × 1,500 per 100 kg)
    assert sum(r["kg_co2e"] for r in record["by_process"]) == pytest.approx(12.46, rel=1e-9)
    assert sum(r["kg_co2e"] for r in record["by_stage"]) == pytest.approx(12.46, rel=1e-9)
    flows = {f["flow"]: f for f in record["by_flow"]}
    assert flows["CH4_biogenic"]["mass_kg"] == pytest.approx(1.03 * 0.4, rel=1e-9)  # 50 × 0.8 / 100 per kg milk
    assert record["tree"]["process"] == "shop" and record["tree"]["children"][0]["process"] == "milk"
    unc = record["uncertainty"]
    assert unc["iterations"] == 400 and unc["seed"] == 7
    assert unc["p2_5"] < record["footprint_kg_co2e"] < unc["p97_5"]
    assert sum(unc["histogram"]["counts"]) == 400
    by_process = pl.read_csv(root / "out" / "by_process.csv")
    assert by_process["kg_co2e"].sum() == pytest.approx(12.46, rel=1e-9)
    assert set(pl.read_csv(root / "out" / "by_stage.csv")["stage"]) == {"farm", "retail"}
    output = " ".join(result.output.split())
    assert "12.46" in output and "95 % interval" in output and "Largest contributors" in output
    # the same seed gives the same interval
    again = invoke(str(root), "--iterations", "400", "--seed", "7", "--out", str(tmp_path / "again"))
    assert again.exit_code == 0, again.output
    assert json.loads((tmp_path / "again" / "footprint.json").read_text(encoding="utf-8"))["uncertainty"] == unc


def test_footprint_speaks_chinese_and_takes_another_product(tmp_path):
    root = dairy(tmp_path / "zh")
    result = invoke(str(root), "--product", "meat", "--iterations", "0", "--lang", "zh")
    assert result.exit_code == 0, result.output
    assert "碳足迹" in result.output and "未做蒙特卡洛模拟" in result.output
    record = json.loads((root / "out" / "footprint.json").read_text(encoding="utf-8"))
    assert record["reference"] == "meat" and record["footprint_kg_co2e"] == pytest.approx(15.0, rel=1e-9)
    assert record["uncertainty"] is None


def test_bad_input_exits_2_and_writes_nothing(tmp_path):
    root = project(
        tmp_path / "bad",
        PROCESSES,
        EXCHANGES.replace("0.2\n", "0.3\n", 1).replace("kg,biosphere,lognormal,1.2", "kg,biosphere,lognormal,0.9"),
        "shop",
    )
    result = invoke(str(root), "--lang", "en")
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert "exchanges.csv, row 2, column allocation" in output and "add up to 1.1, not 1" in output
    assert "exchanges.csv, row 4, column gsd" in output
    assert not (root / "out").exists()
    unknown = invoke(str(dairy(tmp_path / "ok")), "--product", "mlik")
    assert unknown.exit_code == 2 and "did you mean 'milk'?" in " ".join(unknown.output.split())
    assert not (tmp_path / "ok" / "out").exists()


def test_run_fills_summary_product(tmp_path):
    root = dairy(tmp_path / "run", extra="iterations = 200\nseed = 1\n")
    (root / "activities.csv").write_text(
        "id,date,activity,quantity,unit\nD1,2024-01-01,fuel/diesel,1,t\n", encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["run", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    summary = json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))
    product = summary["product"]
    assert set(product) == {
        "reference",
        "functional_unit",
        "footprint_kg_co2e",
        "by_stage",
        "by_process",
        "uncertainty",
    }
    assert product["footprint_kg_co2e"] == pytest.approx(12.46, rel=1e-9)
    assert product["uncertainty"]["iterations"] == 200 and "histogram" not in product["uncertainty"]
    footprint = json.loads((root / "out" / "footprint.json").read_text(encoding="utf-8"))
    assert footprint["footprint_kg_co2e"] == product["footprint_kg_co2e"]
    # a footprint afterwards keeps the run's outputs (they stay in the folder's manifest)
    assert invoke(str(root), "--iterations", "0").exit_code == 0
    assert (root / "out" / "summary.json").exists() and (root / "out" / "emissions.csv").exists()
    manifest = json.loads((root / "out" / "dualcarbon-manifest.json").read_text(encoding="utf-8"))
    assert {"summary.json", "footprint.json"} <= {e["name"] for e in manifest["files"]}


def test_run_without_product_has_null_and_product_only_points_to_footprint(tmp_path):
    plain = tmp_path / "plain"
    project(plain, PROCESSES, EXCHANGES, "shop")
    (plain / "processes.csv").unlink()
    (plain / "exchanges.csv").unlink()
    text = (plain / "dualcarbon.toml").read_text(encoding="utf-8")
    (plain / "dualcarbon.toml").write_text(text.split("[product]")[0], encoding="utf-8")
    (plain / "activities.csv").write_text("id,date,activity,quantity,unit\nD1,2024-01-01,fuel/diesel,1,t\n")
    assert CliRunner().invoke(app, ["run", str(plain)]).exit_code == 0
    assert json.loads((plain / "out" / "summary.json").read_text(encoding="utf-8"))["product"] is None
    only = dairy(tmp_path / "only")
    result = CliRunner().invoke(app, ["run", str(only), "--lang", "en"])
    assert result.exit_code == 2
    assert "dualcarbon footprint" in " ".join(result.output.split())
    assert not (only / "out").exists()


def test_validate_checks_the_product_model(tmp_path):
    good = dairy(tmp_path / "good")
    result = CliRunner().invoke(app, ["validate", str(good), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "The product model is valid: 3 products" in result.output
    bad = project(tmp_path / "bad", PROCESSES, EXCHANGES.replace("shop,milk,1.03,kg", "shop,milk,1.03,km"), "shop")
    result = CliRunner().invoke(app, ["validate", str(bad), "--lang", "en"])
    assert result.exit_code == 2
    assert "exchanges.csv, row 7, column unit" in " ".join(result.output.split())


def test_the_50_largest_processes_then_the_others(tmp_path):
    # p0 uses 1 unit of p1, p1 of p2 … p59; process k emits (k + 1) kg CO2 per unit: the footprint of p0 is
    # 1 + 2 + … + 60 = 1,830 kg, the 50 largest are p59 … p10 and the others p9 … p0 sum to 1 + … + 10 = 55.
    from dualcarbon.project.footprint import footprint, tables
    from dualcarbon.project.products import load_product

    processes = "".join(f"p{k},过程{k},Process {k},kg,,s{k % 3}\n" for k in range(60))
    exchanges = "".join(
        f"p{k},p{k},1,kg,production\np{k},CO2,{k + 1},kg,biosphere\n"
        + (f"p{k},p{k + 1},1,kg,technosphere\n" if k < 59 else "")
        for k in range(60)
    )
    record = footprint(load_product(project(tmp_path / "chain", processes, exchanges, "p0")))
    assert record["footprint_kg_co2e"] == pytest.approx(1830.0, rel=1e-9)
    rows = record["by_process"]
    assert len(rows) == 51 and rows[0]["process"] == "p59" and rows[49]["process"] == "p10"
    assert rows[-1]["process"] == "others" and rows[-1]["kg_co2e"] == pytest.approx(55.0, rel=1e-9)
    assert rows[-1]["name"] == "其他" and rows[-1]["name_en"] == "others"
    assert tables(record)["by_process.csv"].height == 60
    assert sum(s["kg_co2e"] for s in record["by_stage"]) == pytest.approx(1830.0, rel=1e-9)
