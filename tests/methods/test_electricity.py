"""Purchased electricity, Scope 2 location- and market-based (GHG Protocol Scope 2 Guidance)."""

from __future__ import annotations

import pytest

HEADER = "id,facility,date,activity,quantity,unit,region"
CREDITS = "id,type,quantity,unit,factor,facility,region,vintage,status"


def test_location_based_china_province_latest_earlier_year(run_project):
    # MEE/NBS announcement on the 2023 electricity CO2 factors (公告2025年第47号), 表3: Hebei
    # 0.6516 kg CO2/kWh. A 2024 inventory takes the latest earlier year (2023).
    run = run_project(f"{HEADER}\nE1,plant,2024-03-31,外购电力,100,万千瓦时,CN-HE", sets=["cn_mee_grid"])
    loc = run.co2e_rows(scope2_method="location")
    assert loc["co2e_t"].sum() == pytest.approx(1_000_000 * 0.6516 / 1000, rel=1e-9)
    assert loc["region_used"][0] == "CN-HE" and loc["year_used"][0] == 2023


def test_location_based_falls_back_to_national(run_project):
    # A region with no provincial factor of its own in the set falls back along grid → country:
    # 表1 national 2023 average 0.5306 kg CO2/kWh.
    run = run_project(f"{HEADER}\nE1,plant,2024-03-31,electricity/grid,1000,MWh,CN", sets=["cn_mee_grid"])
    assert run.co2e(scope2_method="location") == pytest.approx(1000 * 0.5306, rel=1e-9)


def test_location_based_egrid_subregion(run_project):
    # EPA GHG Emission Factors Hub 2025 Table 6 (eGRID2023 total output), CAMX:
    # 436.655 lb CO2, 0.025 lb CH4, 0.003 lb N2O per MWh; 1 lb = 0.45359237 kg.
    run = run_project(f"{HEADER}\nE1,office,2024-03-31,electricity/grid,1000,MWh,US-CAMX", sets=["egrid"], country="US")
    lb = 0.45359237
    assert run.mass("CO2", scope2_method="location") == pytest.approx(436.655 * lb, rel=1e-9)
    assert run.mass("CH4", scope2_method="location") == pytest.approx(0.025 * lb, rel=1e-9)


def test_market_based_certificates_then_grid_for_the_rest(run_project):
    # Scope 2 Guidance §6.11 (market-based method): instruments cover their MWh at their own
    # factor (GECs: zero), the uncovered consumption takes the residual mix or, lacking one,
    # the grid average (Table 6.3 hierarchy), with a disclosure.
    rows = f"{HEADER}\nE1,plant,2024-03-31,外购电力,100,万千瓦时,CN-HE\nE2,plant,2024-06-30,外购电力,100,万千瓦时,CN-HE"
    credits = f"{CREDITS}\nG1,GEC,500,MWh,,plant,CN,2024,retired"
    run = run_project(rows, sets=["cn_mee_grid"], credits=credits)
    assert run.summary["totals"]["scope2_location"] == pytest.approx(2000 * 0.6516, rel=1e-9)
    assert run.summary["totals"]["scope2_market"] == pytest.approx(1500 * 0.6516, rel=1e-9)


def test_market_based_supplier_factor_and_no_double_use(run_project):
    # A supplier-specific factor applies to its MWh; an instrument is never used twice
    # (Scope 2 Quality Criterion 2): 300 MWh of certificates against 2 × 100 MWh leaves 100 MWh unused.
    rows = f"{HEADER}\nE1,plant,2024-03-31,electricity/grid,100,MWh,CN-HE\nE2,plant,2024-04-30,electricity/grid,100,MWh,CN-HE"
    credits = f"{CREDITS}\nG1,GEC,300,MWh,,plant,CN,2024,retired"
    run = run_project(rows, sets=["cn_mee_grid"], credits=credits)
    assert run.summary["totals"]["scope2_market"] == pytest.approx(0.0, abs=1e-9)
    codes = {w["code"] for w in run.summary["warnings"]}
    assert any("unused" in c for c in codes), codes

    credits = f"{CREDITS}\nS1,supplier_factor,200,MWh,0.3,plant,CN,2024,retired"
    run = run_project(rows, sets=["cn_mee_grid"], credits=credits)
    assert run.summary["totals"]["scope2_market"] == pytest.approx(200 * 0.3, rel=1e-9)


def test_certificate_of_another_country_is_not_applied(run_project):
    # Scope 2 Quality Criterion 6: instruments from the same market as the consumption.
    rows = f"{HEADER}\nE1,plant,2024-03-31,electricity/grid,100,MWh,CN-HE"
    credits = f"{CREDITS}\nR1,REC,100,MWh,,plant,US,2024,retired"
    run = run_project(rows, sets=["cn_mee_grid"], credits=credits)
    assert run.summary["totals"]["scope2_market"] == pytest.approx(100 * 0.6516, rel=1e-9)
    assert run.summary["warnings"]
