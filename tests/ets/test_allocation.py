"""Allowances of power units under the national ETS allocation plans, computed by hand.

The formula (the 2019-2020 plan, 国环规气候〔2020〕3号, annex "配额分配方法"; restated by Azure International
and ICAP, see src/dualcarbon/ets/plans/2019-2020.toml):
    allowance = power benchmark x supplied power x cooling x heat x load factor + heat benchmark x heat supplied.
The values below are those of the plan files, with their statuses there (second-hand or unconfirmed).
"""

from __future__ import annotations

import math
import re
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualcarbon.errors import InputError
from dualcarbon.ets.allocation import (
    AllocationUnit,
    Allowance,
    PlanValueMissing,
    allocate,
    annual_load_factor,
    compliance,
    load_correction,
    plan_for,
    plans,
)


def unit(**overrides) -> AllocationUnit:
    fields = dict(
        unit="U1",
        fuel_class="coal_conventional_gt300",
        capacity_mw=600.0,
        cooling="water",
        chp=False,
        generation_mwh=1_050_000.0,
        supplied_mwh=1_000_000.0,
        heat_supplied_gj=0.0,
        load_factor=0.90,
        emissions_t=900_000.0,
    )
    fields.update(overrides)
    return AllocationUnit(**fields)


def test_coal_unit_with_cooling_and_load_corrections_by_hand():
    """600 MW air-cooled pure-condensing coal unit, 2019, F = 70 %:
    0.877 t/MWh (ICAP, 'above 300 MW') x 2,850,000 MWh x 1.05 (air cooling) x 1.015^(16 - 20 x 0.70)
    = 2,499,450 x 1.05 x 1.030225 = 2,703,745.67 t; emissions 2,600,000 t: surplus 103,745.67 t."""
    a = allocate(
        unit(cooling="air", supplied_mwh=2_850_000.0, generation_mwh=3_000_000.0, load_factor=0.70, emissions_t=2.6e6),
        2019,
    )
    assert a.category == "coal_conventional_gt300" and a.plan == "2019-2020" and a.output_basis == "supplied"
    assert a.power_benchmark_t_per_mwh == 0.877 and a.heat_benchmark_t_per_gj is None
    assert a.corrections == pytest.approx({"cooling": 1.05, "load": 1.030225})
    assert a.power_allowance_t == pytest.approx(2_703_745.67, abs=0.01)
    assert a.heat_allowance_t == 0.0 and a.allowance_t == a.power_allowance_t
    assert a.obligation_t == 2_600_000.0
    assert a.surplus_t == pytest.approx(103_745.67, abs=0.01)
    # every value used is cited, and none was read in the MEE document itself
    assert any("0.877" in s and "ICAP" in s for s in a.sources)
    assert "power_benchmark[category=coal_conventional_gt300] (second-hand)" in a.unconfirmed
    assert "cooling_factor[group=coal, cooling=air] (unconfirmed)" in a.unconfirmed
    assert len(a.unconfirmed) == len(a.sources) - 1  # all but the plan's own title line


def test_a_deficit_is_a_negative_surplus():
    """Water-cooled, F = 90 % (no load correction above 85 %): 0.877 x 1,000,000 = 877,000 t against 900,000 t."""
    a = allocate(unit(), 2020)
    assert a.corrections == {"cooling": 1.0, "load": 1.0}
    assert a.allowance_t == pytest.approx(877_000.0)
    assert a.surplus_t == pytest.approx(-23_000.0)


def test_coal_chp_unit_heat_correction_and_heat_allowance_by_hand():
    """300 MW CHP unit (300MW等级及以下), 2019, heat ratio 30 %:
    power 0.979 x 1,200,000 x 1.0 (water) x (1 - 0.22 x 0.30) = 1,174,800 x 0.934 = 1,097,263.2 t,
    heat 0.126 x 3,000,000 GJ = 378,000 t, 1,475,263.2 t in all; the 2019-2020 plan's load correction is
    for pure-condensing units, so none here although F = 60 %."""
    a = allocate(
        unit(
            fuel_class="coal_conventional_le300",
            capacity_mw=300.0,
            chp=True,
            generation_mwh=1_300_000.0,
            supplied_mwh=1_200_000.0,
            heat_supplied_gj=3_000_000.0,
            heat_ratio=0.30,
            load_factor=0.60,
            emissions_t=1_450_000.0,
        ),
        2019,
    )
    assert a.corrections == pytest.approx({"cooling": 1.0, "heat": 0.934})
    assert a.power_allowance_t == pytest.approx(1_097_263.2)
    assert a.heat_benchmark_t_per_gj == 0.126 and a.heat_allowance_t == pytest.approx(378_000.0)
    assert a.allowance_t == pytest.approx(1_475_263.2)
    assert a.surplus_t == pytest.approx(25_263.2)


