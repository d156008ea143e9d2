"""A carbon price on the covered emissions beyond the free allocation (pathway/prices.py, optimize.Inputs),
each case solved by hand in its docstring."""

from __future__ import annotations

import pytest

from dualcarbon.pathway import prices
from tests.pathway.tiny import Measure, chosen, solve, sources

A = Measure("a", "", "A", applies_to="fuel/coal", share=0.4, opex=1000, excludes=("r",))


def test_a_carbon_price_changes_the_least_cost_choice():
    """1,000 t, no cap, one year. A abates 400 t for 1,000 a year. At 3 a tonne it saves 1,200 of carbon cost:
    chosen; at 2 a tonne (800 < 1,000) it is not. With 900 t of free allocation at 3 a tonne the plant pays
    3 × (1,000 − 400 − 900) = −900 (it sells 300 allowances): total 1,000 − 900 = 100; the choice is the same,
    since a tonne abated is worth the price whether bought or sold."""
    src = sources(("fuel/coal", 1000))
    plan = solve(src, [A], [], [2025], carbon_price={2025: 3.0})
    assert chosen(plan) == {"a": (2025, 1.0)}
    assert plan.cost_discounted == pytest.approx(1000 + 3 * 600)
    assert chosen(solve(src, [A], [], [2025], carbon_price={2025: 2.0})) == {}
    plan = solve(src, [A], [], [2025], carbon_price={2025: 3.0}, free_allocation_t={2025: 900})
    assert chosen(plan) == {"a": (2025, 1.0)}
    row = plan.table.row(0, named=True)
    assert row["carbon_cost"] == pytest.approx(-900)
    assert row["covered_t"] == pytest.approx(600) and row["free_allocation_t"] == 900
    assert plan.cost_discounted == pytest.approx(100)
    assert plan.carbon_cost_discounted == pytest.approx(-900)


def test_allowances_forgone_by_a_retirement():
    """At 3 a tonne, retiring the unit (R: all 1,000 t, no cost) saves 3,000 of carbon cost but forgoes its free
    allocation: with 900 t forgone it saves 3 × (1,000 − 900) = 300 > A's 1,200 − 1,000 = 200, so R; with 950 t
    forgone it saves 150 < 200, so A."""
    src = sources(("fuel/coal", 1000))
    for lost, expected in ((900, "r"), (950, "a")):
        r = Measure("r", "", "R", applies_to="fuel/coal", share=1.0, allowance_lost_t=lost, excludes=("a",))
        plan = solve(src, [A, r], [], [2025], carbon_price={2025: 3.0}, free_allocation_t={2025: 1000})
        assert set(chosen(plan)) == {expected}


def test_the_price_applies_to_the_covered_emissions_only():
    """Coal 1,000 t and gas 1,000 t, a price of 3 on fuel/coal only: A on gas (400 t for 1,000) saves nothing
    of it and is not chosen; the carbon cost is 3 × 1,000."""
    src = sources(("fuel/coal", 1000), ("fuel/gas", 1000))
    a = Measure("a", "", "A", applies_to="fuel/gas", share=0.4, opex=1000)
    plan = solve(src, [a], [], [2025], carbon_price={2025: 3.0}, carbon_covers="fuel/coal")
    assert chosen(plan) == {}
    assert plan.table.row(0, named=True)["carbon_cost"] == pytest.approx(3000)


def test_price_trajectory():
    """Linear between given years, the first before them, the last compounded by the growth after them:
    2025 → 100, 2027 → 120, so 2026 → 110; 2028 and 2029 at +10 %: 132, 145.2; converted at 2 (e.g. EUR→CNY)."""
    known = {2025: 100.0, 2027: 120.0}
    years = [2024, 2025, 2026, 2027, 2028, 2029]
    assert prices.trajectory(known, years, 0.1) == pytest.approx(
        {2024: 100, 2025: 100, 2026: 110, 2027: 120, 2028: 132, 2029: 145.2}
    )
    assert prices.trajectory(known, [2028], {2028: 0.5}, fx=2.0) == {2028: pytest.approx(360)}
    assert prices.trajectory(known, [2030]) == {2030: 120}  # held flat without a growth


def test_bundled_series_carry_their_source_and_status():
    """The national ETS (CEA) series: 2022's annual average 55.30 CNY/t as the exchange published it (quoted in
    the news); each point has a status and a source."""
    series = prices.bundled()
    cea = series["cea"]
    assert cea.currency == "CNY" and cea.known()[2022] == 55.30
    assert series["eu-ets"].currency == "EUR"
    for s in series.values():
        for p in s.points:
            assert p.status in prices.STATUSES and p.source


def test_free_allocation_from_the_ets_run():
    """free_allocation = "ets": the ETS run's 900 t of the inventory year 2024 held at the benchmark × an output
    that grows as the covered BAU (+10 % a year): 990 t in 2025, 1,089 t in 2026. Without the ETS run's
    allowances: an error naming pathway.free_allocation."""
    from dualcarbon.errors import InputError
    from dualcarbon.model import Pathway
    from dualcarbon.pathway import compute, projection

    src = sources(("fuel/coal", 1000))
    bau = projection.project(src, {"default": 0.1}, 2024, 2026)
    pw = Pathway(carbon_price=50, free_allocation="ets")
    ets = {"units": [], "totals": {"emissions_t": 1000, "allowance_t": 900, "surplus_t": -100}}
    carbon = compute._carbon(pw, None, [2025, 2026], bau, src, 2024, ets)
    assert carbon["_free"] == {2025: pytest.approx(990), 2026: pytest.approx(1089)}
    assert carbon["_price"] == {2025: 50, 2026: 50}
    assert carbon["points"][0]["status"] == "assumption"
    with pytest.raises(InputError) as err:
        compute._carbon(pw, None, [2025, 2026], bau, src, 2024, None)
    assert err.value.problems[0].column == "pathway.free_allocation"
