"""End to end: the CLI on every bundled example, the summary's structure and totals.

The cement example's Scope 1 and 2 are recomputed here by hand from its activities.csv with
the published parameters, independently of the engine.
"""

from __future__ import annotations

import csv
import json
import math
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app

TOTAL_KEYS = {"scope1", "scope2_location", "scope2_market", "scope3", "total_location", "total_market", "biogenic_co2"}


#: report.html must stay light enough to e-mail. Before, each embedded plotly.js: 4.88-5.13 MB per example
#: (4,912,437 bytes for the cement plant). With static SVG charts the largest, daxing-district's 11 charts and
#: GPC tables, is 355 kB; 512 kB leaves room for larger inventories and is still a tenth of plotly.js alone.
REPORT_MAX_BYTES = 512 * 1024


def assert_light_report(path: Path) -> None:
    """report.html under ``REPORT_MAX_BYTES``, no script, every chart an inline SVG whose words are text."""
    html = path.read_text(encoding="utf-8")
    assert path.stat().st_size < REPORT_MAX_BYTES, path.stat().st_size
    assert "<script" not in html
    charts = re.findall(r'<figure class="chart" id="chart-[\w-]+"><svg .*?</svg></figure>', html, re.S)
    assert charts, "the report draws its charts"
    assert all(re.search(r"<text[^>]*>[^<]+</text>", chart) for chart in charts)


def run_example(tmp_path: Path, name: str, lang: str = "en") -> tuple[Path, dict]:
    root = tmp_path / name
    runner = CliRunner()
    result = runner.invoke(app, ["init", str(root), "--example", name])
    assert result.exit_code == 0, result.output
    assert (root / "activities.csv").is_file()
    result = runner.invoke(app, ["run", str(root), "--lang", lang])
    assert result.exit_code == 0, result.output
    assert "Scope 1" in result.output or "范围一" in result.output
    return root, json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["cement-plant", "dairy", "us-office", "daxing-district"])
def test_example_runs_and_summary_keeps_the_contract(tmp_path, name):
    root, summary = run_example(tmp_path, name)
    assert summary["schema"] == "dualcarbon.summary/1"
    assert_light_report(root / "out" / "report.html")
    assert {
        "organization",
        "period",
        "gwp_set",
        "unit",
        "totals",
        "by_gas",
        "by_category",
        "factor_sets",
        "neutrality",
    } <= set(summary)
    assert summary["unit"] == "t CO2e" and summary["gwp_set"] == "AR5"
    t = summary["totals"]
    assert set(t) >= TOTAL_KEYS
    assert math.isclose(t["total_location"], t["scope1"] + t["scope2_location"] + t["scope3"], rel_tol=1e-12)
    assert math.isclose(t["total_market"], t["scope1"] + t["scope2_market"] + t["scope3"], rel_tol=1e-12)
    assert all(t[k] > 0 for k in ("scope1", "scope2_location", "scope3"))
    # every example retires certificates: the market-based rows hold the instruments (at their own factor)
    market_rows = [
        r
        for r in csv.DictReader((root / "out" / "emissions.csv").open(encoding="utf-8"))
        if r["scope2_method"] == "market"
    ]
    assert any(r["factor_ids"].startswith("credits:") for r in market_rows)
    by_gas = sum(g["co2e_t"] for g in summary["by_gas"])
    # by_gas lists the gases of the location-based total, factors published only as CO2e apart
    # (co2e_only_t); biogenic CO2 is reported apart (inventory.py)
    assert math.isclose(by_gas + summary["co2e_only_t"], t["total_location"], rel_tol=1e-9)
    assert math.isclose(sum(g["co2e_t"] for g in summary["by_gas_group"]), t["total_location"], rel_tol=1e-9)
    assert "CO2e" not in {g["gas"] for g in summary["by_gas"]}
    by_category = sum(c["co2e_t"] for c in summary["by_category"] if c.get("scope2_method") != "market")
    assert math.isclose(by_category, t["total_location"], rel_tol=1e-9)
    for s in summary["factor_sets"]:
        assert {"dataset", "version", "sha256"} <= set(s) and len(s["sha256"]) == 64
    out = root / "out"
    expected = {"summary.json", "emissions.csv", "inventory.csv", "report.html", "dualcarbon-manifest.json"}
    expected |= {"facilities.csv", "sources.csv"}  # the full tables behind by_facility and the report
    if summary["neutrality"] is not None:  # the cement and district examples assess a neutrality claim
        expected.add("neutrality.csv")
    assert {p.name for p in out.iterdir()} == expected
    header = (out / "emissions.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert {"id", "source_file", "source_row", "gas", "co2e_t", "factor_ids", "formula", "parameters"} <= set(header)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?:", html)  # self-contained


def test_report_language_switch(tmp_path):
    root, _ = run_example(tmp_path, "dairy", lang="zh")
    assert "范围一" in (root / "out" / "report.html").read_text(encoding="utf-8")


def _f(text: str) -> float:
    return float(text.replace(",", "").rstrip("%")) / (100 if text.endswith("%") else 1)