def test_gas_unit_obligation_capped_at_its_allowance():
    """Gas CHP unit, 2020, heat ratio 25 %: power 0.392 x 1,450,000 x (1 - 0.6 x 0.25) = 483,140 t, heat
    0.059 x 2,000,000 = 118,000 t, 601,140 t. It emits 800,000 t but surrenders only its allowance
    (Coal Hub on the 2019-2020 plan: gas units need not buy more): obligation 601,140 t, surplus 0."""
    gas = unit(
        unit="G1",
        fuel_class="gas",
        capacity_mw=400.0,
        chp=True,
        generation_mwh=1_500_000.0,
        supplied_mwh=1_450_000.0,
        heat_supplied_gj=2_000_000.0,
        heat_ratio=0.25,
        load_factor=None,
        emissions_t=800_000.0,
    )
    a = allocate(gas, 2020)
    assert a.corrections == pytest.approx({"heat": 0.85})  # no cooling nor load correction for gas
    assert a.allowance_t == pytest.approx(601_140.0)
    assert a.obligation_t == pytest.approx(601_140.0) and a.surplus_t == pytest.approx(0.0)
    # below its allowance it surrenders what it emitted, and keeps the rest
    low = allocate(AllocationUnit(**{**gas.__dict__, "emissions_t": 500_000.0}), 2020)
    assert low.obligation_t == 500_000.0 and low.surplus_t == pytest.approx(101_140.0)


def test_entity_obligation_capped_at_allowance_plus_20_percent_of_emissions():
    """2019: allowance 877,000 t, emissions 1,200,000 t, a gap of 323,000 t, more than 20 % of the verified
    emissions (240,000 t): the entity surrenders at most 877,000 + 240,000 = 1,117,000 t."""
    a = allocate(unit(emissions_t=1_200_000.0), 2019)
    c = compliance([a], plan_year=2019)
    assert c.units_obligation_t == 1_200_000.0
    assert c.cap_applied and c.obligation_t == pytest.approx(1_117_000.0)
    assert c.balance_t == pytest.approx(-240_000.0) and c.shortfall_t == pytest.approx(240_000.0)
    assert c.borrowing_limit_t == 0.0  # no borrowing before the 2021-2022 plan
    with_bank = compliance([a], plan_year=2019, banked_t=50_000.0)
    assert with_bank.available_t == pytest.approx(927_000.0) and with_bank.shortfall_t == pytest.approx(190_000.0)
    # a gap within 20 %: no cap
    small = compliance([allocate(unit(emissions_t=1_000_000.0), 2019)], plan_year=2019)
    assert not small.cap_applied and small.obligation_t == 1_000_000.0


def test_entity_totals_over_coal_and_gas_units():
    """The gas unit counts its capped obligation (601,140 t), the coal unit its emissions; 2020."""
    coal = allocate(unit(emissions_t=850_000.0), 2020)
    gas = allocate(
        unit(
            unit="G1",
            fuel_class="gas",
            chp=True,
            supplied_mwh=1_450_000.0,
            heat_supplied_gj=2_000_000.0,
            heat_ratio=0.25,
            load_factor=None,
            emissions_t=800_000.0,
        ),
        2020,
    )
    c = compliance([coal, gas], plan_year=2020)
    assert c.units == ("U1", "G1")
    assert c.allowance_t == pytest.approx(877_000.0 + 601_140.0)
    assert c.obligation_t == pytest.approx(850_000.0 + 601_140.0)
    assert c.balance_t == pytest.approx(27_000.0) and c.carry_forward_t == pytest.approx(27_000.0)
    assert c.carry_forward_limit_t is None


def test_borrowing_under_the_2021_2022_plan():
    """2021: 0.8218 x 1,000,000 = 821,800 t against 950,000 t, a gap of 128,200 t (15.6 % of the allowance,
    at least 10 %): up to 50 % of it, 64,100 t, may be borrowed from 2023 (Climate Cooperation, item 4)."""
    a = allocate(unit(emissions_t=950_000.0), 2021)
    assert a.allowance_t == pytest.approx(821_800.0)
    c = compliance([a], plan_year=2021)
    assert not c.cap_applied  # 128,200 t is within 20 % of 950,000 t
    assert c.borrowing_limit_t == pytest.approx(64_100.0)


