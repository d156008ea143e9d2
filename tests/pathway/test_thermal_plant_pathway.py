"""End to end: ``dualcarbon init --example thermal-plant`` and ``dualcarbon pathway``: the ten-year plan under the
CEA price path and the free allocation of the ETS run, with and without the local fiscal support."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.pathway import prices


def test_thermal_plant_pathway_with_and_without_support(tmp_path):
    root = tmp_path / "plant"
    assert CliRunner().invoke(app, ["init", str(root), "--example", "thermal-plant"]).exit_code == 0
    result = CliRunner().invoke(app, ["pathway", str(root), "--lang", "en"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "With and without the fiscal support (instruments: 6)" in result.output
    out = root / "out"
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    record = json.loads((out / "pathway.json").read_text(encoding="utf-8"))
    assert record["status"] == "optimal" and record["years"] == [2024, 2033]
    carbon = record["carbon_price"]
    # the price: the CEA's 2024 average (CNY 18.114 bn / 189 Mt), then +8 % a year
    cea_2024 = prices.bundled()["cea"].known()[2024]
    assert [r["price"] for r in carbon["by_year"]] == pytest.approx([cea_2024 * 1.08**k for k in range(10)])
    # free allocation "ets": the run's allowances, held flat (no growth in the BAU)
    allowance = summary["ets"]["totals"]["allowance_t"]
    assert [r["free_allocation_t"] for r in carbon["by_year"]] == pytest.approx([allowance] * 10)
    rows = list(csv.DictReader((out / "pathway.csv").open(encoding="utf-8")))
    for r in rows:  # carbon cost = price × (covered emissions − free allocation); nothing forgone is chosen before 2033
        if int(r["year"]) < 2029:
            expected = float(r["carbon_price"]) * (float(r["covered_t"]) - allowance)
            assert float(r["carbon_cost"]) == pytest.approx(expected, rel=1e-9)
    # every instrument cites its document and says how far it was read
    by_id = {i["id"]: i for i in record["instruments"]}
    assert {i["status"] for i in by_id.values()} <= {"unconfirmed", "second-hand"}
    assert by_id["tz_retrofit_grant"]["status"] == "unconfirmed" and by_id["tz_retrofit_grant"]["article"] == "not read"
    assert by_id["eit_credit"]["article"].endswith("art. 34")
    # the support lowers the plan's cost by what it pays, present value (here the choice stays the same)
    without = record["without_support"]
    paid = sum(i["support_discounted"] for i in record["instruments"])
    assert without["cost_discounted"] - record["cost_discounted"] == pytest.approx(paid, rel=1e-6)
    for r in rows:  # every target met, with and without the support
        if r["target_t"]:
            assert float(r["net_t"]) <= float(r["target_t"]) + 1.0
            assert float(r["net_t_no_support"]) <= float(r["target_t"]) + 1.0