def test_cement_example_by_hand(tmp_path):
    _, summary = run_example(tmp_path, "cement-plant")
    rows = list(csv.DictReader((tmp_path / "cement-plant" / "activities.csv").open(encoding="utf-8")))
    by = lambda a: [r for r in rows if r["activity"] == a]  # noqa: E731
    gwp_ch4, gwp_n2o = 28, 265  # IPCC AR5 WG1 Table 8.A.1

    # Clinker: GB/T 32151.8 oxide method with each month's analysis.
    clinker = sum(_f(r["quantity"]) for r in by("熟料"))
    process = sum(
        _f(r["quantity"])
        * (
            (_f(r["clinker_cao"]) - _f(r["noncarbonate_cao"])) * 44 / 56
            + (_f(r["clinker_mgo"]) - _f(r["noncarbonate_mgo"])) * 44 / 40
        )
        for r in by("熟料")
    )
    ef_plant = process / clinker
    process += sum(_f(r["quantity"]) for r in by("窑头粉尘")) * ef_plant  # dust calcined like clinker
    process += sum(_f(r["quantity"]) * _f(r["toc"]) * 44 / 12 for r in by("生料中非燃料碳"))

    # Raw coal: measured NCV (GJ/t) × IPCC 2006 Table 2.3 (1.A.2) other bituminous coal:
    # CO2 94 600, CH4 10, N2O 1.5 kg/TJ.
    coal_gj = sum(_f(r["quantity"]) * _f(r["ncv"]) for r in by("原煤"))
    coal = coal_gj * (94.6e-3 + 10e-6 * gwp_ch4 + 1.5e-6 * gwp_n2o)

    # Diesel: IPCC 2006 before the untraced Chinese fuel table (issue 15): Vol. 2 Table 1.2 NCV 43.0 GJ/t,
    # Table 2.3 CO2 74 100, CH4 3 and N2O 0.6 kg/TJ (before: that table's 42.652 GJ/t × 20.2 t C/TJ × 98 %).
    diesel_t = sum(_f(r["quantity"]) for r in by("柴油"))
    diesel = diesel_t * 43.0 * (74.1e-3 + 3e-6 * gwp_ch4 + 0.6e-6 * gwp_n2o)

    # Electricity: Hebei 2023 0.6516 kg CO2/kWh (MEE/NBS 公告2025年第47号 表3); 20 000 MWh of GECs, the rest
    # market-based at the national factor excluding market-traded non-fossil electricity (same notice, 表4: 0.6096).
    mwh = sum(_f(r["quantity"]) * 10 for r in by("外购电力"))  # 万千瓦时 → MWh
    t = summary["totals"]
    assert t["scope1"] == pytest.approx(process + coal + diesel, rel=1e-9)
    assert t["scope2_location"] == pytest.approx(mwh * 0.6516, rel=1e-9)
    assert t["scope2_market"] == pytest.approx((mwh - 20000) * 0.6096, rel=1e-9)
    # The gas check reads as a verifier would: CO2, N2O, CH4 named, the 14 spend-based trace gases
    # (USEEIO) grouped, and no "gas" CO2e (before: "all 18 gases ... CO2, N2O, CH4, CO2e, HFC-125 ...")
    (gas_check,) = [c for c in summary["neutrality"]["checks"] if c["id"] == "ISO-GAS-01"]
    assert "CO2e," not in gas_check["reason_en"] and "18 gases" not in gas_check["reason_en"]
    assert "(CO2, N2O, CH4 and 14 other gases below 0.1 % each)" in gas_check["reason_en"]
    assert "及其他 14 种各占不足 0.1% 的气体" in gas_check["reason_zh"]
    process_row = next(c for c in summary["by_category"] if c["category"] == "1.process")
    assert process_row["co2e_t"] == pytest.approx(process, rel=1e-9)


def test_validate_reports_ok_and_writes_nothing(tmp_path):
    runner = CliRunner()
    root = tmp_path / "us"
    assert runner.invoke(app, ["init", str(root), "--example", "us-office"]).exit_code == 0
    result = runner.invoke(app, ["validate", str(root)])
    assert result.exit_code == 0, result.output
    assert not (root / "out").exists()


def test_init_refuses_unknown_example_and_existing_folder(tmp_path):
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(tmp_path / "x"), "--example", "nope"]).exit_code == 2
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "activities.csv").write_text("x", encoding="utf-8")
    assert runner.invoke(app, ["init", str(tmp_path / "full"), "--example", "dairy"]).exit_code == 2


def test_factors_show_cites_its_source():
    result = CliRunner().invoke(app, ["factors", "show", "fuel/natural_gas", "--region", "CN", "--year", "2024"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    # issue 15: the untraced fuel table no longer claims GB/T 32150-2015; IPCC's citation names its table
    assert "常用化石燃料相关参数缺省值" in text and "GB/T 32150" not in text and "389.31" in text
    assert "IPCC 2006 V2 Ch1 Table 1.2" in text


def test_factors_search_finds_chinese_alias():
    result = CliRunner().invoke(app, ["factors", "search", "天然气"])
    assert result.exit_code == 0 and "fuel/natural_gas" in " ".join(result.output.split()).replace("…", "")


def test_unknown_language_is_an_input_error(tmp_path):
    runner = CliRunner()
    root = tmp_path / "d"
    assert runner.invoke(app, ["init", str(root), "--example", "dairy"]).exit_code == 0
    result = runner.invoke(app, ["run", str(root), "--lang", "fr"])
    assert result.exit_code == 2 and "--lang" in result.output
    assert not (root / "out").exists()


def test_outputs_are_byte_for_byte_reproducible(tmp_path):
    """The same inputs give the same summary.json, inventory.csv and emissions.csv, run after run
    (no order-dependent float sums: a published figure must be reproducible byte for byte)."""
    root, _ = run_example(tmp_path, "cement-plant")
    first = {n: (root / "out" / n).read_bytes() for n in ("summary.json", "inventory.csv", "emissions.csv")}
    for _ in range(4):
        assert CliRunner().invoke(app, ["run", str(root), "--lang", "en"]).exit_code == 0
        assert {n: (root / "out" / n).read_bytes() for n in first} == first