def test_carry_forward_limit_under_the_2023_2024_plan():
    """ICAP on the 2023-2024 plan: a surplus may be carried forward up to 10,000 t + 1.5 x net sales.
    (No 2023 benchmark was found, so the allowance is given here, not allocated.)"""
    given = Allowance(
        unit="U1",
        plan_year=2023,
        category="coal_conventional_gt300",
        power_benchmark_t_per_mwh=math.nan,
        heat_benchmark_t_per_gj=None,
        corrections={},
        power_allowance_t=1_000_000.0,
        heat_allowance_t=0.0,
        allowance_t=1_000_000.0,
        obligation_t=900_000.0,
        surplus_t=100_000.0,
        sources=(),
        unconfirmed=(),
        emissions_t=900_000.0,
    )
    c = compliance([given], plan_year=2023, net_sold_t=20_000.0)
    assert c.carry_forward_limit_t == pytest.approx(40_000.0)
    assert c.balance_t == pytest.approx(100_000.0) and c.carry_forward_t == pytest.approx(40_000.0)
    assert c.borrowing_limit_t == 0.0
    # a gap: the 2023-2024 cap on it was not found, so compliance stops and says so
    short = Allowance(**{**given.__dict__, "obligation_t": 1_100_000.0, "emissions_t": 1_100_000.0})
    with pytest.raises(PlanValueMissing, match="obligation_cap_share"):
        compliance([short], plan_year=2023)


def test_a_plan_without_the_value_raises_clearly():
    """No 2023-2024 benchmark was found: nothing is allocated, and the error names the plan, the value and
    the year, in English and in Chinese."""
    with pytest.raises(PlanValueMissing) as raised:
        allocate(unit(), 2023)
    err = raised.value
    assert err.plan_id == "2023-2024" and err.label.startswith("power_benchmark") and err.year == 2023
    # every value the unit needs and the plan lacks, at once
    assert {label.split("[")[0] for label in err.labels} == {
        "power_benchmark",
        "cooling_factor",
        "load_correction_categories",
        "capacity_threshold_mw",
    }
    text = str(err)
    assert "2023-2024" in text and "power_benchmark[category=coal_conventional_gt300" in text
    assert "no source read" in text
    assert "资料中没有该值" in err.messages("zh")[0] and "《2023、2024年度" in err.messages("zh")[0]
    assert "Total and allocation plan" in text and "生态环境部" not in text
    assert isinstance(err, InputError)  # the CLI's exit 2, the API's 4xx
    # 2022: a plan that exists, a benchmark that was not found
    with pytest.raises(PlanValueMissing, match="2021-2022"):
        allocate(unit(), 2022)
    # 2021: the power benchmark is there, the heat benchmark is not
    with pytest.raises(PlanValueMissing, match="heat"):
        allocate(unit(chp=True, heat_supplied_gj=1000.0, heat_ratio=0.01), 2021)


def test_a_year_no_plan_covers():
    with pytest.raises(InputError, match="2019-2024"):
        allocate(unit(), 2030)


def test_load_correction_pieces_meet_at_their_bounds():
    """The four pieces of the 2019-2020 load correction give one continuous curve:
    1.015^(16 - 15) = 1.015 = 1.007 + 0.0016 x 5 at 75 %, 1.007 = 1 + 0.0014 x 5 at 80 %, 1 at 85 %."""
    plan = plan_for(2019)
    assert load_correction(0.75 - 1e-12, plan, 2019) == pytest.approx(1.015)
    assert load_correction(0.75, plan, 2019) == pytest.approx(1.015)
    assert load_correction(0.80 - 1e-12, plan, 2019) == pytest.approx(1.007)
    assert load_correction(0.80, plan, 2019) == pytest.approx(1.007)
    assert load_correction(0.85 - 1e-12, plan, 2019) == pytest.approx(1.0)
    assert load_correction(0.82, plan, 2019) == pytest.approx(1.0042)
    assert load_correction(0.78, plan, 2019) == pytest.approx(1.0102)
    # Coal Hub: a unit at 49 % gets 9.7 % more
    assert load_correction(0.49, plan, 2019) == pytest.approx(1.097, abs=0.0005)


def test_annual_load_factor_from_months():
    """F = generation / (capacity x hours): months of 100 MWh at 50 % and 300 MWh at 75 % are 200 + 400
    capacity-hours, 400 / 600 = 2/3 (not the plain mean 62.5 %); an idle month adds nothing."""
    assert annual_load_factor([(100.0, 0.5), (300.0, 0.75), (0.0, None)]) == pytest.approx(2 / 3)
    assert annual_load_factor([(0.0, None)]) is None
    with pytest.raises(ValueError, match="month 2"):
        annual_load_factor([(100.0, 0.5), (50.0, None)])


