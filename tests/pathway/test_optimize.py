"""The least-cost pathway on problems small enough to solve by hand (the hand computation is in each test).

Conventions of every problem: one inventory year 2024, emissions constant unless said, costs in
currency units, discount rate 0 unless said (so a cost is the plain sum over the years).
"""

from __future__ import annotations

import math

import pytest
from tiny import Cap, Measure, chosen, cut, solve, sources

from dualcarbon.pathway.measures import capital_recovery_factor


def test_cheapest_measure_that_meets_the_cut_and_no_earlier_than_needed():
    # Coal 100 t a year. Cut: at most 60 t from 2026 on (-40 %), years 2025-2027.
    # A: 30 % (30 t) for 10 a year      -> alone too little (70 t > 60 t).
    # B: 50 % (50 t) at 1 per tonne     -> 50 a year.
    # A + B: 80 t for 60 a year; B alone suffices for 50 a year. Nothing is needed in 2025, so B
    # starts in 2026: cost = 50 (2026) + 50 (2027) = 100.
    src = sources(("fuel/coal", 100))
    measures = [
        Measure("A", "甲", "A", "fuel/coal", share=0.3, opex=10),
        Measure("B", "乙", "B", "fuel/coal", share=0.5, cost_per_t=1),
    ]
    plan = solve(src, measures, cut([2026, 2027], 0.6, 100.0), [2025, 2026, 2027])
    assert plan.status == "optimal"
    assert chosen(plan) == {"B": (2026, 1.0)}
    assert plan.cost_discounted == pytest.approx(100.0)
    net = dict(zip(plan.table["year"], plan.table["net_t"], strict=True))
    assert net == pytest.approx({2025: 100.0, 2026: 50.0, 2027: 50.0})


def test_capex_is_annualised_and_discounted():
    # One measure: capex 1000, lifetime 2 years, 50 % of 100 t. Discount rate 10 %, years 2025-2028,
    # cut from 2027 on (at most 60 t). The annuity is α·capex with α = r / (1 − (1 + r)^−L)
    # = 0.1 / (1 − 1.1^−2) = 0.1 / 0.173554 = 0.576190, i.e. 576.19 a year while in place.
    # Starting in 2027 (not earlier: each year in place costs) gives the present value in 2025:
    # 576.19 / 1.1^2 + 576.19 / 1.1^3 = 476.19 + 432.90 = 909.09.
    assert capital_recovery_factor(0.1, 2) == pytest.approx(0.576190, rel=1e-6)
    src = sources(("fuel/coal", 100))
    m = Measure("M", "措施", "M", "fuel/coal", share=0.5, capex=1000, lifetime_years=2)
    plan = solve(src, [m], cut([2027, 2028], 0.6, 100.0), [2025, 2026, 2027, 2028], discount_rate=0.1)
    assert chosen(plan) == {"M": (2027, 1.0)}
    assert plan.cost_discounted == pytest.approx(909.09, abs=0.01)


def test_partial_measure_is_adopted_in_the_share_needed():
    # Coal 100 t; cut to 70 t in 2025. P: up to 50 % (50 t), partial, at 2 per tonne.
    # Needed: 30 t = 0.6 of P, costing 0.6 × 50 t × 2 = 60.
    src = sources(("fuel/coal", 100))
    p = Measure("P", "部分", "P", "fuel/coal", share=0.5, cost_per_t=2, partial=True)
    plan = solve(src, [p], cut([2025], 0.7, 100.0), [2025])
    assert chosen(plan) == {"P": (2025, 0.6)}
    assert plan.cost_discounted == pytest.approx(60.0)


def test_mutual_exclusion():
    # Coal 100 t; cut to 50 t in 2025 (50 t needed). A and B abate 30 t each for 10 and 12 but
    # exclude each other; C abates 30 t for 40. Without the exclusion A + B (22) would do;
    # with it the cheapest is A + C = 10 + 40 = 50.
    src = sources(("fuel/coal", 100))
    measures = [
        Measure("A", "甲", "A", "fuel/coal", share=0.3, opex=10, excludes=("B",)),
        Measure("B", "乙", "B", "fuel/coal", share=0.3, opex=12, excludes=("A",)),
        Measure("C", "丙", "C", "fuel/coal", share=0.3, opex=40),
    ]
    plan = solve(src, measures, cut([2025], 0.5, 100.0), [2025])
    assert chosen(plan) == {"A": (2025, 1.0), "C": (2025, 1.0)}
    assert plan.cost_discounted == pytest.approx(50.0)


