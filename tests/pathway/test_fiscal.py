"""Fiscal instruments in the least-cost pathway (pathway/fiscal.py), each case solved by hand in its docstring."""

from __future__ import annotations

import numpy as np
import pytest

from dualcarbon.pathway import fiscal
from tests.pathway.tiny import Measure, chosen, cut, solve, sources

A = Measure("a", "", "A", applies_to="fuel/coal", share=0.5, capex=10_000, lifetime_years=10, excludes=("b",))
B = Measure("b", "", "B", applies_to="fuel/coal", share=0.5, capex=12_000, lifetime_years=10, excludes=("a",))


def test_a_capital_subsidy_changes_the_least_cost_choice():
    """1,000 t in 2025, cap 500 t: one of A or B (each abates half). Discount rate 0, lifetime 10: α = 1/10.
    Without support A costs 10,000/10 = 1,000 a year, B 12,000/10 = 1,200: A. A 25 % capital grant to B
    (3,000, spread as 3,000/10 = 300 a year) makes B 1,200 − 300 = 900 < 1,000: B, at a total of 900."""
    src = sources(("fuel/coal", 1000))
    caps = cut([2025], 0.5, 1000)
    without = solve(src, [A, B], caps, [2025])
    assert chosen(without) == {"a": (2025, 1.0)}
    assert without.cost_discounted == pytest.approx(1000)
    grant = fiscal.Instrument("g", "capital_share", name_en="grant", measures=("b",), rate=0.25)
    plan = solve(src, [A, B], caps, [2025], instruments=[grant])
    assert chosen(plan) == {"b": (2025, 1.0)}
    assert plan.cost_discounted == pytest.approx(900)
    row = plan.table.row(0, named=True)
    assert row["support"] == pytest.approx(300) and row["levies"] == 0
    assert plan.instruments.row(0, named=True)["support_discounted"] == pytest.approx(300)
    measures = {r["id"]: r for r in plan.measures.to_dicts()}
    assert measures["b"]["support_discounted"] == pytest.approx(300)
    assert measures["b"]["cost_discounted"] == pytest.approx(1200)  # the measure's own cost, before support


def test_a_grant_for_early_starts_brings_the_start_forward():
    """Cap only in 2026: B (capex 10,000, α = 1/10 at r = 0) costs 1,000 a year in place, so it starts in 2026
    (1,000) rather than 2025 (2,000). A 60 % grant for starts up to 2025 pays 600 a year from such a start:
    from 2025 it costs 2 × (1,000 − 600) = 800 < 1,000, so B starts in 2025. At 30 % (2 × 700 = 1,400) it does not."""
    b = Measure("b", "", "B", applies_to="fuel/coal", share=0.5, capex=10_000, lifetime_years=10)
    src = sources(("fuel/coal", 1000))
    caps = cut([2026], 0.5, 1000)
    assert chosen(solve(src, [b], caps, [2025, 2026])) == {"b": (2026, 1.0)}
    early = fiscal.Instrument("early", "capital_share", measures=("b",), rate=0.6, to_year=2025)
    plan = solve(src, [b], caps, [2025, 2026], instruments=[early])
    assert chosen(plan) == {"b": (2025, 1.0)}
    assert plan.cost_discounted == pytest.approx(800)
    weak = fiscal.Instrument("weak", "capital_share", measures=("b",), rate=0.3, to_year=2025)
    assert chosen(solve(src, [b], caps, [2025, 2026], instruments=[weak])) == {"b": (2026, 1.0)}


def test_a_grant_is_paid_over_the_lifetime_only():
    """A measure of lifetime 2 started in 2025 with a grant G = 0.5 × 1,000 = 500, r = 0 (α = 1/2): 250 in
    2025 and 2026, nothing in 2027 (the investment renewed then is not subsidised)."""
    m = Measure("m", "", "M", applies_to="fuel/coal", share=0.5, capex=1000, lifetime_years=2)
    inst = fiscal.Instrument("g", "capital_share", rate=0.5, to_year=2025)
    years = np.array([2025, 2026, 2027])
    flows = fiscal.support_flows(inst, m, years, years, np.eye(3), np.full(3, 500.0), 0.0)
    x = np.array([1.0, 1.0, 1.0])  # in place from 2025
    assert flows @ x == pytest.approx([250, 250, 0])


def test_interest_subsidy_value():
    """2 points on a loan of 80 % of capex 12,500 (10,000) repaid in 5 equal parts, r = 0: the balances are
    10,000, 8,000, 6,000, 4,000, 2,000, so the subsidy is 0.02 × 30,000 = 600; at r = 10 % each year's
    200, 160, 120, 80, 40 is discounted: 200 + 145.45 + 99.17 + 60.11 + 27.32 = 532.05."""
    m = Measure("m", "", "M", applies_to="fuel/coal", share=0.5, capex=12_500)
    inst = fiscal.Instrument("i", "interest", rate=0.02, loan_share=0.8, loan_years=5)
    assert fiscal.grant(inst, m, 0.0) == pytest.approx(600)
    assert fiscal.grant(inst, m, 0.10) == pytest.approx(532.05, abs=0.01)
    capped = fiscal.Instrument("i", "interest", rate=0.02, loan_share=0.8, loan_years=5, cap=500)
    assert fiscal.grant(capped, m, 0.0) == 500