def test_bad_unit_input_names_the_field():
    with pytest.raises(InputError) as raised:
        allocate(unit(fuel_class="lignite", cooling="sea", load_factor=1.5), 2019)
    columns = [p.column for p in raised.value.problems]
    assert columns == ["fuel_class", "cooling", "load_factor"]
    # a 350 MW unit is below the plan's 400 MW line of '300MW等级以上'
    with pytest.raises(InputError, match="400 MW"):
        allocate(unit(capacity_mw=350.0), 2019)
    # a pure-condensing coal unit needs its load factor under the 2019-2020 plan
    with pytest.raises(InputError, match="load factor"):
        allocate(unit(load_factor=None), 2019)
    # a unit that supplies heat needs the guideline's heat ratio for the heat correction: none is made up
    with pytest.raises(InputError, match="heat ratio") as raised:
        allocate(unit(chp=True, heat_supplied_gj=1000.0), 2019)
    assert raised.value.problems[0].column == "heat_ratio"
    assert "供热比" in raised.value.messages("zh")[0]


def test_every_plan_value_is_cited_with_a_status():
    for plan in plans():
        assert plan.number and plan.title_zh and plan.years
        for entry in plan.entries:
            assert entry["status"] in ("read", "second-hand", "unconfirmed", "not-found")
            assert entry["source"] in plan.sources and entry.get("where")
    assert [p.id for p in plans()] == ["2019-2020", "2021-2022", "2023-2024"]
    from dualcarbon.i18n import catalogue

    for plan in plans():  # the plan's citation that errors show, in both catalogues
        key = "ets.plan_document.p" + plan.id.replace("-", "_")
        assert key in catalogue("en") and key in catalogue("zh")
    assert plan_for(2024).output_basis.value == "generated" and plan_for(2022).output_basis.value == "supplied"


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0.01, max_value=1.0), st.floats(min_value=0.01, max_value=1.0))
def test_load_correction_never_below_one_and_never_rising_with_load(f1, f2):
    """A unit run at a lower load gets at least as large a correction, never less than 1 (the pieces of
    2019-2020.toml)."""
    plan = plan_for(2019)
    low, high = sorted((f1, f2))
    assert load_correction(high, plan, 2019) >= 1.0
    assert load_correction(low, plan, 2019) >= load_correction(high, plan, 2019) - 1e-12


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=0.0, max_value=1e7), st.floats(min_value=0.0, max_value=1e7))
def test_allowance_is_linear_in_output_and_surplus_is_allowance_minus_obligation(supplied, emissions):
    a = allocate(unit(supplied_mwh=supplied, emissions_t=emissions), 2019)
    assert a.allowance_t == pytest.approx(0.877 * supplied, rel=1e-12, abs=1e-9)
    assert a.surplus_t == pytest.approx(a.allowance_t - emissions, rel=1e-12, abs=1e-6)


# How a value reached us (the address of a copy, a site's name as a copy) is written in plans/SOURCES.md only:
# what a user reads (an Allowance's sources, an error's plan citation) names the publication.
ADDRESS = re.compile(r"https?://|www\.|\.(com|org|net|cn|gov)\b|\?p=|/node/|\.html\b", re.IGNORECASE)


def test_plan_citations_name_the_publication_not_where_it_was_read():
    for plan in plans():
        for source_id, citation in plan.sources.items():
            assert not ADDRESS.search(citation), (plan.id, source_id, citation)
        for entry in plan.entries:
            for key in ("where", "note"):
                assert not ADDRESS.search(str(entry.get(key, ""))), (plan.id, entry["name"], key)
    shown = allocate(unit(cooling="air", load_factor=0.70), 2019).sources
    assert shown and not any(ADDRESS.search(s) for s in shown)


def test_every_plan_source_says_in_sources_md_where_it_was_read():
    """plans/SOURCES.md has a row for every [[sources]] id of every plan file, with the address of the copy read
    (or the reason no copy was read)."""
    text = (resources.files("dualcarbon.ets") / "plans" / "SOURCES.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `([\w-]+)` \| [^|]+ \| ([^|]+) \|", text, re.MULTILINE)}
    for plan in plans():
        for source_id in plan.sources:
            assert source_id in rows, (plan.id, source_id)
            assert rows[source_id].strip(), (plan.id, source_id)