def test_measures_on_one_source_cannot_abate_more_than_it_emits_and_the_shortfall_is_explained():
    # Coal 100 t; net zero required in 2025 (cap 0 t). A abates 70 %, B 60 %, both all-or-nothing.
    # A + B would be 130 t on a 100 t source: not allowed. The best is A alone: 30 t missing
    # (B alone leaves 40 t).
    src = sources(("fuel/coal", 100))
    measures = [
        Measure("A", "甲", "A", "fuel/coal", share=0.7, opex=1),
        Measure("B", "乙", "B", "fuel/coal", share=0.6, opex=1),
    ]
    plan = solve(src, measures, cut([2025], 0.0, 100.0), [2025])
    assert plan.status == "infeasible"
    assert chosen(plan) == {"A": (2025, 1.0)}
    assert [(s.year, round(s.missing_t, 6)) for s in plan.shortfalls] == [(2025, 30.0)]
    assert plan.table["shortfall_t"].to_list() == pytest.approx([30.0])


def test_infeasible_target_names_the_year_and_the_missing_tonnes():
    # Coal 100 t. Cut to 60 t from 2026 (40 t needed each year), years 2025-2028. The only measure
    # abates 50 t but cannot start before 2028: 2026 and 2027 miss 40 t each, 2028 is met.
    src = sources(("fuel/coal", 100))
    m = Measure("LATE", "晚", "Late", "fuel/coal", share=0.5, opex=1, start_year=2028)
    plan = solve(src, [m], cut([2026, 2027, 2028], 0.6, 100.0), [2025, 2026, 2027, 2028])
    assert plan.status == "infeasible"
    assert [(s.year, round(s.missing_t, 6)) for s in plan.shortfalls] == [(2026, 40.0), (2027, 40.0)]
    assert "2026" in plan.shortfalls[0].message("en") and "40 t CO2e" in plan.shortfalls[0].message("en")
    assert "2026 年" in plan.shortfalls[0].message("zh") and "40 吨" in plan.shortfalls[0].message("zh")
    # the least-shortfall plan still adopts the measure when it can: 2028 is met
    assert chosen(plan) == {"LATE": (2028, 1.0)}
    assert plan.table["shortfall_t"].to_list() == pytest.approx([0.0, 40.0, 40.0, 0.0])


def test_peak_year_caps_later_years_at_the_peak_years_level():
    # BAU grows 10 % a year from 100 t (2024): 110 (2025), 121 (2026), 133.1 (2027). Peak no later
    # than 2026: E(2027) ≤ E(2026). Measure M abates 20 t a year at 1 per tonne (20 a year).
    # Starting in 2026 lowers E(2026) too (101 t) and E(2027) = 113.1 > 101: no good. Starting in
    # 2027: E(2027) = 113.1 ≤ E(2026) = 121. Cost 20.
    src = sources(("fuel/coal", 100))
    m = Measure("M", "措施", "M", "fuel/coal", potential_t=20, cost_per_t=1)
    caps = [Cap(2027, "peak", 1.0, "peak")]
    plan = solve(src, [m], caps, [2025, 2026, 2027], growth={"default": 0.1}, peak_year=2026)
    assert chosen(plan) == {"M": (2027, 1.0)}
    assert plan.cost_discounted == pytest.approx(20.0)
    assert plan.bau_peak.year == 2027 and not plan.bau_peak.reached  # BAU still rising at the end


def test_neutrality_with_removals_and_priced_offsets():
    # Coal 100 t, removals 30 t a year, net ≤ 0 in 2026 and 2027; offsets cost 20 per tonne.
    # A abates 50 t for 10 per tonne (500 a year). Offsets alone: 70 t × 20 = 1400 a year;
    # A + 20 t of offsets: 500 + 400 = 900 a year. Over two years: 1800.
    src = sources(("fuel/coal", 100))
    a = Measure("A", "甲", "A", "fuel/coal", share=0.5, cost_per_t=10)
    caps = [Cap(y, "neutral", 0.0, "zero") for y in (2026, 2027)]
    plan = solve(
        src,
        [a],
        caps,
        [2026, 2027],
        removals_t={2024: 30.0, 2025: 30.0, 2026: 30.0, 2027: 30.0},
        offsets=True,
        offset_price=20.0,
    )
    assert chosen(plan) == {"A": (2026, 1.0)}
    assert plan.table["offsets_t"].to_list() == pytest.approx([20.0, 20.0])
    assert plan.table["net_t"].to_list() == pytest.approx([0.0, 0.0], abs=1e-6)
    assert plan.cost_discounted == pytest.approx(1800.0)


