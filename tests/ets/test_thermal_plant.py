"""The thermal-plant example end to end through ``dualcarbon init`` and ``dualcarbon run``: summary.json
``ets`` as DESIGN.md pins it, ets_units.xlsx with the guideline's tables, the units' figures recomputed
here from the example's files by hand (independently of ets.accounting), and a project without units.csv
keeping ``ets`` null."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from dualcarbon.cli import app

#: the 2022 revision's defaults (src/dualcarbon/ets/guideline/parameters.csv; unconfirmed, docs/ets.md)
COAL_CC, OF, GAS_NCV, GAS_CC = 0.03085, 0.99, 389.31, 0.01532
GRID_2023 = 0.5703  # grid_factors.csv: the 2022 factor carried forward (unconfirmed)


@pytest.fixture(scope="module")
def ran(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("thermal") / "plant"
    runner = CliRunner()
    made = runner.invoke(app, ["init", str(root), "--example", "thermal-plant"])
    assert made.exit_code == 0, made.output
    result = runner.invoke(app, ["run", str(root), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    return root, json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))


def _by_hand(root: Path) -> dict[str, float]:
    """Each unit's emissions from activities.csv: Σ FC × NCV × CC × OF × 44/12 with the row's CC when measured,
    else the default; gas at the appendix defaults; purchased electricity × the ETS grid factor."""
    out: dict[str, float] = {}
    for r in csv.DictReader((root / "activities.csv").open(encoding="utf-8")):
        q = float(r["quantity"])
        if r["activity"] == "原煤":
            cc = float(r["carbon_content"]) if r["measured"] == "true" else COAL_CC
            co2 = q * float(r["ncv"]) * cc * OF * 44 / 12
        elif r["activity"] == "天然气":
            co2 = q * GAS_NCV * GAS_CC * OF * 44 / 12
        else:
            assert r["activity"] == "外购电力" and r["unit"] == "MWh"
            co2 = q * GRID_2023
        out[r["facility"]] = out.get(r["facility"], 0.0) + co2
    return out


def test_summary_ets_as_pinned_and_recomputed_by_hand(ran):
    root, summary = ran
    ets = summary["ets"]
    assert {"units", "totals"} <= set(ets)
    assert {"emissions_t", "allowance_t", "surplus_t"} <= set(ets["totals"])
    expected = _by_hand(root)
    units = {u["unit"]: u for u in ets["units"]}
    assert set(units) == {"U1", "U2", "G3"}
    for unit, co2 in expected.items():
        assert units[unit]["emissions_t"] == pytest.approx(co2, rel=1e-9)
        assert {"intensity_power_t_per_mwh", "intensity_heat_t_per_gj", "allowance_t", "surplus_t"} <= set(units[unit])
    assert ets["totals"]["emissions_t"] == pytest.approx(sum(expected.values()), rel=1e-9)
    # coal units supply no heat: all their emissions are power's, over the MWh supplied
    rows = list(csv.DictReader((root / "generation.csv").open(encoding="utf-8")))
    supplied = sum(float(r["supplied_mwh"]) for r in rows if r["unit"] == "U1")
    assert units["U1"]["intensity_power_t_per_mwh"] == pytest.approx(expected["U1"] / supplied, rel=1e-9)
    assert units["U1"]["intensity_heat_t_per_gj"] is None
    # the CHP unit: each month's emissions split by its heat ratio (generation.csv), summed over the year
    g3 = {r["month"]: r for r in rows if r["unit"] == "G3"}
    heat = 0.0
    for r in csv.DictReader((root / "activities.csv").open(encoding="utf-8")):
        if r["facility"] == "G3":
            month = r["date"][:7]
            heat += float(r["quantity"]) * GAS_NCV * GAS_CC * OF * 44 / 12 * float(g3[month]["heat_ratio"])
    heat_gj = sum(float(r["heat_supplied_gj"]) for r in g3.values())
    assert units["G3"]["intensity_heat_t_per_gj"] == pytest.approx(heat / heat_gj, rel=1e-9)
    # U1 unmeasured in February and August, U2 in November: flagged, and every value's status given
    flagged = {(c["unit"], c["month"]) for c in ets["checks"] if c["id"] == "unmeasured_months"}
    assert flagged == {("U1", "2023-02"), ("U1", "2023-08"), ("U2", "2023-11")}
    assert all(p["status"] in ("read", "second-hand", "unconfirmed") for p in ets["parameters"])
    assert "coal.carbon_content_default" in ets["unconfirmed"]


def test_ets_units_xlsx_holds_the_guidelines_tables_in_chinese(ran):
    root, summary = ran
    wb = load_workbook(root / "out" / "ets_units.xlsx", read_only=True)
    assert wb.sheetnames == ["说明", "机组年度汇总", "化石燃料燃烧", "机组月度数据", "核查提示", "参数来源"]
    fuel = list(wb["化石燃料燃烧"].iter_rows(values_only=True))
    assert fuel[0][:2] == ("机组", "月份") and "单位热值含碳量 CC（tC/GJ）" in fuel[0]
    assert len(fuel) == 1 + 35  # the fuel rows of activities.csv (36 rows, one of them electricity)
    feb = next(r for r in fuel if r[0] == "U1" and r[1] == "2023-02")
    assert feb[fuel[0].index("CC 来源")] == "缺省值" and feb[fuel[0].index("单位热值含碳量 CC（tC/GJ）")] == COAL_CC
    months = list(wb["机组月度数据"].iter_rows(values_only=True))
    assert len(months) == 1 + 36
    u2_april = next(r for r in months if r[0] == "U2" and r[1] == "2023-04")
    assert u2_april[months[0].index("证据标记")] == "外购电力"
    units = list(wb["机组年度汇总"].iter_rows(values_only=True))
    total = sum(r[units[0].index("排放量（tCO2）")] for r in units[1:])
    assert total == pytest.approx(summary["ets"]["totals"]["emissions_t"], rel=1e-12)


def test_a_project_without_units_has_ets_null(tmp_path):
    root = tmp_path / "d"
    assert CliRunner().invoke(app, ["init", str(root), "--example", "dairy"]).exit_code == 0
    assert CliRunner().invoke(app, ["run", str(root)]).exit_code == 0
    summary = json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["ets"] is None
    assert not (root / "out" / "ets_units.xlsx").exists()
    assert 'id="ets"' not in (root / "out" / "report.html").read_text(encoding="utf-8")


def test_allowances_and_surplus_from_the_plan_year(ran):
    """[ets] plan_year = 2020: each unit's allowance under the 2019-2020 plan (ets.allocation, whose arithmetic
    tests/ets/test_allocation.py checks); here: surplus = allowance − obligation per unit, the totals are the units'
    sums, the gas unit's obligation is capped at its allowance, the coal units are short."""
    _, summary = ran
    ets = summary["ets"]
    assert ets["plan"] == "2019-2020" and ets["plan_year"] == 2020 and ets["allocation_problems"] == []
    units = {u["unit"]: u for u in ets["units"]}
    for u in units.values():
        assert u["surplus_t"] == pytest.approx(u["allowance_t"] - u["obligation_t"], rel=1e-12)
    assert units["G3"]["surplus_t"] == 0.0 and units["G3"]["obligation_t"] == units["G3"]["allowance_t"]
    assert units["U1"]["surplus_t"] < 0 and units["U2"]["surplus_t"] < 0
    assert ets["totals"]["allowance_t"] == pytest.approx(sum(u["allowance_t"] for u in units.values()), rel=1e-12)
    assert ets["totals"]["surplus_t"] == pytest.approx(sum(u["surplus_t"] for u in units.values()), rel=1e-12)
    assert ets["compliance"]["allowance_t"] == pytest.approx(ets["totals"]["allowance_t"], rel=1e-12)
    assert ets["allocation_unconfirmed"], "the plan's second-hand and unconfirmed values are named"


