"""End to end on the bundled district example (issue 4): a territorial inventory by sector, its
forest stands, a PAS 2060 assessment and the least-cost pathway to the China targets.

The figures pinned here are the example's own (illustrative data); the removals are recomputed by
hand from the stands' parameters (CCER-14-001-V01 Tier 1, docs/neutrality.md).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.neutrality.sinks import parameter_table


@pytest.fixture(scope="module")
def district(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("daxing") / "daxing"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(root), "--example", "daxing-district"]).exit_code == 0
    result = runner.invoke(app, ["pathway", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Every target met at least cost" in " ".join(result.output.split())
    return root


def test_inventory_by_sector(district):
    summary = json.loads((district / "out" / "summary.json").read_text(encoding="utf-8"))
    t = summary["totals"]
    assert t["total_location"] == pytest.approx(8_924_244.22, abs=0.01)
    assert t["total_market"] == pytest.approx(8_690_976.22, abs=0.01)  # 420,000 MWh of GECs retired
    sectors = {f["facility"] for f in summary["by_facility"]}
    assert sectors == {"能源", "工业", "交通", "建筑", "废弃物"}


def test_forest_removals_by_hand(district):
    """100,000 mu = 6,666.67 ha planted 2019-2022; 2024 growth of each stand, by hand:
    A × I_V × D × BEF × (1 + R) × CF × 44/12 with the stand's own I_V and D where given."""
    table = parameter_table()

    def default(group: str, parameter: str) -> float:
        row = table.filter((table["species_group"] == group) & (table["parameter"] == parameter))
        return float(row["value"][0])

    def growth(mu: float, group: str, iv: float | None = None, d: float | None = None) -> float:
        iv = iv if iv is not None else default(group, "volume_growth_m3_per_ha_yr")
        d = d if d is not None else default(group, "wood_density_t_per_m3")
        return (
            mu
            / 15
            * iv
            * d
            * default(group, "bef")
            * (1 + default(group, "root_shoot"))
            * default(group, "carbon_fraction")
            * 44
            / 12
        )

    expected = (
        growth(40_000, "populus")
        + growth(25_000, "robinia", 4.0, 0.62)
        + growth(20_000, "pinus_tabuliformis", 3.0, 0.36)
        + growth(15_000, "populus")
    )
    summary = json.loads((district / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["neutrality"]["balance"]["removals"] == pytest.approx(expected, rel=1e-9)
    assert expected == pytest.approx(99_111.50, abs=0.01)
    rows = list(csv.DictReader((district / "out" / "pathway.csv").open(encoding="utf-8")))
    assert float(rows[0]["removals_t"]) >= expected  # the stands, plus forest-quality work once chosen


def test_pas2060_assessment_of_a_territory(district):
    n = json.loads((district / "out" / "summary.json").read_text(encoding="utf-8"))["neutrality"]
    assert n["standard"] == "PAS2060" and n["subject"] == "territory"
    assert n["status"] == "not achieved"  # nothing offset yet: the pathway is the answer
    failed = {c["id"] for c in n["checks"] if c["status"] == "failed"}
    assert failed == {"PAS-BAL-01", "PAS-DECL-01"}
    assert n["balance"]["net"] == pytest.approx(8_690_976.22 - 99_111.50, abs=0.02)


def test_least_cost_pathway_meets_every_target(district):
    out = district / "out"
    record = json.loads((out / "pathway.json").read_text(encoding="utf-8"))
    assert record["status"] == "optimal" and record["shortfalls"] == []
    rows = {int(r["year"]): r for r in csv.DictReader((out / "pathway.csv").open(encoding="utf-8"))}
    assert sorted(rows) == list(range(2025, 2061))
    for year, r in rows.items():
        if r["target_t"]:
            assert float(r["net_t"]) <= float(r["target_t"]) * (1 + 1e-6) + 1.0, year
    assert float(rows[2060]["net_t"]) <= 1.0  # neutral in 2060 (offsets within the residual cap)
    plan = list(csv.DictReader((out / "measures_plan.csv").open(encoding="utf-8")))
    assert {"PV", "EV", "CCS"} <= {m["id"] for m in plan if m["chosen"] == "true"}


@pytest.mark.parametrize(
    "lang, words", [("zh", ["碳中和评价", "减排目标与最低成本路径"]), ("en", ["Carbon neutrality", "Pathway"])]
)
def test_report_has_neutrality_and_pathway_sections(district, lang, words):
    result = CliRunner().invoke(app, ["pathway", str(district), "--lang", lang, "--out", str(district / f"out-{lang}")])
    assert result.exit_code == 0, result.output
    html = (district / f"out-{lang}" / "report.html").read_text(encoding="utf-8")
    assert all(w in html for w in words)
    assert "chart-waterfall" in html and "chart-pathway" in html and "chart-macc" in html
