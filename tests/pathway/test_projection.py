"""Business as usual, growth by selector, peak detection, selectors."""

from __future__ import annotations

import polars as pl
import pytest
from tiny import sources

from dualcarbon.pathway import projection
from dualcarbon.pathway import sources as src


def test_compound_growth_with_the_most_specific_selector():
    # coal 100, gas 50, diesel 10 (2024). default +10 %/yr; the family fuel/* −50 %/yr; gas exactly: +0 % until
    # 2025 then +100 % from 2026. 2026: coal 100·0.5·0.5 = 25; gas 50·1·2 = 100; diesel (fuel/ too) 10·0.25 = 2.5.
    s = sources(("fuel/coal", 100), ("fuel/gas", 50), ("fuel/diesel", 10))
    growth = {"default": 0.1, "fuel/*": -0.5, "fuel/gas": {2025: 0.0, 2026: 1.0}}
    bau = projection.project(s, growth, 2024, 2026)
    got = {(r["source"], r["year"]): r["bau_t"] for r in bau.to_dicts()}
    assert got[(0, 2026)] == pytest.approx(25.0)
    assert got[(1, 2026)] == pytest.approx(100.0)
    assert got[(2, 2026)] == pytest.approx(2.5)
    assert got[(0, 2024)] == pytest.approx(100.0)  # the inventory year is the inventory
    assert projection.totals(bau, s, "fuel/coal;fuel/gas")[2026] == pytest.approx(125.0)


def test_default_applies_to_sources_no_selector_names():
    # coal (1.stationary) is named by its category (0 %); landfill (3.5) only by the default (+2 %)
    s = sources(("fuel/coal", 100), ("waste/landfill/msw", 10)).with_columns(
        pl.Series("category", ["1.stationary", "3.5"]), pl.Series("scope", ["1", "3"])
    )
    bau = projection.project(s, {"default": 0.02, "category:1.stationary": 0.0}, 2024, 2025)
    assert bau.filter(pl.col("year") == 2025)["bau_t"].to_list() == pytest.approx([100.0, 10.2])


def test_peak_detection():
    assert projection.peak({2025: 1.0, 2026: 3.0, 2027: 2.0}) == projection.Peak(2026, 3.0, True)
    assert projection.peak({2025: 1.0, 2026: 2.0}).reached is False  # still rising
    assert projection.peak({2025: 2.0, 2026: 2.0, 2027: 1.0}).year == 2025  # a plateau peaks at its start


def test_bad_growth_and_selectors_are_reported():
    problems = dict(projection.check_growth({"fule:raw": 0.1, "fuel/coal": -1.5}))
    assert "expected category:CODE" in problems["fule:raw"]
    assert "above -1" in problems["fuel/coal"]
    with pytest.raises(ValueError, match="scope:1"):
        src.parse("scope:4")
    assert [t.prefix for t in src.parse("fuel/*;fuel/coal")] == [True, False]
