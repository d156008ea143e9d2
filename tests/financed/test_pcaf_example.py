"""End to end: ``dualcarbon init f --example carbon-neutral-etf && dualcarbon run f`` (the illustrative
carbon-neutral ETF), its figures recomputed here from the example's CSV files with the csv module, apart
from the package; bad holdings refused with exit 2 and nothing written; no holdings, ``financed`` null."""

from __future__ import annotations

import csv
import json
import math
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dualcarbon.cli import app

PINNED = ["total_t", "total_scope3_t", "per_million_invested_t", "waci_t_per_million_revenue", "data_quality"]


@pytest.fixture(scope="module")
def etf(tmp_path_factory) -> tuple[Path, dict, str]:
    root = tmp_path_factory.mktemp("etf") / "f"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(root), "--example", "carbon-neutral-etf"]).exit_code == 0
    result = runner.invoke(app, ["run", str(root), "--lang", "en"])
    assert result.exit_code == 0, result.output
    return root, json.loads((root / "out" / "summary.json").read_text(encoding="utf-8")), result.output


def rows_of(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def by_hand(root: Path) -> dict:
    """PCAF Part A §5.1/§5.7 with plain Python: outstanding / EVIC (or PPP GDP) × (Scope 1 + 2); the sector
    average (option 3a) of reported peers, holdings and benchmark, each counterparty once; WACI over the corporates."""
    holdings = rows_of(root / "holdings.csv")
    bench = rows_of(root / "benchmark.csv")
    peers: dict[str, dict[str, float]] = {}
    seen = set()
    for r in holdings + [{**b, "counterparty": b["counterparty"]} for b in bench]:
        if r["emissions_basis"] == "sector_average" or not r.get("revenue") or r["counterparty"] in seen:
            continue
        seen.add(r["counterparty"])
        p = peers.setdefault(r["sector"], {"t": 0.0, "rev": 0.0})
        p["t"] += float(r["scope1"]) + float(r["scope2"])
        p["rev"] += float(r["revenue"])
    total = invested = waci_num = waci_den = score_num = 0.0
    scores = {"reported_verified": 1, "reported": 2, "physical": 3, "economic": 4, "sector_average": 4}
    for r in holdings:
        out = float(r["outstanding"])
        invested += out
        if r["asset_class"] == "sovereign_debt":
            factor, emissions = out / float(r["ppp_gdp"]), float(r["scope1"]) + float(r["scope2"])
        else:
            factor = out / float(r["evic"])
            if r["emissions_basis"] == "sector_average":
                p = peers[r["sector"]]
                emissions = float(r["revenue"]) * p["t"] / p["rev"]
            else:
                emissions = float(r["scope1"]) + float(r["scope2"])
            waci_num += out * emissions / (float(r["revenue"]) / 1e6)
            waci_den += out
        total += factor * emissions
        score_num += out * scores[r["emissions_basis"]]
    return {
        "total_t": total,
        "per_million": total / (invested / 1e6),
        "waci": waci_num / waci_den,
        "score": score_num / invested,
        "holdings": len(holdings),
    }


def test_example_figures_recomputed_by_hand(etf):
    root, summary, output = etf
    f = summary["financed"]
    assert list(f)[:6] == [*PINNED, "by_holding"]
    hand = by_hand(root)
    assert f["holdings"] == hand["holdings"] and len(f["by_holding"]) == hand["holdings"] > 100
    assert math.isclose(f["total_t"], hand["total_t"], rel_tol=1e-9)
    assert math.isclose(f["per_million_invested_t"], hand["per_million"], rel_tol=1e-9)
    assert math.isclose(f["waci_t_per_million_revenue"], hand["waci"], rel_tol=1e-9)
    assert math.isclose(f["data_quality"]["weighted"], hand["score"], rel_tol=1e-9)
    assert {c["asset_class"] for c in f["data_quality"]["by_asset_class"]} == {
        "listed_equity",
        "corporate_bond",
        "sovereign_debt",
    }
    # the fund tilts away from the index's high emitters: a lower WACI, the split adding up
    b = f["benchmark"]
    assert f["waci_t_per_million_revenue"] < b["waci_t_per_million_revenue"]
    assert math.isclose(b["allocation"] + b["selection"], b["difference"], rel_tol=1e-9)
    c = f["change"]
    parts = c["emissions"] + c["denominator"] + c["outstanding"] + c["entries_exits"]
    assert math.isclose(parts, c["total"], rel_tol=1e-9) and c["emissions"] < 0 and c["denominator"] < 0
    assert "Financed emissions (PCAF)" in output and "WACI" in output and "Data quality score" in output


def test_financed_csv_per_holding(etf):
    root, summary, _ = etf
    rows = rows_of(root / "out" / "financed.csv")
    assert len(rows) == summary["financed"]["holdings"]
    assert {"id", "attribution", "financed_t", "emissions_basis", "score"} <= set(rows[0])
    assert math.isclose(sum(float(r["financed_t"]) for r in rows), summary["financed"]["total_t"], rel_tol=1e-9)
    assert {r["score"] for r in rows} <= {"1", "2", "3", "4", "5"}


def test_bad_holdings_exit_2_and_nothing_written(tmp_path):
    root = tmp_path / "f"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(root), "--example", "carbon-neutral-etf"]).exit_code == 0
    path = root / "holdings.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("listed_equity", "listed_equities", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(root), "--lang", "en"])
    assert result.exit_code == 2
    assert "holdings.csv, row 4, column asset_class" in result.output
    assert not (root / "out").exists()