def test_a_plan_without_its_values_keeps_the_emissions_and_says_why(tmp_path):
    """plan_year 2023: the 2023-2024 plan's benchmarks were not found (ets/plans/2023-2024.toml): the run
    succeeds, allowances stay null, and the missing values are named for the report."""
    root = tmp_path / "plant"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(root), "--example", "thermal-plant"]).exit_code == 0
    toml = (root / "dualcarbon.toml").read_text(encoding="utf-8").replace("plan_year = 2020", "plan_year = 2023")
    (root / "dualcarbon.toml").write_text(toml, encoding="utf-8")
    result = runner.invoke(app, ["run", str(root)])
    assert result.exit_code == 0, result.output
    ets = json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))["ets"]
    assert ets["totals"]["allowance_t"] is None and all(u["allowance_t"] is None for u in ets["units"])
    assert ets["totals"]["emissions_t"] > 0
    problems = ets["allocation_problems"]
    assert problems
    assert any("2023-2024" in p["message_en"] and "power_benchmark" in p["message_en"] for p in problems)


def test_the_report_has_the_ets_section_in_the_reports_language(ran):
    """report.html (zh, the run's language): the section in the contents, each unit's row with its emissions
    and allowance as summary.json has them, the verifier's flags and the unconfirmed parameters named."""
    root, summary = ran
    html = (root / "out" / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="ets">') : html.index("</section>", html.index('<section id="ets">'))]
    assert '<a href="#ets">全国碳市场发电机组</a>' in html
    for u in summary["ets"]["units"]:
        row = section[section.index(f'<tr data-unit="{u["unit"]}">') :]
        assert f"{u['emissions_t']:,.0f}" in row.split("</tr>")[0]
        assert f"{u['allowance_t']:,.0f}" in section
    assert "U1，2023-02：元素碳含量未按要求实测，采用指南缺省值 0.03085 tC/GJ" in section
    assert "以下参数未经核对生态环境部原文" in section and "未经核实" in section
