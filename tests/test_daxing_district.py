"""End to end on the bundled district example (issues 4 and 14): Daxing District, Beijing, as a
territory over five years (2020-2024), its sectors, forest stands, a PAS 2060 assessment and the
least-cost pathway to the China targets.

The example's quantities are illustrative (each file says so); what is pinned here is recomputed by
hand in the tests from the example's own rows and the published factors cited next to each figure.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app

YEARS = [2020, 2021, 2022, 2023, 2024]
# MEE/NBS 公告2025年第47号 (and the 2021/2022 editions) 表3 省级电力平均二氧化碳排放因子, Beijing, kg CO2/kWh;
# 2020 takes the nearest later year (2021) and 2024 the latest earlier year (2023): docs/factors.md.
BEIJING_GRID = {2020: 0.5688, 2021: 0.5688, 2022: 0.5580, 2023: 0.5554, 2024: 0.5554}


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("daxing") / "daxing"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(root), "--example", "daxing-district"]).exit_code == 0
    result = runner.invoke(app, ["pathway", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Every target met at least cost" in " ".join(result.output.split())
    return root


def _summary(root: Path) -> dict:
    return json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _location_by_year(root: Path) -> dict[int, float]:
    """t CO2e by year from emissions.csv (location-based Scope 2: market rows and biogenic CO2 left out;
    the year the emission occurs, which for landfilled waste is later than the deposit's date)."""
    out: dict[int, float] = defaultdict(float)
    for r in _rows(root / "out" / "emissions.csv"):
        if r["scope2_method"] != "market" and r["biogenic"] != "true":
            out[int(r["year"])] += float(r["co2e_t"])
    return dict(out)


def test_five_years_of_every_sector(district):
    rows = _rows(district / "activities.csv")
    in_period = [r for r in rows if r["date"][:4] in {str(y) for y in YEARS}]
    assert {int(r["date"][:4]) for r in in_period} == set(YEARS)
    sectors = {r["sector"] for r in in_period}
    # IPCC 2006 codes: energy industries (district heating), manufacturing, road, rail, commercial,
    # residential, agriculture/forestry/fishing fuel, refrigerants (IPPU), livestock (enteric fermentation,
    # manure management), N fertiliser on managed soils, solid waste, incineration
    assert {"1.A.1.a", "1.A.2", "1.A.3.b", "1.A.3.c", "1.A.4.a", "1.A.4.b", "1.A.4.c", "2.F.1", "4.A", "4.C"} <= sectors
    assert {"3.A.1", "3.A.2", "3.C.4"} <= sectors
    by_year = _location_by_year(district)
    assert sorted(by_year) == YEARS
    assert sum(by_year.values()) == pytest.approx(_summary(district)["totals"]["total_location"], rel=1e-9)
    # believable for a district of about 2 million people: 8-12 Mt CO2e a year
    assert all(8e6 < t < 12e6 for t in by_year.values()), by_year


def test_livestock_and_fertiliser_by_hand(district):
    """2024's agriculture (IPCC 2006 Vol. 4 Tier 1, Beijing at 12 °C) from the example's own rows."""
    rows = [r for r in _rows(district / "activities.csv") if r["id"].startswith("AG-") and r["date"][:4] == "2024"]
    q = {r["id"].removesuffix("-2024"): float(r["quantity"]) for r in rows}
    tam = {r["id"].removesuffix("-2024"): float(r["animal_mass_kg"]) for r in rows if r["animal_mass_kg"]}
    ch4, n2o = 28, 265  # AR5 GWP100
    # 3.A.1: Table 10.11 Asia dairy 68, other cattle 47; Table 10.10 developing countries swine 1 kg CH4/head/yr
    enteric = (q["AG-DAIRY-ENT"] * 68 + q["AG-YOUNG-ENT"] * 47 + q["AG-PIG-ENT"] * 1) / 1000 * ch4
    # 3.A.2: Table 10.14 Asia at 12 °C (dairy 10, other cattle 1, swine 2) and direct N2O, Nex = Nrate (Table
    # 10.19 Asia: 0.47, 0.34, market swine 0.42) × TAM/1000 × 365, EF3 (Table 10.21) solid storage 0.005,
    # liquid/slurry without crust 0
    nex = {
        k: q[k] * rate * tam[k] / 1000 * 365
        for k, rate in [("AG-DAIRY-MM", 0.47), ("AG-YOUNG-MM", 0.34), ("AG-PIG-MM", 0.42)]
    }
    manure = (q["AG-DAIRY-MM"] * 10 + q["AG-YOUNG-MM"] * 1 + q["AG-PIG-MM"] * 2) / 1000 * ch4
    manure += (nex["AG-DAIRY-MM"] + nex["AG-YOUNG-MM"]) * 0.005 * 44 / 28 / 1000 * n2o
    # 3.C.6: FracGasMS (Table 10.22) dairy solid 30 %, other cattle solid 45 %, swine liquid/slurry 48 %; EF4 0.01
    indirect = (
        (nex["AG-DAIRY-MM"] * 0.30 + nex["AG-YOUNG-MM"] * 0.45 + nex["AG-PIG-MM"] * 0.48) * 0.01 * 44 / 28 / 1000 * n2o
    )
    # 3.C.4 / 3.C.5: EF1 0.01; FracGASF 0.10 × EF4 0.01 + FracLEACH 0.30 × EF5 0.0075 (Tables 11.1, 11.3)
    n_kg = q["AG-N"] * 1000
    by = {c["category"]: c["co2e_t"] for c in _summary(district)["territory"]["ipcc"]["by_category"]}
    assert by["3.A.1"] == pytest.approx(enteric, rel=1e-9)
    assert by["3.A.2"] == pytest.approx(manure, rel=1e-9)
    assert by["3.C.6"] == pytest.approx(indirect, rel=1e-9)
    assert by["3.C.4"] == pytest.approx(n_kg * 0.01 * 44 / 28 / 1000 * n2o, rel=1e-9)
    assert by["3.C.5"] == pytest.approx(n_kg * (0.10 * 0.01 + 0.30 * 0.0075) * 44 / 28 / 1000 * n2o, rel=1e-9)


def test_grid_electricity_by_hand(district):
    """Location-based Scope 2 of grid electricity = Σ MWh × the Beijing provincial factor of the row's year."""
    expected = sum(
        float(r["quantity"]) * 10 * BEIJING_GRID[int(r["date"][:4])]  # 万千瓦时 → MWh; kg/kWh = t/MWh
        for r in _rows(district / "activities.csv")
        if r["activity"] == "外购电力"
    )
    computed = sum(
        float(r["co2e_t"])
        for r in _rows(district / "out" / "emissions.csv")
        if r["key"] == "electricity/grid" and r["scope2_method"] != "market"
    )
    assert computed == pytest.approx(expected, rel=1e-9)


def test_pas2060_assessment_of_a_territory(district):
    n = _summary(district)["neutrality"]
    assert n["standard"] == "PAS2060" and n["subject"] == "territory"
    assert n["status"] == "not achieved"  # nothing offset yet: the pathway is the answer
    failed = {c["id"] for c in n["checks"] if c["status"] == "failed"}
    assert failed == {"PAS-BAL-01", "PAS-DECL-01"}


def test_least_cost_pathway_meets_every_target(district):
    out = district / "out"
    record = json.loads((out / "pathway.json").read_text(encoding="utf-8"))
    assert record["status"] == "optimal" and record["shortfalls"] == []
    rows = {int(r["year"]): r for r in _rows(out / "pathway.csv")}
    assert sorted(rows) == list(range(2025, 2061))
    for year, r in rows.items():
        if r["target_t"]:
            assert float(r["net_t"]) <= float(r["target_t"]) * (1 + 1e-6) + 1.0, year
    assert float(rows[2060]["net_t"]) <= 1.0  # neutral in 2060 (offsets within the residual cap)
    plan = _rows(out / "measures_plan.csv")
    assert {"PV", "EV"} <= {m["id"] for m in plan if m["chosen"] == "true"}


@pytest.mark.parametrize(
    "lang, words", [("zh", ["碳中和评价", "减排目标与最低成本路径"]), ("en", ["Carbon neutrality", "Pathway"])]
)
def test_report_has_neutrality_and_pathway_sections(district, lang, words):
    result = CliRunner().invoke(app, ["pathway", str(district), "--lang", lang, "--out", str(district / f"out-{lang}")])
    assert result.exit_code == 0, result.output
    html = (district / f"out-{lang}" / "report.html").read_text(encoding="utf-8")
    assert all(w in html for w in words)
    assert "chart-waterfall" in html and "chart-pathway" in html and "chart-macc" in html