def test_no_holdings_gives_null(tmp_path):
    root = tmp_path / "f"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(root), "--example", "carbon-neutral-etf"]).exit_code == 0
    for name in ("holdings.csv", "holdings-2023.csv", "benchmark.csv"):
        (root / name).unlink()
    toml = (root / "dualcarbon.toml").read_text(encoding="utf-8")
    (root / "dualcarbon.toml").write_text(toml.split("[financed]")[0], encoding="utf-8")
    assert runner.invoke(app, ["run", str(root)]).exit_code == 0
    assert json.loads((root / "out" / "summary.json").read_text(encoding="utf-8"))["financed"] is None
    assert not (root / "out" / "financed.csv").exists()
    shutil.rmtree(root)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_section_from_the_catalogues(etf, lang):
    """The report's financed section, in both languages: its heading in the contents, every label from the
    catalogue (no key left as text), the two charts drawn, the figures of summary.json."""
    from dualcarbon.i18n import catalogue

    root, summary, _ = etf
    out = root / "out"
    if lang == "zh":
        out = root / "out-zh"
        result = CliRunner().invoke(app, ["run", str(root), "--lang", "zh", "--out", str(out)])
        assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    t = catalogue(lang)
    assert f'<a href="#financed">{t["financed.report.section"]}</a>' in html
    assert 'id="chart-financed-sectors"' in html and 'id="chart-financed-quality"' in html
    assert t["financed.report.benchmark"] in html and t["financed.report.change_title"] in html
    assert t["financed.asset_class.sovereign_debt"] in html
    assert "financed.report." not in html and "financed.asset_class." not in html
    assert f"{summary['financed']['waci_t_per_million_revenue']:,.1f}" in html


def test_validate_checks_the_holdings(tmp_path):
    """``dualcarbon validate`` reports a bad holdings cell (exit 2) as ``run`` does; before, it passed."""
    root = tmp_path / "f"
    runner = CliRunner()
    assert runner.invoke(app, ["init", str(root), "--example", "carbon-neutral-etf"]).exit_code == 0
    assert runner.invoke(app, ["validate", str(root)]).exit_code == 0
    path = root / "benchmark.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("reported", "rumoured", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(root), "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert "benchmark.csv, row 3, column emissions_basis" in result.output
