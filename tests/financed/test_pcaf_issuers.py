"""Issuers inventoried in dualcarbon (docs/financed.md, "Issuers inventoried in dualcarbon"): a holding whose
``issuer_project`` names the bundled cement-plant project takes that inventory's Scope 1, 2 and 3 (its
``out/summary.json`` totals) and its basis: third-party verified (the example's ``[neutrality]
verification_type``) → ``reported_verified``, PCAF option 1a, score 1 (Part A 2nd ed. §5.2 score table)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app
from dualcarbon.financed import issuers

HEADER = (
    "id,asset_class,counterparty,outstanding,currency,evic,total_equity_debt,property_value,revenue,"
    "scope1,scope2,scope3,lulucf,ppp_gdp,emissions_basis,data_quality,sector,year,issuer_project"
)
TOML = """[organization]
name = "贷款组合（测试）"
kind = "portfolio"
boundary = "operational_control"
country = "CN"
region = "CN-NCG"

[period]
start = 2024-01-01
end = 2024-12-31
{financed}"""
OFFICE = (
    Path(__file__).resolve().parents[2] / "src" / "dualcarbon" / "examples" / "carbon-neutral-etf" / "activities.csv"
)


@pytest.fixture(scope="module")
def cement(tmp_path_factory) -> tuple[Path, dict]:
    """The cement-plant example, initialised and run: (its folder, its summary.json)."""
    root = tmp_path_factory.mktemp("issuers") / "cement-plant"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(root), "--example", "cement-plant"]).exit_code == 0
    result = runner.invoke(app, ["run", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    return root, json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))


def bank(base: Path, rows: list[str], financed: str = "") -> Path:
    """A loan book beside the cement plant's folder (``base``), its holdings ``rows`` under ``HEADER``."""
    root = base / "bank"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir()
    (root / "dualcarbon.toml").write_text(TOML.format(financed=financed), encoding="utf-8")
    shutil.copy(OFFICE, root / "activities.csv")  # the manager's own offices
    (root / "holdings.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return root


def run(root: Path):
    return CliRunner().invoke(app, ["run", str(root), "--lang", "en", "--no-pdf"])


def financed(root: Path) -> dict:
    return json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))["financed"]


def test_issuer_project_feeds_its_totals(cement):
    """A business loan of 50 M to the cement company, its equity plus debt 1,000 M: 5 % of the inventory's
    Scope 1 + location-based Scope 2 (the cement plant's summary.json totals), Scope 3 beside it, score 1."""
    plant, summary = cement
    totals = summary["totals"]
    root = bank(plant.parent, ["L1,business_loan,JD,50000000,CNY,,1000000000,,,,,,,,,,materials,,../cement-plant"])
    result = run(root)
    assert result.exit_code == 0, result.output
    f = financed(root)
    (loan,) = f["by_holding"]
    assert loan["emissions_t"] == pytest.approx(totals["scope1"] + totals["scope2_location"], rel=1e-12)
    assert f["total_t"] == pytest.approx(0.05 * (totals["scope1"] + totals["scope2_location"]), rel=1e-12)
    assert loan["scope3"] == pytest.approx(totals["scope3"], rel=1e-12)
    assert loan["year"] == 2024  # the inventory's period
    assert (loan["emissions_basis"], loan["score"], loan["pcaf_option"]) == ("reported_verified", 1, "1a")
    assert f["data_quality"]["weighted"] == 1.0


def test_market_based_scope2_and_summary_path(cement):
    """``[financed] issuer_scope2 = "market"`` takes the market-based Scope 2; the path may name summary.json."""
    plant, summary = cement
    totals = summary["totals"]
    assert totals["scope2_market"] != totals["scope2_location"]  # else this test could not fail
    rows = ["L1,business_loan,JD,50000000,CNY,,1000000000,,,,,,,,,,materials,2024,../cement-plant/out/summary.json"]
    root = bank(plant.parent, rows, '\n[financed]\nissuer_scope2 = "market"\n')
    result = run(root)
    assert result.exit_code == 0, result.output
    (loan,) = financed(root)["by_holding"]
    assert loan["emissions_t"] == pytest.approx(totals["scope1"] + totals["scope2_market"], rel=1e-12)


def test_unverified_inventory_is_reported(cement, tmp_path):
    """Without third-party verification the same figures are ``reported``: option 1b, score 2."""
    plant, summary = cement
    summary = {**summary, "neutrality": None}
    (tmp_path / "issuer.json").write_text(json.dumps(summary), encoding="utf-8")
    root = bank(tmp_path, ["L1,business_loan,JD,50,CNY,,1000,,,,,,,,,,materials,,../issuer.json"])
    result = run(root)
    assert result.exit_code == 0, result.output
    (loan,) = financed(root)["by_holding"]
    assert (loan["emissions_basis"], loan["score"], loan["pcaf_option"]) == ("reported", 2, "1b")


def test_bad_issuer_rows_refused_together(cement):
    """Figures typed beside an issuer: refused with the cells' problems. Then an issuer not run and another year,
    both named together: exit 2, nothing written."""
    plant, _ = cement
    root = bank(plant.parent, ["L1,business_loan,JD,50,CNY,,1000,,,100,,,,,,,materials,,../cement-plant"])
    result = run(root)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "holdings.csv, row 2, column scope1: '100'" in text and "issuer_project gives" in text
    rows = [
        "L2,business_loan,XX,50,CNY,,1000,,,,,,,,,,materials,,../nowhere",
        "L3,business_loan,JD,50,CNY,,1000,,,,,,,,,,materials,2023,../cement-plant",
    ]
    root = bank(plant.parent, rows)
    result = run(root)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "row 2, column issuer_project: '../nowhere'" in text and "nowhere/out/summary.json" in text
    assert "row 3, column year: '2023'" in text and "inventory is of 2024" in text
    assert not (root / "out" / "summary.json").exists()


def test_server_keeps_issuers_inside_the_project(cement):
    """On a server an issuer path may not leave the project's folder (another tenant's files)."""
    plant, _ = cement
    root = bank(plant.parent, ["L1,business_loan,JD,50,CNY,,1000,,,,,,,,,,materials,,../cement-plant"])
    from dualcarbon.financed import holdings

    frame, problems = holdings.load_holdings(root / "holdings.csv")
    assert not problems
    _, problems = issuers.join(frame, root, "holdings.csv", inside_only=True)
    assert [(p.row, p.column, p.key) for p in problems] == [(2, "issuer_project", "financed.problem.issuer_outside")]
    filled, problems = issuers.join(frame, root, "holdings.csv", inside_only=False)
    assert not problems and filled["emissions_basis"].to_list() == ["reported_verified"]
