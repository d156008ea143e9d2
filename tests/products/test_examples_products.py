"""The bundled product examples (`milk`, `cement-product`): their figures against the organisational examples
they come from, `dualcarbon init` on them, and (once the engine is there) `dualcarbon footprint` end to end."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from dualcarbon import engine
from dualcarbon.cli import app
from dualcarbon.project.load import load

EXAMPLES = Path(str(resources.files("dualcarbon").joinpath("examples")))
CEMENT = EXAMPLES / "cement-product"
PLANT = EXAMPLES / "cement-plant"
CLINKER_T = 1_547_999.0  # the cement-plant example's 熟料 rows, 2024
CEMENT_T = 2_100_000.0  # its [output] cement, 2024


def exchanges(root: Path) -> list[dict[str, str]]:
    with (root / "exchanges.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def plant_emissions() -> pl.DataFrame:
    project = load(PLANT)
    result = engine.compute(project.activities, project.library, project.settings, project.instruments, project.spend)
    return result.emissions


def test_cement_product_clinker_co2_is_the_plants_process_emissions(plant_emissions):
    """Calcination, kiln dust and organic carbon per t of clinker = the engine's results on the plant's rows."""
    per_kind = {
        r["kind"]: r["mass_t"] * 1000.0 / CLINKER_T
        for r in plant_emissions.filter(pl.col("kind").str.starts_with("cement_"))
        .group_by("kind")
        .agg(pl.col("mass_t").sum())
        .iter_rows(named=True)
    }
    written = [float(r["amount"]) for r in exchanges(CEMENT) if r["process"] == "clinker" and r["input"] == "CO2"]
    want = [per_kind["cement_clinker"], per_kind["cement_kiln_dust"], per_kind["cement_organic_carbon"]]
    assert written == pytest.approx(want, rel=1e-9)
    # and by hand, GB/T 32151.8-2015: (0.656 − 0.009) × 44/56 + (0.024 − 0.001) × 44/40 t CO2/t clinker
    assert written[0] == pytest.approx(((0.656 - 0.009) * 44 / 56 + (0.024 - 0.001) * 44 / 40) * 1000, rel=1e-9)


def test_cement_product_energy_and_clinker_ratio_are_the_plants():
    acts = pl.read_csv(PLANT / "activities.csv", infer_schema=False).with_columns(
        pl.col("quantity").str.replace_all(",", "").cast(pl.Float64), pl.col("ncv").cast(pl.Float64)
    )

    def total(facility: str, activity: str) -> float:
        return acts.filter((pl.col("facility") == facility) & (pl.col("activity") == activity))["quantity"].sum()

    coal = acts.filter(pl.col("activity") == "原煤")
    amounts = {(r["process"], r["input"]): float(r["amount"]) for r in exchanges(CEMENT) if r["input"] != "CO2"}
    assert amounts[("clinker", "fuel/raw_coal")] == pytest.approx((coal["quantity"] * coal["ncv"]).sum() / CLINKER_T)
    assert amounts[("clinker", "electricity/grid")] == pytest.approx(total("一号熟料线", "外购电力") * 1e4 / CLINKER_T)
    assert amounts[("raw-materials", "fuel/diesel")] == pytest.approx(total("矿山", "柴油") * 1000 / CLINKER_T)
    assert amounts[("raw-materials", "spend/naics/212312")] == pytest.approx(
        total("一号熟料线", "spend/naics/212312") / CLINKER_T
    )
    assert amounts[("cement", "electricity/grid")] == pytest.approx(total("水泥粉磨站", "外购电力") * 1e4 / CEMENT_T)
    assert amounts[("cement", "clinker")] == pytest.approx(total("一号熟料线", "熟料") / CEMENT_T)
    assert "quantity = { 2020 = 2050000, 2024 = 2100000 }" in (PLANT / "dualcarbon.toml").read_text("utf-8")


@pytest.mark.parametrize("name", ["milk", "cement-product"])
def test_init_copies_a_product_example_and_points_to_footprint(tmp_path, name):
    """Before: `init --example milk` ended "Next: dualcarbon run m", a command that needs activities.csv."""
    root = tmp_path / "m"
    result = CliRunner().invoke(app, ["init", str(root), "--example", name, "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert f"Next: dualcarbon footprint {root}" in result.output
    assert {p.name for p in root.iterdir()} >= {"dualcarbon.toml", "processes.csv", "exchanges.csv"}
    zh = CliRunner().invoke(app, ["init", str(tmp_path / "z"), "--example", name])  # the example's language
    assert zh.exit_code == 0, zh.output
    assert "下一步：dualcarbon footprint" in zh.output


def test_init_of_an_inventory_example_still_points_to_run(tmp_path):
    result = CliRunner().invoke(app, ["init", str(tmp_path / "d"), "--example", "dairy", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Next: dualcarbon run" in result.output


# --- end to end: `dualcarbon footprint` on the examples against a dense solve by hand ---------------------

GWP_AR5 = {"CO2": 1.0, "CH4": 28.0, "CH4_biogenic": 28.0, "N2O": 265.0}  # IPCC AR5 WG1 Table 8.7, 100 years


def background_kg_co2e(root: Path, keys: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], float]:
    """kg CO2e per unit of each (activity key, unit, region): the inventory engine on one row of 1,000 units."""
    work = root.parent / f"{root.name}-bg"
    work.mkdir()
    settings = tomllib.loads((root / "dualcarbon.toml").read_text("utf-8"))
    lines = []
    for table in ("organization", "period", "method"):
        lines.append(f"[{table}]")
        for k, v in settings[table].items():
            lines.append(f"{k} = {json.dumps(v) if not isinstance(v, dt.date) else v.isoformat()}")
    (work / "dualcarbon.toml").write_text("\n".join(lines) + "\n", "utf-8")
    with (work / "activities.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "facility", "date", "activity", "quantity", "unit", "region"])
        for i, (key, unit, region) in enumerate(keys):
            w.writerow([f"K{i}", "x", "2024-01-01", key, 1000, unit, region])
    project = load(work)
    rows = engine.compute(project.activities, project.library, project.settings, project.instruments, project.spend)
    rows = rows.emissions.filter(pl.col("scope2_method").is_null() | (pl.col("scope2_method") == "location"))
    # each gas's mass × its GWP (the project's set, the engine's gwp column), per 1,000 units → kg per unit
    return {
        k: rows.filter(pl.col("id") == f"K{i}").select((pl.col("mass_t") * pl.col("gwp")).sum()).item()
        for i, k in enumerate(keys)
    }


def hand_footprints(root: Path) -> dict[str, float]:
    """kg CO2e per unit of every product of an example: A and the direct emissions from exchanges.csv,
    co-products split by their allocation shares (ISO 14044 4.3.4.2), solved densely (Aᵀ x = d)."""
    with (root / "processes.csv").open(encoding="utf-8", newline="") as fh:
        location = {r["id"]: r["location"] for r in csv.DictReader(fh)}
    rows = exchanges(root)
    keys = sorted(
        {
            (r["input"], r["unit"], location[r["process"]])
            for r in rows
            if r["type"] == "technosphere" and r["input"] not in location
        }
    )
    factor = background_kg_co2e(root, keys)
    columns = [
        (r["input"], r["process"], float(r["allocation"] or 1.0), float(r["amount"]))
        for r in rows
        if r["type"] == "production"
    ]
    products = [c[0] for c in columns]
    a = np.zeros((len(columns), len(columns)))
    direct = np.zeros(len(columns))
    for j, (_, process, share, output) in enumerate(columns):
        a[j, j] = output
        for r in rows:
            if r["process"] != process or r["type"] == "production":
                continue
            amount = float(r["amount"]) * share
            if r["type"] == "biosphere":
                direct[j] += amount * GWP_AR5[r["input"]]
            elif r["input"] in products:
                a[products.index(r["input"]), j] -= amount
            else:
                direct[j] += amount * factor[(r["input"], r["unit"], location[process])]
    return dict(zip(products, np.linalg.solve(a.T, direct), strict=True))


@pytest.mark.parametrize(
    ("name", "reference", "reported"),
    [("milk", "milk-retail", "raw-milk"), ("cement-product", "cement", "clinker")],
)
def test_footprint_command_on_the_examples_matches_the_hand_computation(tmp_path, name, reference, reported):
    root = tmp_path / name
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(root), "--example", name]).exit_code == 0
    result = runner.invoke(app, ["footprint", str(root), "--lang", "en", "--iterations", "200"])
    assert result.exit_code == 0, result.output
    expected = hand_footprints(root)
    written = json.loads((root / "out" / "footprint.json").read_text(encoding="utf-8"))
    assert written["reference"] == reference
    assert written["footprint_kg_co2e"] == pytest.approx(expected[reference], rel=1e-6)
    products = {p["id"]: p["footprint_kg_co2e"] for p in written["products"]}
    assert products == {
        reference: pytest.approx(expected[reference], rel=1e-6),
        reported: pytest.approx(expected[reported], rel=1e-6),
    }
    # the 95 % interval brackets the static result; contributions by stage add up to it
    interval = written["uncertainty"]
    assert interval["iterations"] == 200
    assert interval["p2_5"] < expected[reference] < interval["p97_5"]
    assert sum(s["kg_co2e"] for s in written["by_stage"]) == pytest.approx(expected[reference], rel=1e-9)
    assert f"{expected[reference]:.4g}" in result.output


def test_milk_figures_in_the_docs_are_the_hand_computation(tmp_path):
    """docs/examples-products.md quotes 0.7905 kg CO2e per litre and 0.5204 per kg FPCM."""
    root = tmp_path / "milk"
    shutil.copytree(EXAMPLES / "milk", root)
    expected = hand_footprints(root)
    assert round(expected["milk-retail"], 4) == 0.7905
    assert round(expected["raw-milk"], 4) == 0.5204
    # the year's residual (30,000,000 L sold) is covered by the 25,000 t of credits retired
    assert expected["milk-retail"] * 30_000_000 / 1000 < 25_000


def test_milk_claim_for_a_years_sales_holds(tmp_path):
    """Before: the plan was a name without a file, one target, and the credits retired for the product's name
    rather than the claimant, so ISO-PLAN-01 and ISO-CR-05 failed and no credit counted (net 23,715 t)."""
    root = tmp_path / "m"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(root), "--example", "milk"]).exit_code == 0
    result = runner.invoke(app, ["footprint", str(root), "--lang", "en", "--iterations", "0"])
    assert result.exit_code == 0, result.output
    claim = json.loads((root / "out" / "footprint.json").read_text(encoding="utf-8"))["neutrality"]
    assert claim["subject"] == "product"
    assert claim["status"] == "achieved", result.output
    residual_t = hand_footprints(root)["milk-retail"] * 30_000_000 / 1000
    assert claim["balance"]["residual"] == pytest.approx(residual_t, rel=1e-6)
    assert claim["balance"]["net"] == pytest.approx(0.0, abs=1e-6)
