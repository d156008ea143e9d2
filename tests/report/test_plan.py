"""The plan as a reader sees it: a negative discounted cost is said to be a net saving (report, CLI),
and the pathway's peak beside the BAU peak."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
from rich.console import Console

from dualcarbon.cli import _print_pathway
from dualcarbon.model import Settings
from dualcarbon.pathway import compute
from dualcarbon.pathway.measures import Measure
from dualcarbon.report import render_report
from tests.report.test_html import BY_SOURCE, FACTORS, INVENTORY, SUMMARY


def saving_pathway() -> compute.Result:
    # Coal 100 t a year from 2024; one measure abating 50 % at -10 per tonne (a saving): adopted in 2025
    # without any target. Undiscounted over 2025-2026: 2 years x 50 t x -10 = -1,000.
    rows = pl.DataFrame(
        {
            "key": ["fuel/raw_coal"],
            "scope": ["1"],
            "category": ["1.stationary"],
            "facility": [""],
            "co2e_t": [100.0],
            "biogenic": [False],
            "scope2_method": pl.Series([None], dtype=pl.String),
            "year": pl.Series([2024], dtype=pl.Int32),
        }
    )
    settings = Settings.model_validate(
        {
            "organization": {"name": "厂"},
            "period": {"start": dt.date(2024, 1, 1), "end": dt.date(2024, 12, 31)},
            "targets": {},
            "pathway": {"discount_rate": 0.0, "end_year": 2026},
        }
    )
    m = Measure("EFF", "节能", "Efficiency", "fuel/raw_coal", share=0.5, cost_per_t=-10.0)
    return compute.compute(rows, settings, [m])


def test_a_negative_discounted_cost_is_explained_as_a_saving_in_the_cli_and_the_report():
    result = saving_pathway()
    assert result.plan.cost_discounted == -1000.0
    for lang, words in (("en", "a net saving of 1,000 CNY"), ("zh", "净节省 1,000 CNY")):
        buffer = io.StringIO()
        console = Console(file=buffer, width=200)
        _print_pathway(console, console, result, lang)
        assert words in buffer.getvalue(), buffer.getvalue()
    html = render_report(SUMMARY, INVENTORY, BY_SOURCE, FACTORS, "en", pathway=result)
    assert 'data-testid="net-saving"' in html and "a net saving of 1,000" in html
    assert "Peak of the pathway (from the base year)" in html and "2024 (100" in html
    zh = render_report(SUMMARY, INVENTORY, BY_SOURCE, FACTORS, "zh", pathway=result)
    assert "净节省 1,000" in zh and "2025—2026 年各项措施节省的费用超过其成本" in zh
