"""Fuel combustion against the published defaults (sources cited per test)."""

from __future__ import annotations

import pytest

HEADER = "id,facility,date,activity,quantity,unit,region"


def test_ipcc_tier1_natural_gas_per_tj(run_project):
    # IPCC 2006 Vol. 2 Ch. 2 Table 2.3 (manufacturing industries, 1.A.2): natural gas
    # CO2 56 100 kg/TJ, CH4 1 kg/TJ, N2O 0.1 kg/TJ; energy given directly in TJ.
    run = run_project(f"{HEADER}\nA1,plant,2024-03-31,fuel/natural_gas,1,TJ,CN", sets=["ipcc2006"])
    assert run.mass("CO2") == pytest.approx(56.1, rel=1e-9)
    assert run.mass("CH4") == pytest.approx(0.001, rel=1e-9)
    assert run.mass("N2O") == pytest.approx(0.0001, rel=1e-9)
    # AR5 GWP-100 (IPCC AR5 WG1 Table 8.A.1): CH4 28, N2O 265.
    assert run.co2e() == pytest.approx(56.1 + 0.028 + 0.0265, rel=1e-9)


def test_ipcc_tier1_converts_mass_by_net_calorific_value(run_project):
    # IPCC 2006 Vol. 2 Ch. 1 Table 1.2: Gas/Diesel Oil NCV 43.0 TJ/Gg; Table 1.4: CO2 74 100 kg/TJ.
    # 1 000 t diesel = 1 Gg → 43 TJ → 3 186.3 t CO2.
    run = run_project(f"{HEADER}\nA1,plant,2024-03-31,fuel/diesel,1000,t,CN", sets=["ipcc2006"])
    assert run.mass("CO2") == pytest.approx(43 * 74.1, rel=1e-9)


def test_gbt32150_natural_gas_formula(run_project):
    # GB/T 32150-2015 Annex B Table B.1 (as transcribed, see SOURCES.md): natural gas NCV
    # 389.31 GJ/10^4 Nm3, carbon content 15.3 t C/TJ, oxidation 99 %.
    # E = 1 × 389.31 × 0.0153 × 0.99 × 44/12 = 21.62 t CO2 per 10^4 Nm3 (the familiar figure).
    run = run_project(f"{HEADER}\nA1,plant,2024-03-31,天然气,1,万立方米,CN", sets=["gbt32150", "ipcc2006"])
    co2 = run.co2e_rows(gas="CO2")
    assert co2["mass_t"].sum() == pytest.approx(389.31 * 0.0153 * 0.99 * 44 / 12, rel=1e-9)
    assert round(co2["mass_t"].sum(), 2) == 21.62
    assert "GB/T 32150" in co2["formula"][0]
    # CH4 and N2O, which GB/T 32150 does not give, come from IPCC at the same energy.
    assert run.mass("CH4") == pytest.approx(389.31 * 1e-3 * 1e-3, rel=1e-9)


def test_tier2_row_overrides_replace_defaults(run_project):
    # GB/T 32150-2015 cl. 7 with measured parameters: E = FC × NCV × CC × OF × 44/12.
    rows = (
        f"{HEADER},ncv,ncv_unit,carbon_content,carbon_content_unit,oxidation\n"
        "A1,kiln,2024-03-31,原煤,1000,吨,CN,20.5,GJ/t,26.0,tC/TJ,0.94\n"
    )
    run = run_project(rows, sets=["gbt32150", "ipcc2006"])
    expected = 1000 * 20.5 * 0.026 * 0.94 * 44 / 12
    assert run.mass("CO2") == pytest.approx(expected, rel=1e-9)
    co2 = run.co2e_rows(gas="CO2")
    assert "row:ncv" in co2["factor_ids"][0] and "row:carbon_content" in co2["factor_ids"][0]


def test_us_epa_hub_natural_gas_in_therms(run_project):
    # US EPA GHG Emission Factors Hub 2025, Table 1: natural gas 53.06 kg CO2, 1 g CH4 and
    # 0.1 g N2O per mmBtu; 1 therm = 0.1 mmBtu. 1 000 therms → 5.306 t CO2.
    run = run_project(
        f"{HEADER}\nA1,office,2024-03-31,natural gas,1000,therm,US", sets=["us_epa_hub"], country="US", sector="1.A.4.a"
    )
    assert run.mass("CO2") == pytest.approx(5.306, rel=1e-9)
    assert run.mass("CH4") == pytest.approx(100 * 1e-6, rel=1e-9)
    assert run.mass("N2O") == pytest.approx(100 * 0.1e-6, rel=1e-9)


def test_us_epa_hub_per_physical_unit(run_project):
    # EPA Hub 2025 Table 1: natural gas 0.05444 kg CO2 per scf (= 53.06 kg/mmBtu × 0.001026 mmBtu/scf).
    run = run_project(f"{HEADER}\nA1,office,2024-03-31,fuel/natural_gas,1000,Mcf,US", sets=["us_epa_hub"], country="US")
    assert run.mass("CO2") == pytest.approx(1e6 * 0.05444 / 1000, rel=1e-3)


