"""Target templates and the caps they set (standards digest §5; hand-computed values in comments)."""

from __future__ import annotations

import pytest

from dualcarbon.model import Cut, Targets
from dualcarbon.pathway import targets


def test_template_names_match_the_settings_choices():
    # [targets] template is a Literal in model.py; every choice must have its data (and no more)
    choices = set(Targets.model_fields["template"].annotation.__args__)
    assert set(targets.templates()) == choices


def test_sbti_linear_contraction_by_hand():
    # SBTi absolute contraction: E_target(y) = E_base · (1 − 0.042 · (y − y_base)), floored at the
    # long-term 90 % cut. Base 2020 = 1000 t: 2030 → 1000 · (1 − 0.42) = 580; 2041 → 1 − 0.882 = 118;
    # 2042 → max(1 − 0.924, 0.10) = 100; 2050: the 90 % cut and the floor both give 100, net ≤ 0.
    goal = targets.resolve(Targets(template="sbti-1.5", base_year=2020), inventory_year=2020)
    years = list(range(2021, 2051))
    caps = targets.caps(goal, years, 1000.0, {})
    line = targets.trajectory(caps, years, None)
    assert line[2030] == pytest.approx(580.0)
    assert line[2041] == pytest.approx(118.0)
    assert line[2042] == pytest.approx(100.0)
    assert line[2050] == pytest.approx(0.0)  # neutral year: net zero
    assert not goal.removals_count and not goal.offsets  # credits do not count as reductions
    residual = [c for c in caps if c.kind == "residual"]
    assert [(c.year, c.cap_t) for c in residual] == [(2050, pytest.approx(100.0))]


def test_china_template_peak_and_cut_against_the_peak():
    # Peak no later than 2030 and 2035 net GHG 7 % below the peak year (2035 NDC band 7-10 %).
    goal = targets.resolve(Targets(template="china"), inventory_year=2024)
    assert (goal.peak_year, goal.neutral_year, goal.base_year) == (2030, 2060, 2024)
    years = list(range(2025, 2061))
    caps = targets.caps(goal, years, 500.0, {})
    kinds = {(c.year, c.kind) for c in caps}
    assert (2031, "peak") in kinds and (2030, "peak") not in kinds
    assert (2035, "cut") in kinds and (2060, "neutral") in kinds
    line = targets.trajectory(caps, years, peak_t=200.0)
    assert line[2035] == pytest.approx(186.0)  # 0.93 × 200
    assert line[2031] == pytest.approx(200.0)  # at most the peak year's level


def test_us_template_needs_the_2005_emissions_and_covers_power_in_2035():
    with pytest.raises(ValueError, match="base_emissions_t"):
        targets.resolve(Targets(template="us"), inventory_year=2024)
    goal = targets.resolve(Targets(template="us", base_emissions_t=1000.0), inventory_year=2024)
    assert goal.status == "withdrawn" and goal.base_year == 2005
    caps = targets.caps(goal, list(range(2025, 2051)), 1000.0, {"category:2.electricity": None})
    power = [c for c in caps if c.covers == "category:2.electricity"]
    assert power[0].year == 2035 and power[0].cap_t == 0.0  # 100 % cut: no base needed
    assert [c.cap_t for c in caps if c.kind == "cut" and c.covers is None and c.year == 2030] == [pytest.approx(500.0)]


def test_own_cuts_add_to_the_template_and_must_follow_the_base_year():
    goal = targets.resolve(Targets(template="china", cuts=[Cut(year=2030, percent=20)]), inventory_year=2024)
    assert [(c.year, c.percent, c.against) for c in goal.cuts] == [(2030, 20, "base"), (2035, 7, "peak")]
    with pytest.raises(ValueError, match="not after the base year"):
        targets.resolve(Targets(cuts=[Cut(year=2020, percent=20)]), inventory_year=2024)
