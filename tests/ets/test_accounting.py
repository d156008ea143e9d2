"""The guideline's accounting by hand: E = FC × NCV × CC × OF × 44/12 per unit and month with the measured
carbon content or the default of the guideline's revision, purchased electricity at the ETS grid factor,
the heat-ratio split and the intensities.

Every expected value is computed in the test's docstring from the rule data of src/dualcarbon/ets/guideline/
(parameters.csv, grid_factors.csv); those values are `unconfirmed` or `second-hand` (docs/ets.md): the tests
pin the arithmetic and which value applies, not the values' authority.
"""

from __future__ import annotations

import math

import polars as pl
import pytest

from dualcarbon.ets import accounting, rules
from dualcarbon.ets.model import PowerUnit
from dualcarbon.project import ets as project_ets
from dualcarbon.project.load import load

from .plant import plant


def _compute(root):
    project = load(root)
    assert project.ets is not None
    return project_ets.compute(project.ets)


def test_measured_carbon_content(tmp_path):
    """1,000 t of coal, NCV 20 GJ/t, CC 0.027 t C/GJ measured, OF 0.99 (the guideline's default, parameters.csv):
    E = 1000 × 20 × 0.027 × 0.99 × 44/12 = 20,000 GJ × 0.027 = 540 t C; × 0.99 = 534.6; × 44/12 = 1,960.2 t CO2."""
    result = _compute(plant(tmp_path))
    row = result.fuel.row(0, named=True)
    assert row["carbon_content_source"] == "measured" and row["oxidation_source"] == "default"
    assert row["energy_gj"] == pytest.approx(20_000.0)
    assert row["co2_t"] == pytest.approx(1960.2, rel=1e-12)
    assert result.summary["units"][0]["emissions_t"] == pytest.approx(1960.2, rel=1e-12)


@pytest.mark.parametrize(
    ("guideline", "cc", "expected"),
    [
        # 2022 revision: 20,000 GJ × 0.03085 = 617 t C; × 0.99 = 610.83; × 44/12 = 2,239.71 t CO2
        ("2022", 0.03085, 2239.71),
        # 2021 guideline: 20,000 GJ × 0.03356 = 671.2 t C; × 0.99 = 664.488; × 44/12 = 2,436.456 t CO2
        ("2021", 0.03356, 2436.456),
    ],
)
def test_unmeasured_month_takes_the_default_of_the_revision(tmp_path, guideline, cc, expected):
    """The same 1,000 t at 20 GJ/t in a month whose carbon content was not measured (``measured`` false: the
    0.027 written in the row does not count): the default of the revision in [ets] applies."""
    activities = (
        "id,facility,date,activity,quantity,unit,ncv,ncv_unit,carbon_content,carbon_content_unit,measured\n"
        "C1,U1,2023-01-31,原煤,1000,t,20,GJ/t,0.027,tC/GJ,false\n"
    )
    result = _compute(plant(tmp_path, activities=activities, ets=f'guideline = "{guideline}"'))
    row = result.fuel.row(0, named=True)
    assert row["carbon_content_source"] == "default" and row["carbon_content_t_per_gj"] == cc
    assert row["co2_t"] == pytest.approx(expected, rel=1e-12)
    assert result.months["evidence"][0] == "default_carbon_content"
    assert [c["id"] for c in result.summary["checks"]] == ["unmeasured_months", "too_few_measured_months"]


def test_measured_not_stated_counts_a_given_carbon_content(tmp_path):
    """Without ``measured`` a row with a carbon content is measured, a row without takes the default:
    1000 × 20 × 0.027 × 0.99 × 44/12 = 1,960.2 and 500 × 20 × 0.03085 × 0.99 × 44/12 = 1,119.855."""
    activities = (
        "id,facility,date,activity,quantity,unit,ncv,ncv_unit,carbon_content,carbon_content_unit\n"
        "C1,U1,2023-01-31,原煤,1000,t,20,GJ/t,0.027,tC/GJ\n"
        "C2,U1,2023-01-31,原煤,500,t,20,GJ/t,,\n"
    )
    result = _compute(plant(tmp_path, activities=activities))
    assert result.fuel["co2_t"].to_list() == pytest.approx([1960.2, 1119.855], rel=1e-12)
    assert result.months["fuel_co2_t"][0] == pytest.approx(3080.055, rel=1e-12)


def test_gas_defaults_in_the_guidelines_unit(tmp_path):
    """10 万Nm3 of natural gas with no measurement: NCV 389.31 GJ/万Nm3, CC 0.01532 t C/GJ, OF 0.99 (the
    guideline's appendix defaults, parameters.csv): 10 × 389.31 = 3,893.1 GJ; × 0.01532 = 59.642292 t C;
    × 0.99 = 59.04586908; × 44/12 = 216.50151996 t CO2. Gas needs no monthly measurement: no check."""
    units = "id,facility,fuel_class,capacity_mw,cooling,chp\nG1,plant,gas,200,water,true\n"
    generation = (
        "unit,month,generation_mwh,supplied_mwh,own_use_mwh,heat_supplied_gj,load_factor,heat_ratio\n"
        "G1,2023-01,100,97,3,1000,0.7,0.4\n"
    )
    activities = "id,facility,date,activity,quantity,unit,measured\nN1,G1,2023-01-31,天然气,10,万Nm3,false\n"
    result = _compute(plant(tmp_path, units=units, generation=generation, activities=activities))
    row = result.fuel.row(0, named=True)
    assert row["consumption"] == pytest.approx(10.0) and row["consumption_unit"] == "万Nm3"
    assert row["ncv_gj_per_unit"] == pytest.approx(389.31) and row["ncv_source"] == "default"
    assert row["co2_t"] == pytest.approx(216.50151996, rel=1e-9)
    assert result.summary["checks"] == []