def test_biogenic_co2_is_reported_separately(run_project):
    # GHG Protocol Corporate Standard Ch. 9 / ISO 14064-1 cl. 5.2.4: biogenic CO2 outside the scopes.
    # IPCC 2006 Vol. 2 Table 1.2 wood NCV 15.6 TJ/Gg; Table 2.3 wood CO2 112 000 kg/TJ.
    run = run_project(f"{HEADER}\nA1,boiler,2024-03-31,fuel/wood,100,t,CN", sets=["ipcc2006"])
    assert run.summary["totals"]["biogenic_co2"] == pytest.approx(100 * 15.6e-3 * 112, rel=1e-9)
    assert run.summary["totals"]["scope1"] == pytest.approx(run.co2e(biogenic=False), rel=1e-9)
    # Only CH4 and N2O count in Scope 1: Table 2.3 wood 30 kg CH4/TJ, 4 kg N2O/TJ; AR5 GWP 28 and 265.
    assert run.summary["totals"]["scope1"] == pytest.approx(1.56 * (0.030 * 28 + 0.004 * 265), rel=1e-9)


# -- US EPA GHG Emission Factors Hub 2025: mobile vs stationary combustion --------------------------
GALLON_L = 3.785411784


@pytest.mark.parametrize(("unit", "gallons"), [("gallon", 1000.0), ("L", 1000.0 / GALLON_L)])
def test_us_gasoline_in_gallons_or_litres_takes_hub_table_2(run_project, unit, gallons):
    # EPA Hub 2025 Table 2 (mobile combustion CO2): motor gasoline 8.78 kg CO2 per gallon. Before,
    # the Hub's motor gasoline never mapped to fuel/gasoline and a US gasoline row stopped with exit 2.
    run = run_project(
        f"{HEADER}\nG1,fleet,2024-06-30,gasoline,1000,{unit},US", sets=["us_epa_hub", "egrid", "ipcc2006"], country="US"
    )
    assert run.mass("CO2") == pytest.approx(gallons * 8.78 / 1000, rel=1e-9)
    # Table 2 has no CH4/N2O per gallon of road fuel: not the stationary Table 1 values, nor IPCC's
    assert set(run.emissions["gas"].to_list()) == {"CO2"}
    assert any(w["code"] == "mobile_ch4_n2o" for w in run.warnings)


def test_us_mobile_diesel_does_not_take_stationary_ch4_n2o(run_project):
    # EPA Hub 2025 Table 2: diesel fuel 10.21 kg CO2/gallon. Before, the mobile diesel row took Table 1
    # (stationary, distillate fuel oil No. 2) CH4 0.41 g and N2O 0.08 g per gallon.
    run = run_project(f"{HEADER}\nD1,fleet,2024-06-30,diesel,1000,gallon,US", sets=["us_epa_hub"], country="US")
    assert run.mass("CO2") == pytest.approx(10.21, rel=1e-9)
    assert set(run.emissions["gas"].to_list()) == {"CO2"}


def test_us_stationary_gasoline_and_diesel_keep_table_1(run_project):
    # A stationary row (category override 1.stationary: a generator) takes EPA Hub 2025 Table 1: motor
    # gasoline 8.78 kg CO2, 0.38 g CH4, 0.08 g N2O per gallon; distillate No. 2 0.41 g CH4, 0.08 g N2O.
    rows = "id,facility,date,activity,quantity,unit,region,category\nG1,plant,2024-06-30,gasoline,1000,gallon,US,1.stationary"
    run = run_project(
        rows + "\nD1,plant,2024-06-30,diesel,1000,gallon,US,1.stationary", sets=["us_epa_hub"], country="US"
    )
    assert run.mass("CH4", id="G1") == pytest.approx(0.38e-3, rel=1e-9)
    assert run.mass("N2O", id="G1") == pytest.approx(0.08e-3, rel=1e-9)
    assert run.mass("CO2", id="G1") == pytest.approx(8.78, rel=1e-9)
    assert run.mass("CH4", id="D1") == pytest.approx(0.41e-3, rel=1e-9)


def test_us_vehicle_miles_and_non_road_equipment_take_hub_tables_3_to_5(run_project):
    # EPA Hub 2025 Table 3: gasoline passenger cars, model year 2020: 0.0050 g CH4 and 0.0014 g N2O per
    # vehicle-mile. Table 5: construction/mining equipment, diesel: 1.01 g CH4 and 0.94 g N2O per gallon,
    # with the fuel's CO2 from Table 2 (diesel 10.21 kg/gallon).
    rows = (
        f"{HEADER}\nV1,fleet,2024-06-30,vehicle/gasoline_passenger_cars/2020,25000,mile,US"
        "\nN1,yard,2024-06-30,nonroad/construction_mining_equipment/diesel_equipment,500,gallon,US"
    )
    run = run_project(rows, sets=["us_epa_hub"], country="US")
    assert run.mass("CH4", id="V1") == pytest.approx(25000 * 0.0050e-6, rel=1e-9)
    assert run.mass("N2O", id="V1") == pytest.approx(25000 * 0.0014e-6, rel=1e-9)
    assert run.mass("CH4", id="N1") == pytest.approx(500 * 1.01e-6, rel=1e-9)
    assert run.mass("N2O", id="N1") == pytest.approx(500 * 0.94e-6, rel=1e-9)
    assert run.mass("CO2", id="N1") == pytest.approx(500 * 10.21e-3, rel=1e-9)
    assert set(run.emissions.filter(run.emissions["id"] == "V1")["gas"].to_list()) == {"CH4", "N2O"}
    assert run.summary["by_category"][0]["category"] == "1.mobile"