def test_ramp_up_and_a_cut_covering_one_source():
    # Coal 100 t and gas 50 t. A cut covering gas only: gas ≤ 20 t from 2027 (30 t to abate).
    # G abates 80 % of gas (40 t at full) with a 2-year ramp: 50 % in its first year, then 100 %;
    # opex 10 a year at full adoption, ramped like the abatement. Starting 2027 gives 20 t in 2027:
    # not enough. Starting 2026: 20 t (2026), 40 t (2027): cost 5 + 10 = 15. The coal is untouched.
    src = sources(("fuel/coal", 100), ("fuel/gas", 50))
    g = Measure("G", "气", "G", "fuel/gas", share=0.8, opex=10, ramp_up_years=2)
    plan = solve(src, [g], cut([2027], 0.4, 50.0, covers="fuel/gas"), [2025, 2026, 2027])
    assert chosen(plan) == {"G": (2026, 1.0)}
    assert plan.cost_discounted == pytest.approx(15.0)
    assert plan.table["abatement_t"].to_list() == pytest.approx([0.0, 20.0, 40.0])


def test_negative_cost_measures_are_adopted_without_any_target():
    # No cap at all: only a measure that saves money (savings 30 > opex 10) is worth adopting,
    # from the first year: cost −20 a year × 2 years = −40.
    src = sources(("fuel/coal", 100))
    measures = [
        Measure("SAVE", "省", "Save", "fuel/coal", share=0.1, opex=10, savings=30),
        Measure("COST", "费", "Cost", "fuel/coal", share=0.1, opex=10),
    ]
    plan = solve(src, measures, [], [2025, 2026])
    assert chosen(plan) == {"SAVE": (2025, 1.0)}
    assert plan.cost_discounted == pytest.approx(-40.0)


def test_macc_levelised_cost_by_hand():
    # capex 1000 over 10 years at r = 0: 100 a year; opex 20 − savings 70 = −50 a year; 50 t a year.
    # Levelised: (100 − 50) / 50 = 1 per tonne.
    src = sources(("fuel/coal", 100))
    m = Measure("M", "措施", "M", "fuel/coal", share=0.5, capex=1000, lifetime_years=10, opex=20, savings=70)
    plan = solve(src, [m], [], [2025, 2026, 2027])
    row = plan.macc.row(0, named=True)
    assert math.isclose(row["cost_per_t"], 1.0) and row["potential_t"] == 50.0


def test_realistic_size_is_solved_to_optimality():
    # 200 measures (5 removals, most measures divisible) on 5 sectors × 8 districts, 40 years, cuts,
    # peak, neutrality with removals and priced offsets. Timing is measured in bench/pathway.py.
    import synthetic

    from dualcarbon.pathway import optimize

    inputs = synthetic.problem(n_measures=200, n_years=40)
    assert len(inputs.measures) == 200 and len(inputs.years) == 40
    plan = optimize.solve(inputs)
    assert plan.status == "optimal", plan.status
    assert plan.mip_gap is not None and plan.mip_gap <= inputs.mip_gap
    assert plan.shortfalls == []
    # every cap holds in the plan's own numbers
    table = plan.table.filter(plan.table["target_t"].is_not_null())
    assert (table["net_t"] <= table["target_t"] + 1e-3 * table["bau_t"]).all()


def test_dive_start_is_a_feasible_plan_no_better_than_the_optimum(monkeypatch):
    # the plan handed to HiGHS as its first incumbent: every all-or-nothing measure 0 or 1, every row
    # (caps, source limits, exclusions, once in place) met, and a cost the optimum can only improve on
    import numpy as np
    import synthetic

    from dualcarbon.pathway import optimize

    dives = []
    dive = optimize._Model._dive

    def recorded(model, lp, blocks):
        start = dive(model, lp, blocks)
        dives.append((model, start, np.asarray(lp.col_cost_), blocks))
        return start

    monkeypatch.setattr(optimize._Model, "_dive", recorded)
    inputs = synthetic.problem(n_measures=80, n_years=20, seed=3)
    plan = optimize.solve(inputs)
    assert plan.status == "optimal" and len(dives) == 1
    model, start, cost, blocks = dives[0]
    assert start is not None
    binary = start[np.concatenate(blocks)]
    assert np.allclose(binary, np.round(binary), atol=1e-9)
    for (idx, coef), upper, _, _ in model.rows()[0]:
        assert start[idx] @ coef <= upper + 1e-6
    optimum = plan.cost_discounted * optimize.COST_SCALE
    assert cost @ start >= optimum - inputs.mip_gap * abs(optimum) - 1e-6