def test_heat_ratio_split_and_intensities():
    """A CHP unit-month of 1,000 t CO2 with the plant's heat ratio 0.3 (its heat balance, as the guideline
    asks): power 700 t over 1,000 MWh supplied = 0.7 t CO2/MWh; heat 300 t over 5,000 GJ = 0.06 t CO2/GJ.
    Without a ratio, heat 3,600 GJ and 1,000 MWh generated give heat / (heat + 3.6 × generation) = 0.5."""
    fuel = pl.DataFrame({"unit": ["G", "G"], "month": ["2023-01", "2023-02"], "co2_t": [1000.0, 1000.0]}).with_columns(
        pl.lit("measured").alias("carbon_content_source"), pl.lit("measured").alias("ncv_source")
    )
    generation = pl.DataFrame(
        {
            "unit": ["G", "G"],
            "month": ["2023-01", "2023-02"],
            "generation_mwh": [1050.0, 1000.0],
            "supplied_mwh": [1000.0, 1000.0],
            "own_use_mwh": [50.0, 0.0],
            "heat_supplied_gj": [5000.0, 3600.0],
            "load_factor": [0.8, 0.8],
            "heat_ratio": [0.3, None],
            "_row": [2, 3],
        }
    )
    no_power = pl.DataFrame(
        schema={
            "unit": pl.String,
            "month": pl.String,
            "electricity_mwh": pl.Float64,
            "grid_factor": pl.Float64,
            "electricity_co2_t": pl.Float64,
        }
    )
    months = accounting.unit_months(fuel, no_power, generation)
    jan, feb = months.to_dicts()
    assert (jan["power_emissions_t"], jan["heat_emissions_t"]) == pytest.approx((700.0, 300.0))
    assert jan["intensity_power_t_per_mwh"] == pytest.approx(0.7)
    assert jan["intensity_heat_t_per_gj"] == pytest.approx(0.06)
    assert feb["heat_ratio"] == pytest.approx(0.5) and feb["heat_ratio_source"] == "output_energy"
    assert feb["evidence"] == "heat_ratio_estimated"
    # the year: power 700 + 500 = 1,200 t over 2,000 MWh = 0.6; heat 300 + 500 = 800 t over 8,600 GJ
    year = accounting.unit_years(months, [PowerUnit("G", "plant", "gas", 200.0, "water", True)]).row(0, named=True)
    assert year["heat_ratio"] == pytest.approx(0.4)
    assert year["intensity_power_t_per_mwh"] == pytest.approx(0.6)
    assert year["intensity_heat_t_per_gj"] == pytest.approx(800 / 8600)
    assert year["intensity_generation_t_per_mwh"] == pytest.approx(1200 / 2050)


def test_purchased_electricity_at_the_ets_grid_factor(tmp_path):
    """A unit in overhaul buying 1,000 MWh in 2022: 1,000 × 0.5703 t CO2/MWh (the 2022 national grid factor of
    the MEE notice on 2023-2025 power reporting, second-hand in grid_factors.csv) = 570.3 t CO2, not the
    MEE/NBS grid average the inventory's Scope 2 uses (factors/data/china_grid)."""
    generation = (
        "unit,month,generation_mwh,supplied_mwh,own_use_mwh,heat_supplied_gj,load_factor\nU1,2022-04,0,0,0,0,\n"
    )
    activities = "id,facility,date,activity,quantity,unit\nE1,U1,2022-04-30,外购电力,1000,MWh\n"
    root = plant(tmp_path, generation=generation, activities=activities)
    toml = (root / "dualcarbon.toml").read_text(encoding="utf-8").replace("2023-", "2022-")
    (root / "dualcarbon.toml").write_text(toml, encoding="utf-8")
    result = _compute(root)
    month = result.months.row(0, named=True)
    assert month["grid_factor_t_per_mwh"] == 0.5703 and month["electricity_co2_t"] == pytest.approx(570.3)
    assert month["evidence"] == "purchased_electricity"
    assert result.summary["parameters"][-1]["status"] == "second-hand"
    assert rules.grid_factor(2022) is not None and rules.grid_factor(2022).status == "second-hand"


def test_every_rule_value_has_a_document_and_a_status():
    for g in rules.guidelines().values():
        assert g.number and g.status in rules.STATUSES
        for p in g.parameters.values():
            assert p.document and p.clause and p.source and p.status in rules.STATUSES
            assert math.isfinite(p.value)
    for f in rules.grid_factors().values():
        assert f.document and f.source and f.status in rules.STATUSES
