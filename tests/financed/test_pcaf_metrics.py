"""Fund metrics (financed.metrics) on a three-holding portfolio computed by hand, the benchmark
comparison and the year-on-year split of the change."""

from __future__ import annotations

import polars as pl
import pytest

from dualcarbon.financed import attribution, metrics, portfolio

THREE = [
    # AF 2e6/100e6 = 0.02 × 50,000 t = 1,000 t; intensity 50,000 t / 40 M revenue = 1,250 t/M
    "H1,listed_equity,A,2000000,CNY,100000000,,,40000000,40000,10000,,,,reported,,materials,2024",
    # AF 3e6/60e6 = 0.05 × 6,000 t = 300 t; intensity 6,000 / 30 M = 200 t/M
    "H2,corporate_bond,B,3000000,CNY,60000000,,,30000000,5000,1000,,,,reported,,transport,2024",
    # AF 5e6/500e6 = 0.01 × 100,000 t = 1,000 t; intensity 100,000 / 200 M = 500 t/M
    "H3,listed_equity,C,5000000,CNY,500000000,,,200000000,90000,10000,,,,reported,,materials,2024",
]


def test_three_holdings_by_hand(holdings_of):
    """Total 1,000 + 300 + 1,000 = 2,300 t; invested 10 M → 230 t per million;
    WACI = 0.2 × 1,250 + 0.3 × 200 + 0.5 × 500 = 250 + 60 + 250 = 560 t per million revenue."""
    a = attribution.attribute(holdings_of(THREE), 2024)
    totals = metrics.absolute(a)
    assert totals["total_t"] == pytest.approx(2300.0)
    assert metrics.per_million_invested(totals["total_t"], a["outstanding"].sum()) == pytest.approx(230.0)
    assert metrics.waci(a) == pytest.approx(560.0)


def test_benchmark_difference_splits_into_allocation_and_selection(holdings_of):
    """Benchmark: materials 40 % at 1,000 t/M, transport 60 % at 100 t/M → WACI_b = 460. Portfolio sectors:
    materials w 0.7 at (0.2·1250 + 0.5·500)/0.7 = 714.29, transport w 0.3 at 200. Allocation: materials
    (0.7 − 0.4)(1000 − 460) = 162, transport (0.3 − 0.6)(100 − 460) = 108; selection: materials
    0.7 (714.29 − 1000) = −200, transport 0.3 (200 − 100) = 30. 162 + 108 − 200 + 30 = 100 = 560 − 460."""
    a = attribution.attribute(holdings_of(THREE), 2024)
    bench = pl.DataFrame(
        {
            "counterparty": ["M", "T"],
            "weight": [0.4, 0.6],
            "revenue": [1e6, 1e6],
            "emissions_t": [1000.0, 100.0],
            "sector": ["materials", "transport"],
        }
    )
    c = metrics.compare(a, bench)
    assert c["waci_t_per_million_revenue"] == pytest.approx(460.0)
    assert c["difference"] == pytest.approx(100.0)
    assert c["allocation"] == pytest.approx(270.0)
    assert c["selection"] == pytest.approx(-170.0)
    assert c["allocation"] + c["selection"] == pytest.approx(c["difference"])


def test_evic_market_move_is_not_a_real_change(holdings_of):
    """Year 1 → 2: A's EVIC doubles with its emissions unchanged (financed 1,000 → 500 t: all market move);
    C cuts its emissions by half at the same EVIC (1,000 → 500 t: all real change); B is sold (−300 t)."""
    before = attribution.attribute(holdings_of(THREE), 2023)
    after_rows = [
        THREE[0].replace("100000000", "200000000"),
        THREE[2].replace("90000,10000", "45000,5000"),
    ]
    after = attribution.attribute(holdings_of(after_rows, "h2.csv"), 2024)
    c = metrics.change(before, after)
    assert c["total"] == pytest.approx(-1300.0)
    assert c["denominator"] == pytest.approx(-500.0)
    assert c["emissions"] == pytest.approx(-500.0)
    assert c["outstanding"] == pytest.approx(0.0, abs=1e-9)
    assert c["entries_exits"] == pytest.approx(-300.0)
    parts = c["emissions"] + c["denominator"] + c["outstanding"] + c["entries_exits"]
    assert parts == pytest.approx(c["total"])


def test_summary_keeps_the_pinned_keys(holdings_of):
    """DESIGN.md pins summary.json ``financed``: total_t, total_scope3_t, per_million_invested_t,
    waci_t_per_million_revenue, data_quality {weighted, by_asset_class}, by_holding."""
    from dualcarbon.financed import quality

    s = portfolio.summarize(quality.score(attribution.attribute(holdings_of(THREE), 2024)))
    assert list(s)[:6] == [
        "total_t",
        "total_scope3_t",
        "per_million_invested_t",
        "waci_t_per_million_revenue",
        "data_quality",
        "by_holding",
    ]
    assert {"weighted", "by_asset_class"} <= set(s["data_quality"])
    assert s["data_quality"]["weighted"] == pytest.approx(2.0)
    assert [h["id"] for h in s["by_holding"]] == ["H1", "H2", "H3"]