def test_per_tonne_subsidy_and_per_kw_grant():
    """A per-tonne subsidy of 2 a tonne on B's 500 t is 1,000 a year: B (1,200 a year) then costs 200 < A's
    1,000. A grant of 100 per kW on a 50 kW measure is 5,000, 500 a year at α = 1/10."""
    src = sources(("fuel/coal", 1000))
    per_t = fiscal.Instrument("t", "per_t", measures=("b",), amount=2.0)
    plan = solve(src, [A, B], cut([2025], 0.5, 1000), [2025], instruments=[per_t])
    assert chosen(plan) == {"b": (2025, 1.0)}
    assert plan.cost_discounted == pytest.approx(200)
    capped = fiscal.Instrument("t", "per_t", measures=("b",), amount=2.0, cap=150)  # 1,200 − 150 > 1,000: A
    assert chosen(solve(src, [A, B], cut([2025], 0.5, 1000), [2025], instruments=[capped])) == {"a": (2025, 1.0)}
    kw = Measure("k", "", "K", applies_to="fuel/coal", share=0.5, capex=20_000, lifetime_years=10, capacity_kw=50)
    assert fiscal.grant(fiscal.Instrument("k", "capital_per_kw", amount=100), kw, 0.0) == 5000


def test_a_levy_makes_abatement_worth_it():
    """No cap; a levy of 3 a tonne on fuel/coal (1,000 t) costs 3,000 a year. A (share 0.5, opex 1,000 a year)
    saves 3 × 500 = 1,500 of it: chosen, total 1,000 + 1,500 = 2,500. At 1 a tonne (saves 500 < 1,000): not
    chosen, total 1,000."""
    src = sources(("fuel/coal", 1000))
    a = Measure("a", "", "A", applies_to="fuel/coal", share=0.5, opex=1000)
    levy = fiscal.Instrument("l", "levy", applies_to="fuel/coal", amount=3.0)
    plan = solve(src, [a], [], [2025], instruments=[levy])
    assert chosen(plan) == {"a": (2025, 1.0)}
    assert plan.cost_discounted == pytest.approx(2500)
    assert plan.table.row(0, named=True)["levies"] == pytest.approx(1500)
    assert plan.instruments.row(0, named=True)["support_discounted"] == pytest.approx(-1500)
    low = fiscal.Instrument("l", "levy", applies_to="fuel/coal", amount=1.0)
    plan = solve(src, [a], [], [2025], instruments=[low])
    assert chosen(plan) == {}
    assert plan.cost_discounted == pytest.approx(1000)


def test_an_intensity_tiered_levy_changes_the_least_cost_choice():
    """1,000 t of coal for an output of 1,000 MWh: 1.0 t/MWh. A levy of 1 a tonne at up to 0.9 t/MWh and 5 a
    tonne above (tiers ``0.9:1; *:5``). A (share 5 %, opex 100) leaves 950 t, 0.95 t/MWh, still the upper tier:
    100 + 5 × 950 = 4,850. B (share 15 %, opex 2,000) leaves 850 t, 0.85 t/MWh, the lower tier: 2,000 + 1 × 850
    = 2,850. Nothing: 5 × 1,000 = 5,000. So B. A flat levy of 5 a tonne instead picks A (4,850 against B's
    2,000 + 5 × 850 = 6,250): the tier, not the rate, makes B worth it."""
    src = sources(("fuel/coal", 1000))
    a = Measure("a", "", "A", applies_to="fuel/coal", share=0.05, opex=100, excludes=("b",))
    b = Measure("b", "", "B", applies_to="fuel/coal", share=0.15, opex=2000, excludes=("a",))
    tiers = fiscal.parse_tiers("0.9:1; *:5")
    assert tiers == ((0.9, 1.0), (float("inf"), 5.0))
    tiered = fiscal.Instrument("t", "levy_tiered", applies_to="fuel/coal", tiers=tiers, output=1000)
    plan = solve(src, [a, b], [], [2025], instruments=[tiered])
    assert chosen(plan) == {"b": (2025, 1.0)}
    assert plan.cost_discounted == pytest.approx(2850)
    assert plan.table.row(0, named=True)["levies"] == pytest.approx(850)
    assert plan.instruments.row(0, named=True)["support_discounted"] == pytest.approx(-850)
    flat = fiscal.Instrument("f", "levy", applies_to="fuel/coal", amount=5.0)
    plan = solve(src, [a, b], [], [2025], instruments=[flat])
    assert chosen(plan) == {"a": (2025, 1.0)}
    assert plan.cost_discounted == pytest.approx(4850)


def test_a_tiered_levy_follows_output_growth_and_its_years():
    """BAU grows 10 % a year from 1,000 t (inventory 2024) and the output with it, so the intensity stays
    1.0 t/MWh: 5 a tonne on 1,100 t in 2025 and 1,210 t in 2026 with nothing done. In force in 2026 only:
    5 × 1,210 = 6,050. With B (15 %, opex 2,000 a year) from 2026: 0.85 t/MWh, 2,000 + 1 × 1,028.5 = 3,028.5
    in 2026, and nothing in 2025 (B not yet worth it): the plan starts B in 2026."""
    src = sources(("fuel/coal", 1000))
    b = Measure("b", "", "B", applies_to="fuel/coal", share=0.15, opex=2000)
    tiered = fiscal.Instrument(
        "t", "levy_tiered", applies_to="fuel/coal", tiers=fiscal.parse_tiers("0.9:1; *:5"), output=1000, from_year=2026
    )
    plan = solve(src, [b], [], [2025, 2026], growth={"all": 0.10}, instruments=[tiered])
    assert chosen(plan) == {"b": (2026, 1.0)}
    assert plan.table["levies"].to_list() == pytest.approx([0.0, 1028.5])
    assert plan.cost_discounted == pytest.approx(3028.5)


@pytest.mark.parametrize("text", ["0.9:1", "*:5; 0.9:1", "0.9:5; *:1", "0.9:1; 0.8:2; *:3", "0.9; *:5", "0.9:-1; *:5"])
def test_tiers_that_are_not_a_rising_schedule_are_refused(text):
    with pytest.raises(ValueError):
        fiscal.parse_tiers(text)
