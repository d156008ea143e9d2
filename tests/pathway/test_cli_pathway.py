"""End to end: ``dualcarbon pathway`` on the bundled cement plant, and invalid input (exit 2, nothing written)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app

PATHWAY_COLUMNS = [
    "year",
    "bau_t",
    "target_t",
    "target_kind",
    "abatement_t",
    "emissions_t",
    "removals_t",
    "offsets_t",
    "net_t",
    "gap_t",
    "shortfall_t",
    "cost",
    "cost_discounted",
]


def said(result) -> str:
    """The command's output with rich's line wrapping undone."""
    return " ".join(result.output.split())


def init(tmp_path: Path) -> Path:
    root = tmp_path / "cement"
    result = CliRunner().invoke(app, ["init", str(root), "--example", "cement-plant"])
    assert result.exit_code == 0, result.output
    return root


def test_pathway_on_the_cement_example(tmp_path):
    root = init(tmp_path)
    result = CliRunner().invoke(app, ["pathway", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Every target met at least cost" in said(result)
    out = root / "out"
    assert {
        "pathway.csv",
        "measures_plan.csv",
        "abatement.csv",
        "pathway.json",
        "report.html",
        "summary.json",
        "emissions.csv",
        "inventory.csv",
    } <= {p.name for p in out.iterdir()}
    rows = list(csv.DictReader((out / "pathway.csv").open(encoding="utf-8")))
    assert list(rows[0]) == PATHWAY_COLUMNS
    assert [int(r["year"]) for r in rows] == list(range(2025, 2061))
    # BAU in 2025 = the 2024 inventory (Scopes 1-3, market-based: the neutrality footprint's boundary)
    # grown as the settings say: +1 %/yr except grid electricity −1 %/yr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    t = summary["totals"]
    electricity = sum(c["co2e_t"] for c in summary["by_category"] if c.get("scope2_method") == "market")
    expected = (t["total_market"] - electricity) * 1.01 + electricity * 0.99
    assert float(rows[0]["bau_t"]) == pytest.approx(expected, rel=1e-9)
    for r in rows:  # every target met: net emissions at or under the target line
        if r["target_t"]:
            assert float(r["net_t"]) <= float(r["target_t"]) + 1.0
    record = json.loads((out / "pathway.json").read_text(encoding="utf-8"))
    assert record["schema"] == "dualcarbon.pathway/1" and record["status"] == "optimal"
    assert record["targets"]["template"] == "china" and record["targets"]["base_year"] == 2020
    # one set of targets: the pathway counts from the neutrality plan's base year 2020 (1,486,000 t) and its
    # reduction_targets are the pathway's milestones
    assert record["targets"]["base_emissions_t"] == 1_486_000
    assert [(c["year"], c["percent"]) for c in record["targets"]["cuts"] if c["against"] == "base"] == [
        (2030, 20),
        (2050, 80),
    ]
    # emissions fall after the base year 2020: it is the peak of both series (2024: 1,405,714 t)
    assert record["bau_peak"]["year"] == 2020 and record["pathway_peak"]["year"] == 2020
    net = {int(r["year"]): float(r["net_t"]) for r in rows}
    assert net[2030] <= 0.8 * 1_486_000 + 1.0 and net[2050] <= 0.2 * 1_486_000 + 1.0  # the milestones bind
    # build-out limits (measures.csv max_build_per_year): CLK 25 %, AF 20 % of the measure a year at most
    built: dict[str, dict[int, float]] = {}
    for r in csv.DictReader((out / "abatement.csv").open(encoding="utf-8")):
        built.setdefault(r["measure"], {})[int(r["year"])] = float(r["in_place"])
    for measure, limit in (("CLK", 0.25), ("AF", 0.20)):
        shares = built[measure]
        steps = [shares[y] - shares.get(y - 1, 0.0) for y in sorted(shares)]
        assert max(steps) <= limit + 1e-6, (measure, steps)
    assert built["CLK"][2025] == pytest.approx(0.25) and built["CLK"][2028] == pytest.approx(1.0)
    # capture starts when the 2050 milestone needs it, not in the last year
    assert {c["id"]: c["start_year"] for c in record["chosen"]}["CCS-OXY"] <= 2050
    assert {c["id"] for c in record["chosen"]} >= {"WHR", "CLK"}
    assert set(record["charts"]) == {"trajectory", "macc"} and record["charts"]["macc"]["data"]
    plan = {r["id"]: r for r in csv.DictReader((out / "measures_plan.csv").open(encoding="utf-8"))}
    assert not (
        plan["CCS-AMINE"]["chosen"] == "true" and plan["CCS-OXY"]["chosen"] == "true"
    )  # they exclude each other
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="pathway"' in html and "chart-macc" in html and "Marginal abatement cost curve" in html
    assert "https://" not in html.split("<main>")[1]  # self-contained
    assert len(html.encode()) < 512 * 1024 and "<script" not in html  # light enough to e-mail (before: 4.95 MB)


def test_pathway_report_in_chinese(tmp_path):
    root = init(tmp_path)
    result = CliRunner().invoke(app, ["pathway", str(root)])  # the example's language: zh
    assert result.exit_code == 0, result.output
    assert "以最低成本实现全部目标" in said(result)
    html = (root / "out" / "report.html").read_text(encoding="utf-8")
    assert "减排目标与最低成本路径" in html and "边际减排成本曲线" in html


def test_invalid_measures_exit_2_and_write_nothing(tmp_path):
    root = init(tmp_path)
    path = root / "measures.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace("30%", "130%", 1)  # WHR: a share above 100 %
    rows[2] = rows[2].replace(",8500,", ",lots,", 1)  # PV: potential_t not a number
    rows.append("X1,某措施,Some measure,abatement,fuel/unobtainium,10%,,0,0,0,0,20,2026,1,NOPE,false,")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["pathway", str(root), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert "measures.csv, row 2, column share: '130%'" in said(result)
    assert "measures.csv, row 3, column potential_t: 'lots': expected a number" in said(result)
    assert "measures.csv, row 9, column excludes: 'NOPE'" in said(result)
    assert not (root / "out").exists()
    # once the file is fixed, a measure on an activity the inventory does not have is reported too
    rows = path.read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace("130%", "30%", 1)
    rows[2] = rows[2].replace(",lots,", ",8500,", 1)
    rows[-1] = rows[-1].replace("NOPE", "")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["pathway", str(root), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert "measures.csv, row 9, column applies_to: 'fuel/unobtainium': names no emission source" in said(result)
    assert not (root / "out").exists()


def test_invalid_settings_exit_2(tmp_path):
    root = init(tmp_path)
    toml = root / "dualcarbon.toml"
    text = toml.read_text(encoding="utf-8").replace('template = "china"', 'template = "chna"')
    toml.write_text(text.replace("discount_rate = 0.06", "discount_rate = 0.06\nhorizon = 30"), encoding="utf-8")
    result = CliRunner().invoke(app, ["pathway", str(root), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert "column targets.template" in said(result) and "column pathway.horizon" in said(result)
    assert not (root / "out").exists()


def test_infeasible_targets_are_explained(tmp_path):
    # Without the CCS measures neither the 2050 milestone (-80 % vs 2020) nor the residual cap of 2060
    # (15 % of the base year) can be met.
    root = init(tmp_path)
    path = root / "measures.csv"
    lines = [r for r in path.read_text(encoding="utf-8").splitlines() if not r.startswith("CCS-")]
    path.write_text("\n".join(lines).replace(",CCS-OXY,", ",,").replace(",CCS-AMINE,", ",,") + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["pathway", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Targets cannot be met with these measures" in said(result)
    assert "2060: target 'residual ≤ 15 %' is missed by" in said(result)
    record = json.loads((root / "out" / "pathway.json").read_text(encoding="utf-8"))
    assert record["status"] == "infeasible"
    years = sorted({s["year"] for s in record["shortfalls"]})
    assert years == list(range(2050, 2061)) and all(s["missing_t"] > 100_000 for s in record["shortfalls"])
    assert "2050: target '-80 % vs 2020' is missed by" in said(result)


def test_validate_checks_measures(tmp_path):
    root = init(tmp_path)
    (root / "measures.csv").write_text("id,name_en,share\nA,,x\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(root), "--lang", "en"])
    assert result.exit_code == 2
    assert "measures.csv, row 2, column share: 'x': expected a number" in said(result)
    assert "measures.csv, row 2, column name_en: a name is required" in said(result)


def test_forest_stands_of_sinks_csv_are_removals_of_the_pathway(tmp_path):
    """sinks.csv stands count every year after planting at their Tier 1 annual growth: the cement
    example's two stands (planted 2019 and 2016) remove what the 2024 assessment credits them
    with for a full year, 1,157.79 t CO2 (719.03 + 438.76, docs/neutrality.md), in every pathway year."""
    root = init(tmp_path)
    result = CliRunner().invoke(app, ["pathway", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    summary = json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))
    assessed = summary["neutrality"]["balance"]["removals"]
    assert assessed == pytest.approx(1157.79, abs=0.01)
    rows = list(csv.DictReader((root / "out" / "pathway.csv").open(encoding="utf-8")))
    assert {round(float(r["removals_t"]), 2) for r in rows} == {round(assessed, 2)}


def test_annual_removals_start_the_first_full_year_after_planting():
    import polars as pl

    from dualcarbon.neutrality.sinks import annual_removals

    # 15 mu = 1 ha; 10 m3/ha/yr × 0.5 t/m3 × BEF 1.2 × (1 + 0.25) × CF 0.5 × 44/12 = 13.75 t CO2/yr
    stand = pl.DataFrame(
        {
            "id": ["S"],
            "planting_year": [2026],
            "area_ha": [1.0],
            "volume_growth_m3_per_ha_yr": [10.0],
            "wood_density_t_per_m3": [0.5],
            "bef": [1.2],
            "root_shoot": [0.25],
            "carbon_fraction": [0.5],
            "harvest_m3": [None],
        },
        schema_overrides={"harvest_m3": pl.Float64},
    )
    by_year = annual_removals(stand, [2025, 2026, 2027, 2040])
    assert by_year == {2025: 0.0, 2026: 0.0, 2027: pytest.approx(13.75), 2040: pytest.approx(13.75)}


def test_regression_pathway_without_measures_writes_its_report(tmp_path):
    # Before: a project with [targets] and no measures.csv (so no MACC) stopped with
    # "internal error: UndefinedError: 'dict object' has no attribute 'pathway_macc'", exit 1.
    root = init(tmp_path)
    (root / "measures.csv").unlink()
    result = CliRunner().invoke(app, ["pathway", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    html = (root / "out" / "report.html").read_text(encoding="utf-8")
    assert "Marginal abatement cost curve" not in html and (root / "out" / "pathway.json").exists()


def test_latest_start_and_build_out_columns_are_read_and_checked(tmp_path):
    from dualcarbon.project.measures import load_measures

    path = tmp_path / "measures.csv"
    path.write_text(
        "id,name_en,applies_to,share,start_year,partial,latest_start_year,max_build_per_year\n"
        "A,a,fuel/coal,50%,2026,true,2035,20%\n"
        "B,b,fuel/coal,50%,2030,false,2028,\n"
        "C,c,fuel/coal,50%,,false,,0.5\n"
        "D,d,fuel/coal,50%,,true,soon,150%\n",
        encoding="utf-8",
    )
    measures, problems = load_measures(path)
    assert measures == []
    found = {(p.row, p.column): p.expected for p in problems}
    assert set(found) == {
        (3, "latest_start_year"),
        (4, "max_build_per_year"),
        (5, "latest_start_year"),
        (5, "max_build_per_year"),
    }
    assert "not before start_year" in found[(3, "latest_start_year")]
    assert "needs partial = true" in found[(4, "max_build_per_year")]
    path.write_text(
        path.read_text(encoding="utf-8").splitlines()[0] + "\nA,a,fuel/coal,50%,2026,true,2035,20%\n", encoding="utf-8"
    )
    (a,), problems = load_measures(path)
    assert problems == [] and (a.latest_start_year, a.max_build_per_year, a.partial) == (2035, 0.2, True)
