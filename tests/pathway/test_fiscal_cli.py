"""End to end: ``dualcarbon pathway`` with a carbon price and instruments.csv: the plan with and without support
side by side (CLI, pathway.json, pathway.csv, measures_plan.csv, report), and bad input (exit 2, nothing written)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app
from tests.projects import depot_activities, depots_toml

SETTINGS = """
[targets]
cuts = [{ year = 2026, percent = 50 }]

[pathway]
start_year = 2025
end_year = 2026
discount_rate = 0.0
carbon_price = "prices.csv"
free_allocation = 1000
"""
MEASURES = """id,name_zh,name_en,applies_to,share,capex,lifetime_years,excludes,capacity_kw,source
a,措施甲,Measure A,all,0.5,10000,10,b,,assumption
b,措施乙,Measure B,all,0.5,12000,10,a,40,assumption
"""
INSTRUMENTS = """id,name_zh,name_en,kind,measures,rate,amount,to_year,document,article,status
grant,投资补助,Capital grant,capital_share,b,25%,,2026,Test document No. 1 (2025),art. 3,assumption
"""
PRICES = """year,price,currency,status,source
2025,2,CNY,assumption,test
2026,4,CNY,assumption,test
"""


def project(tmp_path: Path, instruments: str = INSTRUMENTS, prices: str = PRICES, extra: str = "") -> Path:
    root = tmp_path / "plant"
    root.mkdir()
    (root / "dualcarbon.toml").write_text(depots_toml("Plant") + SETTINGS + extra, encoding="utf-8")
    (root / "activities.csv").write_bytes(depot_activities(["Boiler"], ["2024-06-30"]))
    (root / "measures.csv").write_text(MEASURES, encoding="utf-8")
    (root / "instruments.csv").write_text(instruments, encoding="utf-8")
    (root / "prices.csv").write_text(prices, encoding="utf-8")
    return root


def test_the_plan_with_and_without_support(tmp_path):
    """One boiler; the cut of 50 % in 2026 takes A or B (each half of the emissions). At r = 0 and lifetime 10,
    A costs 1,000 a year in place, B 1,200; both abate the same, so the carbon price does not choose between them.
    Without support A starts in 2026 (cost 1,000); a 25 % grant to B (300 a year) makes B 900: B from 2026."""
    root = project(tmp_path)
    result = CliRunner().invoke(app, ["pathway", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "With and without the fiscal support (instruments: 1)" in text
    assert "Capital grant [Capital subsidy (share of investment)] Test document No. 1 (2025) art. 3" in text
    out = root / "out"
    record = json.loads((out / "pathway.json").read_text(encoding="utf-8"))
    assert record["chosen"] == [{"id": "b", "start_year": 2026, "adoption": 1.0}]
    without = record["without_support"]
    assert without["chosen"] == [{"id": "a", "start_year": 2026, "adoption": 1.0}]
    assert without["changes"] == [
        {"id": "a", "with": None, "without": {"start_year": 2026, "adoption": 1.0}},
        {"id": "b", "with": {"start_year": 2026, "adoption": 1.0}, "without": None},
    ]
    (grant,) = record["instruments"]
    assert grant["support_discounted"] == pytest.approx(300)
    assert grant["cost_change"] == pytest.approx(100)  # 1,000 (A) − 900 (B net of the grant)
    assert grant["document"] == "Test document No. 1 (2025)" and grant["status"] == "assumption"
    carbon = record["carbon_price"]
    assert [r["price"] for r in carbon["by_year"]] == [2, 4]
    emitted = [json.loads((out / "summary.json").read_text(encoding="utf-8"))["totals"]["total_location"]] * 2
    rows = list(csv.DictReader((out / "pathway.csv").open(encoding="utf-8")))
    # carbon cost = price × (covered − free allocation): 2025 all emitted, 2026 half abated
    assert float(rows[0]["carbon_cost"]) == pytest.approx(2 * (emitted[0] - 1000), rel=1e-9)
    assert float(rows[1]["carbon_cost"]) == pytest.approx(4 * (emitted[1] / 2 - 1000), rel=1e-9)
    assert float(rows[1]["support"]) == pytest.approx(300)
    assert record["cost_discounted"] == pytest.approx(
        float(rows[0]["carbon_cost"]) + float(rows[1]["carbon_cost"]) + 1200 - 300
    )
    assert float(rows[1]["cost_no_support"]) == pytest.approx(1000 + float(rows[1]["carbon_cost"]))
    plan = {r["id"]: r for r in csv.DictReader((out / "measures_plan.csv").open(encoding="utf-8"))}
    assert plan["a"]["chosen_no_support"] == "true" and plan["b"]["chosen_no_support"] == "false"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "The plan with and without the fiscal support" in html and "Test document No. 1 (2025)" in html


def test_bundled_price_in_another_currency_needs_the_exchange_rate(tmp_path):
    root = project(tmp_path, extra="")
    toml = (root / "dualcarbon.toml").read_text(encoding="utf-8").replace('"prices.csv"', '"eu-ets"')
    (root / "dualcarbon.toml").write_text(toml, encoding="utf-8")
    result = CliRunner().invoke(app, ["pathway", str(root), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert "pathway.carbon_price_fx" in " ".join(result.output.split())
    assert not (root / "out").exists()
    (root / "dualcarbon.toml").write_text(toml + "carbon_price_fx = 7.8\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["pathway", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    record = json.loads((root / "out" / "pathway.json").read_text(encoding="utf-8"))
    assert record["carbon_price"]["by_year"][0]["price"] == pytest.approx(67 * 7.8)  # 2024's, held flat


@pytest.mark.parametrize(
    ("instruments", "expect"),
    [
        (
            "id,kind,measures,rate,document,article,status\ng,capital_share,zz,25%,Doc,art. 1,read\n",
            ["instruments.csv, row 2, column measures", "'zz'", "expected ids of measures.csv (a, b)"],
        ),
        (
            "id,kind,measures,rate,document,article,status\ng,subsidy,b,25%,Doc,art. 1,read\n",
            ["row 2, column kind", "expected one of capital_share"],
        ),
        (
            "id,kind,measures,rate,document,article,status\ng,capital_share,b,,Doc,,maybe\n",
            ["column article", "column rate", "this kind needs a rate", "column status", "'maybe'"],
        ),
        (
            "id,kind,measures,amount,document,article,status\ng,capital_per_kw,a,100,Doc,art. 1,read\n",
            ["column measures", "give capacity_kw in measures.csv for a"],
        ),
        (
            "id,kind,applies_to,amount,document,article,status\nl,levy,,5,Doc,art. 1,read\n",
            ["column applies_to", "a levy needs applies_to"],
        ),
        ("id,kind,rate,status\ng,capital_share,25%,read\n", ["row 1, column document", "row 1, column article"]),
        (
            "id,kind,applies_to,tiers,output,document,article,status\nt,levy_tiered,all,0.9:5; *:1,,Doc,art. 1,read\n",
            ["row 2, column tiers", "'0.9:5; *:1'", "rates not falling", "row 2, column output", "needs output"],
        ),
        (
            "id,kind,applies_to,amount,tiers,output,document,article,status\nl,levy,all,5,0.9:1; *:5,100,Doc,art. 1,read\n",
            ["row 2, column tiers", "row 2, column output", "only a levy by intensity tier"],
        ),
    ],
)
def test_bad_instruments(tmp_path, instruments, expect):
    root = project(tmp_path, instruments=instruments)
    result = CliRunner().invoke(app, ["pathway", str(root), "--lang", "en"])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    for part in expect:
        assert part in text, f"{part!r} not in {text!r}"
    assert not (root / "out").exists()


def test_bad_price_file(tmp_path):
    root = project(tmp_path, prices="year,price,status\n2025,-3,read\n2025x,4,sure\n")
    result = CliRunner().invoke(app, ["pathway", str(root), "--lang", "en"])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    for part in ("prices.csv, row 2, column price", "expected a price >= 0", "row 3, column year", "column status"):
        assert part in text, f"{part!r} not in {text!r}"
    assert not (root / "out").exists()


def test_selectors_that_name_nothing(tmp_path):
    """A levy on emissions the inventory does not have and a carbon price on them: typos, refused."""
    levy = "id,kind,applies_to,amount,document,article,status\nl,levy,fuel/raw_coal,5,Doc,art. 1,read\n"
    root = project(tmp_path, instruments=levy, extra='carbon_covers = "fuel/natural_gas"\n')
    result = CliRunner().invoke(app, ["pathway", str(root), "--lang", "en"])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "instruments.csv, row 2, column applies_to: 'fuel/raw_coal': names no emission source" in text
    assert "pathway.carbon_covers" in text
    assert not (root / "out").exists()


def test_validate_checks_the_instruments_and_the_price_file(tmp_path):
    bad = "id,kind,measures,rate,document,article,status\ng,capital_share,zz,25%,Doc,art. 1,read\n"
    root = project(tmp_path, instruments=bad, prices="year,price\n2025,-1\n")
    result = CliRunner().invoke(app, ["validate", str(root), "--lang", "en"])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "instruments.csv, row 2, column measures" in text and "prices.csv, row 2, column price" in text
