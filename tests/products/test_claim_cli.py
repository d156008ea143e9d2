"""The carbon-neutral claim of a product through `dualcarbon footprint` and `dualcarbon run` (issue 17): footprint.json
and summary.json carry the assessment, the terminal says whether the claim holds, the report shows it.

The product is test_footprint_cli.py's shop: 12.46 kg CO2e per kg (solved by hand there). 1,000 kg sold in 2024:
12.46 t; the base year's study 13.0 kg per kg → 13.0 t, reductions 0.54 t (ISO 14068-1 clause 9); 20 t of retired
CCER credits cover the 12.46 t residual (clause 10), 7.54 t surplus.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_footprint_cli import dairy
from typer.testing import CliRunner

from dualcarbon.cli import app

NEUTRALITY = """units_sold = 1000
base_footprint_kg_co2e = 13.0

[neutrality]
standard = "ISO14068-1"
subject = "product"
base_year = 2022
plan = "plan.md"
commitment_date = 2023-06-30
plan_date = 2024-12-01
net_zero_year = 2050
reduction_targets = [{year = 2030, reduction_percent = 42}, {year = 2050, reduction_percent = 90}]
offset_strategy = "removal credits first"
claim_date = 2025-06-30
verification_type = "third_party"
"""
CREDITS = (
    "id,type,quantity,unit,vintage,registry,serial_start,serial_end,project_type,project_url,removal,retired_on,"
    "beneficiary,status,permanence_evidence\n"
    "C1,CCER,{q},tCO2e,2023,CCER registry,CCER-X-000001,CCER-X-{end:06d},造林碳汇,https://registry.example.org/p1,"
    "true,2025-03-01,Test,retired,buffer account\n"
)


def claimed(root: Path, quantity: int = 20) -> Path:
    dairy(root, extra=NEUTRALITY)
    (root / "plan.md").write_text("# plan\n", encoding="utf-8")
    (root / "credits.csv").write_text(CREDITS.format(q=quantity, end=quantity), encoding="utf-8")
    return root


def test_footprint_assesses_and_prints_the_claim(tmp_path):
    root = claimed(tmp_path / "p")
    result = CliRunner().invoke(app, ["footprint", str(root), "--iterations", "0", "--lang", "en"])
    assert result.exit_code == 0, result.output
    n = json.loads((root / "out" / "footprint.json").read_text(encoding="utf-8"))["neutrality"]
    b = n["balance"]
    assert n["subject"] == "product" and n["status"] == "achieved", n["missing"]
    assert b["emissions"] == pytest.approx(12.46) and b["base_year_emissions"] == pytest.approx(13.0)
    assert b["reductions"] == pytest.approx(0.54) and b["credits"] == pytest.approx(12.46)
    assert b["credits_surplus"] == pytest.approx(7.54) and b["net"] == pytest.approx(0.0, abs=1e-9)
    assert n["product"]["units_sold"] == 1000 and n["product"]["reduction_per_unit_kg"] == pytest.approx(0.54)
    output = " ".join(result.output.split())
    assert "Carbon-neutral claim (ISO14068-1): Carbon neutrality achieved" in output
    assert "1,000 units × 12.46 kg CO2e = 12.46 t CO2e; reductions against the base year 0.54 t" in output
    assert n["claim"]["en"].split()[0] in output and "in accordance with ISO 14068-1:2023" in output


def test_footprint_names_what_is_missing(tmp_path):
    root = claimed(tmp_path / "short", quantity=10)
    result = CliRunner().invoke(app, ["footprint", str(root), "--iterations", "0", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    n = json.loads((root / "out" / "footprint.json").read_text(encoding="utf-8"))["neutrality"]
    # 12.46 t residual − 10 t credits = 2.46 t not offset
    assert n["status"] == "not achieved" and n["claim"] is None
    assert n["balance"]["net"] == pytest.approx(2.46)
    output = " ".join(result.output.split())
    assert "碳中和声明（ISO14068-1）：未实现碳中和" in output
    assert "ISO-BAL-01" in output and "2.46" in output


def test_run_puts_the_product_claim_in_summary_and_report(tmp_path):
    root = claimed(tmp_path / "run")
    (root / "activities.csv").write_text(
        "id,date,activity,quantity,unit\nD1,2024-01-01,fuel/diesel,1,t\n", encoding="utf-8"
    )
    result = CliRunner().invoke(app, ["run", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    summary = json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))
    n = summary["neutrality"]
    assert n["subject"] == "product" and n["balance"]["emissions"] == pytest.approx(12.46)
    footprint = json.loads((root / "out" / "footprint.json").read_text(encoding="utf-8"))
    assert footprint["neutrality"] == n
    html = (root / "out" / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="product">') :]
    assert n["claim"]["en"] in section and "12.46 kg CO2e per 1 kg" in " ".join(section.split())
    assert "ISO-PRD-02" in (root / "out" / "neutrality.csv").read_text(encoding="utf-8")