def test_regression_the_pathway_peak_counts_the_years_before_the_pathway():
    # Coal 100 t in the inventory year 2024, falling 10 % a year: 90 (2025), 81 (2026). Emissions
    # only fall after the base year, so both peaks are the base year 2024 at 100 t; a base year
    # before the inventory with 120 t (2020) is the peak of both series instead.
    # Before the fix, the pathway's peak was searched in 2025-2026 only: 2025, 90 t.
    src = sources(("fuel/coal", 100))
    plan = solve(src, [], [], [2025, 2026], growth={"default": -0.1}, history_t={2024: 100.0})
    assert (plan.pathway_peak.year, plan.pathway_peak.emissions_t) == (2024, pytest.approx(100.0))
    assert (plan.bau_peak.year, plan.bau_peak.emissions_t) == (2024, pytest.approx(100.0))
    assert plan.pathway_peak.reached and plan.bau_peak.reached
    # removals of a year before the pathway count as in the pathway's years (net emissions)
    plan = solve(
        src,
        [],
        [],
        [2025, 2026],
        growth={"default": -0.1},
        history_t={2020: 120.0, 2024: 100.0},
        removals_t={2020: 30.0, 2024: 0.0, 2025: 0.0, 2026: 0.0},
    )
    assert (plan.pathway_peak.year, plan.pathway_peak.emissions_t) == (2024, pytest.approx(100.0))
    assert (plan.bau_peak.year, plan.bau_peak.emissions_t) == (2020, pytest.approx(120.0))


def in_place(plan, measure: str) -> dict[int, float]:
    """{year: share of the measure in place} from abatement.csv's in_place column."""
    rows = plan.abatement.filter(plan.abatement["measure"] == measure)
    return {y: round(v, 6) for y, v in zip(rows["year"], rows["in_place"], strict=True)}


def test_build_out_limit_and_interim_milestones_spread_a_partial_measure():
    # Coal 100 t a year, years 2025-2029. P: 100 % of the coal (100 t), partial, cost 1 per tonne
    # abated, at most 25 % of it built a year. Milestones: ≤ 75 t from 2027 (-25 %), ≤ 25 t in 2029
    # (-75 %). Cheapest: nothing until needed, then the least that meets each year. 2027 needs 25 %,
    # 2029 needs 75 %: with 25 % a year, 75 % in 2029 means 25 % in 2027, 50 % in 2028, 75 % in 2029.
    # Without the limit the plan would jump from 25 % (2027) to 75 % in 2029. Cost: 25 + 50 + 75 t
    # abated x 1 = 150 (undiscounted).
    src = sources(("fuel/coal", 100))
    p = Measure("P", "部分", "P", "fuel/coal", share=1.0, cost_per_t=1, partial=True, max_build_per_year=0.25)
    caps = cut([2027, 2028], 0.75, 100.0) + cut([2029], 0.25, 100.0)
    plan = solve(src, [p], caps, [2025, 2026, 2027, 2028, 2029])
    assert plan.status == "optimal"
    assert in_place(plan, "P") == {2027: 0.25, 2028: 0.5, 2029: 0.75}
    assert plan.cost_discounted == pytest.approx(150.0)
    net = dict(zip(plan.table["year"], plan.table["net_t"], strict=True))
    assert net == pytest.approx({2025: 100, 2026: 100, 2027: 75, 2028: 50, 2029: 25})
    # the same targets without the limit: 25 % from 2027, 75 % from 2029 (25 + 25 + 75 = 125)
    free = solve(
        src,
        [Measure("P", "部分", "P", "fuel/coal", share=1.0, cost_per_t=1, partial=True)],
        caps,
        [2025, 2026, 2027, 2028, 2029],
    )
    assert in_place(free, "P") == {2027: 0.25, 2028: 0.25, 2029: 0.75}


def test_latest_start_year_brings_a_measure_forward_or_rules_it_out():
    # Coal 100 t; ≤ 50 t in 2029 only. C: 50 % at 1 per tonne, all or nothing, latest start 2027.
    # Least cost without the limit: start in 2029 (50). With it: start in 2027, the latest allowed,
    # cost 3 x 50 = 150. With latest start 2024 (before the pathway) it cannot be used: the 2029 cap
    # is missed by 50 t.
    src = sources(("fuel/coal", 100))
    caps = cut([2029], 0.5, 100.0)
    years = [2025, 2026, 2027, 2028, 2029]
    assert chosen(solve(src, [Measure("C", "丙", "C", "fuel/coal", share=0.5, cost_per_t=1)], caps, years)) == {
        "C": (2029, 1.0)
    }
    plan = solve(
        src, [Measure("C", "丙", "C", "fuel/coal", share=0.5, cost_per_t=1, latest_start_year=2027)], caps, years
    )
    assert chosen(plan) == {"C": (2027, 1.0)} and plan.cost_discounted == pytest.approx(150.0)
    late = solve(
        src, [Measure("C", "丙", "C", "fuel/coal", share=0.5, cost_per_t=1, latest_start_year=2024)], caps, years
    )
    assert late.status == "infeasible" and [(s.year, round(s.missing_t, 6)) for s in late.shortfalls] == [(2029, 50.0)]
