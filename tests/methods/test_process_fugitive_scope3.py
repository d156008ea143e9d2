"""Cement process CO2, refrigerants and Scope 3 methods against their standards' formulas and defaults."""

from __future__ import annotations

import pytest

from dualcarbon.factors.gwp import load_gwp

HEADER = "id,facility,date,activity,quantity,unit,region"


# -- cement (GB/T 32151.8-2015; CSI Cement CO2 and Energy Protocol v3; IPCC 2006 Vol. 3 Ch. 2) --
def test_clinker_oxide_method(run_project):
    # EF_cli = (CaO − CaO_nc) × 44/56 + (MgO − MgO_nc) × 44/40 (GB/T 32151.8; CSI protocol).
    rows = (
        f"{HEADER},clinker_cao,clinker_mgo,noncarbonate_cao,noncarbonate_mgo\n"
        "C1,kiln,2024-03-31,熟料,1000,t,CN,65%,2.0%,0.5%,0.1%\n"
    )
    run = run_project(rows, sets=["gbt32151_8", "ipcc2006"])
    ef = (0.65 - 0.005) * 44 / 56 + (0.02 - 0.001) * 44 / 40
    assert run.mass("CO2") == pytest.approx(1000 * ef, rel=1e-9)


def test_clinker_default_ef_ipcc_includes_ckd(run_project):
    # IPCC 2006 Vol. 3 Ch. 2 Eq. 2.4: default EF_clc 0.52 t CO2/t clinker, the 2 % CKD
    # correction already included (so no further ×1.02).
    run = run_project(f"{HEADER}\nC1,kiln,2024-03-31,process/cement_clinker,1000,t,CN", sets=["ipcc2006"])
    assert run.mass("CO2") == pytest.approx(520.0, rel=1e-9)


def test_clinker_default_ef_csi(run_project):
    # CSI Cement CO2 and Energy Protocol v3, simple output method B1: default 525 kg CO2/t clinker.
    run = run_project(f"{HEADER}\nC1,kiln,2024-03-31,process/cement_clinker,1000,t,CN", sets=["gbt32151_8", "ipcc2006"])
    assert run.mass("CO2") == pytest.approx(525.0, rel=1e-9)


def test_kiln_dust_csi_calcination_formula(run_project):
    # CSI protocol Guidance Document Eq. 5 (Internet Manual Eq. 17):
    # EF_CKD = (EF_cli/(1+EF_cli)) × d / (1 − (EF_cli/(1+EF_cli)) × d), with EF_cli = 0.525 and d = 0.5.
    rows = f"{HEADER},ckd_calcination\nD1,kiln,2024-03-31,process/cement_kiln_dust,100,t,CN,0.5\n"
    run = run_project(rows, sets=["gbt32151_8"])
    r = 0.525 / 1.525
    assert run.mass("CO2") == pytest.approx(100 * r * 0.5 / (1 - r * 0.5), rel=1e-9)


def test_kiln_dust_uses_the_facilitys_clinker_ef(run_project):
    # GB/T 32151.8: dust leaving the kiln is counted like clinker (fully calcined).
    rows = (
        f"{HEADER},clinker_cao,clinker_mgo\n"
        "C1,kiln,2024-03-31,熟料,1000,t,CN,0.65,0.02\nD1,kiln,2024-03-31,窑头粉尘,10,t,CN,,\n"
    )
    run = run_project(rows, sets=["gbt32151_8"])
    ef = 0.65 * 44 / 56 + 0.02 * 44 / 40
    assert run.mass("CO2") == pytest.approx(1010 * ef, rel=1e-9)


def test_raw_meal_organic_carbon(run_project):
    # GB/T 32151.8: E = raw meal × TOC × 44/12.
    rows = f"{HEADER},toc\nR1,kiln,2024-03-31,生料中非燃料碳,10000,t,CN,0.1%\n"
    run = run_project(rows, sets=["gbt32151_8"])
    assert run.mass("CO2") == pytest.approx(10000 * 0.001 * 44 / 12, rel=1e-9)


# -- refrigerants (IPCC 2006 Vol. 3 Ch. 7; EPA Hub Table 11/12; AR5 GWPs) ------------------
def test_blend_leak_split_by_composition(run_project):
    # R-410A = 50 % HFC-32 + 50 % HFC-125 (ANSI/ASHRAE 34); AR5 GWP 677 and 3 170 (IPCC AR5
    # WG1 Table 8.A.1) → 1 923.5, as in the EPA Hub 2025 Table 12 (AR5 column: 1 924).
    run = run_project(f"{HEADER}\nF1,office,2024-03-31,R-410A,10,kg,CN", sets=["ipcc2006"])
    assert run.co2e() == pytest.approx(0.01 * (0.5 * 677 + 0.5 * 3170), rel=1e-9)
    assert round(run.co2e() / 0.01) == 1924


def test_blend_gwps_are_weighted_by_mass_fraction():
    # A blend's GWP is Σ mass fraction × component GWP, compositions from ANSI/ASHRAE 34
    # (refrigerant_blends.csv). With AR4 GWPs these are the blend values of Regulation (EU)
    # No 517/2014, Annex IV: R-404A 3 922, R-407A 2 107, R-407C 1 774, R-410A 2 088, R-507A 3 985,
    # R-508B 13 396.
    ar4 = load_gwp("AR4")
    blends = ("R-404A", "R-407A", "R-407C", "R-410A", "R-507A", "R-508B")
    assert {b: round(ar4[b]) for b in blends} == {
        "R-404A": 3922,
        "R-407A": 2107,
        "R-407C": 1774,
        "R-410A": 2088,
        "R-507A": 3985,
        "R-508B": 13396,
    }
    # AR6 (IPCC AR6 WGI Table 7.SM.7): R-404A = 44 % HFC-125 (3 740) + 52 % HFC-143a (5 810)
    # + 4 % HFC-134a (1 530) = 4 728.
    assert load_gwp("AR6")["R-404A"] == pytest.approx(0.44 * 3740 + 0.52 * 5810 + 0.04 * 1530, rel=1e-12)


def test_blend_leak_co2e_equals_the_blends_gwp(run_project):
    # 1 t of R-404A leaked, AR6: split into its components (ASHRAE 34 mass fractions), the CO2e
    # is the blend's GWP, 4 728 t (the test above), and each component's mass is its fraction.
    run = run_project(f"{HEADER}\nF1,store,2024-03-31,R-404A,1,t,CN", sets=["ipcc2006"], gwp="AR6")
    assert run.co2e() == pytest.approx(4728.0, rel=1e-9)
    assert run.co2e() == pytest.approx(load_gwp("AR6")["R-404A"], rel=1e-9)
    assert run.mass("HFC-143a") == pytest.approx(0.52, rel=1e-9)


def test_material_balance(run_project):
    # EPA Hub / GHG Protocol HFC tool mass balance: (start − end) + purchased − disposed
    # + capacity retired − capacity of new equipment = emitted. (20 − 18) + 10 − 3 = 9 kg.
    rows = (
        f"{HEADER},inventory_start,inventory_end,purchased,disposed\nF1,site,2024-12-31,HFC-134a,0,kg,CN,20,18,10,3\n"
    )
    run = run_project(rows, sets=["ipcc2006"])
    assert run.mass("HFC-134a") == pytest.approx(0.009, rel=1e-9)
    assert run.co2e() == pytest.approx(0.009 * 1300, rel=1e-9)  # AR5 HFC-134a 1 300


def test_gwp_set_changes_co2e(run_project):
    # HFC-134a: AR4 1 430 (AR4 WG1 Table 2.14), AR6 1 530 (AR6 WG1 Table 7.SM.7).
    ar4 = run_project(f"{HEADER}\nF1,site,2024-03-31,HFC-134a,1000,kg,CN", sets=["ipcc2006"], gwp="AR4")
    ar6 = run_project(f"{HEADER}\nF1,site,2024-03-31,HFC-134a,1000,kg,CN", sets=["ipcc2006"], gwp="AR6")
    assert ar4.co2e() == pytest.approx(1430, rel=1e-9)
    assert ar6.co2e() == pytest.approx(1530, rel=1e-9)


# -- Scope 3 (GHG Protocol Scope 3 Calculation Guidance) -----------------------------------
def test_spend_based_currency_and_price_year(run_project):
    # Cat. 1 spend-based: spend (CNY, 2024) → USD at the 2024 NBS rate 7.1217 CNY/USD → 2022
    # dollars by US CPI-U (292.655 / 313.689) → × USEEIO v1.3 NAICS 327310 factors (kg/2022 USD).
    run = run_project(f"{HEADER}\nS1,hq,2024-03-31,spend/naics/327310,1000000,元,US", sets=["useeio"], country="US")
    usd2022 = 1_000_000 / 7.1217 * 292.655 / 313.689
    assert run.mass("CO2") == pytest.approx(usd2022 * 3.86 / 1000, rel=1e-9)
    assert run.co2e_rows(gas="CO2e")["mass_t"].sum() == pytest.approx(usd2022 * 1.35e-3 / 1000, rel=1e-9)
    assert run.summary["by_category"][0]["category"] == "3.1"


@pytest.mark.parametrize(("naics", "published", "co2_kg"), [("327310", 3.924, 3.86), ("541511", 0.084, 6.95e-02)])
def test_spend_based_co2e_is_epas_published_co2e_factor(run_project, naics, published, co2_kg):
    # US EPA Supply Chain GHG Emission Factors v1.3.0 by NAICS-6, 2022 USD, file
    # SupplyChainGHGEmissionFactors_v1.3.0_NAICS_CO2e_USD2022.csv, "Supply Chain Emission Factors with
    # Margins": 327310 Cement Manufacturing 3.924, 541511 Custom Computer Programming Services 0.084 kg
    # CO2e/USD (AR5 GWP100). Re-weighting the by-gas file (rounded to three digits) gives 3.928 and
    # 0.0844 (+0.11 % and +0.45 %): the CO2e is the published factor, the gases keep their masses.
    run = run_project(f"{HEADER}\nS1,hq,2024-03-31,spend/naics/{naics},1000000,USD,US", sets=["useeio"], country="US")
    usd2022 = 1_000_000 * 292.655 / 313.689  # US CPI-U 2022 / 2024 (price_index.csv)
    assert run.co2e() == pytest.approx(usd2022 * published / 1000, rel=1e-9)
    assert run.mass("CO2") == pytest.approx(usd2022 * co2_kg / 1000, rel=1e-9)
    rows = run.co2e_rows(gas="CO2")
    assert "kg CO2e/base" in rows["parameters"][0] and "useeio:co2e." in rows["factor_ids"][0]
    assert any(w["code"] == "spend_published_co2e" for w in run.warnings)


def test_spend_based_co2e_under_another_gwp_set_is_re_weighted(run_project):
    # EPA publishes CO2e with AR5 only: an AR6 project weights the by-gas masses with AR6 GWPs.
    run = run_project(
        f"{HEADER}\nS1,hq,2024-03-31,spend/naics/327310,1000000,USD,US", sets=["useeio"], country="US", gwp="AR6"
    )
    e = run.emissions
    assert e["co2e_t"].sum() == pytest.approx((e["mass_t"] * e["gwp"]).sum(), rel=1e-12)
    assert not any(w["code"] == "spend_published_co2e" for w in run.warnings)


def test_freight_per_short_ton_mile(run_project):
    # Cat. 4 distance-based; EPA Hub 2025 Table 8: medium- and heavy-duty truck 0.186 kg CO2
    # per short ton-mile; 1 t·km = 1/(0.90718474 × 1.609344) short ton-miles.
    run = run_project(f"{HEADER}\nT1,hq,2024-03-31,freight/road/truck,10000,t·km,US", sets=["us_epa_hub"], country="US")
    assert run.mass("CO2") == pytest.approx(10000 / (0.90718474 * 1.609344) * 0.186 / 1000, rel=1e-9)
    assert run.summary["by_category"][0]["category"] == "3.4"


def test_proxy_region_is_used_and_disclosed(run_project):
    # No Chinese freight factor is bundled: with proxy_regions = ["GB"] the DESNZ 2026 HGV
    # factors stand in, and the substitution is reported.
    run = run_project(
        f"{HEADER}\nT1,plant,2024-03-31,公路货运,10000,吨公里,CN-HE",
        sets=["uk_desnz"],
        extra_toml='proxy_regions = ["GB"]',
    )
    assert run.co2e() > 0
    assert run.co2e_rows()["region_used"].unique().to_list() == ["GB"]
    assert any(w["code"] == "proxy_region" for w in run.summary["warnings"])


def test_purchased_steam(run_project):
    # GHG Protocol Scope 2 (purchased heat/steam); EPA Hub 2025 Table 7: 66.33 kg CO2,
    # 1.25 g CH4, 0.125 g N2O per mmBtu. 1 000 mmBtu → 66.33 t CO2.
    run = run_project(f"{HEADER}\nH1,hq,2024-03-31,外购蒸汽,1000,MMBtu,US", sets=["us_epa_hub"], country="US")
    assert run.mass("CO2") == pytest.approx(66.33, rel=1e-9)
    assert run.mass("CH4") == pytest.approx(1.25e-3, rel=1e-9)
    assert run.summary["totals"]["scope2_location"] == pytest.approx(run.co2e(), rel=1e-9)


def test_business_travel_per_passenger_mile(run_project):
    # Cat. 6; EPA Hub 2025 Table 10: long-haul air 0.163 kg CO2, 0.0006 g CH4, 0.0052 g N2O
    # per passenger-mile. 10 000 passenger-km = 6 213.7 passenger-miles.
    run = run_project(
        f"{HEADER}\nT1,hq,2024-03-31,long-haul flight,10000,passenger·km,US", sets=["us_epa_hub"], country="US"
    )
    pmi = 10000 / 1.609344
    assert run.mass("CO2") == pytest.approx(pmi * 0.163e-3, rel=1e-9)
    assert run.mass("N2O") == pytest.approx(pmi * 0.0052e-6, rel=1e-9)


def test_waste_landfill_per_short_ton(run_project):
    # Cat. 5; EPA Hub 2025 Table 9: mixed MSW landfilled 0.58 t CO2e per short ton.
    run = run_project(
        f"{HEADER}\nW1,hq,2024-03-31,waste/landfill/msw,100,short ton,US", sets=["us_epa_hub"], country="US"
    )
    assert run.co2e() == pytest.approx(58.0, rel=1e-9)


def test_co2e_only_factors_are_not_a_gas_and_trace_gases_are_grouped(run_project):
    # USEEIO v1.3.0 by-gas table: 17 species plus "HFCs and PFCs, unspecified", published in kg CO2e
    # (no gas). The latter is reported as co2e_only, not as a gas "CO2e" in by_gas; by_gas_group names
    # CO2, CH4, N2O (and any gas at >= 0.1 % of the total) and groups the trace gases (NF3, PFC-318 at
    # micrograms per dollar) as "other"; by_gas keeps every real gas.
    run = run_project(f"{HEADER}\nS1,plant,2024-03-31,spend/naics/327310,1000000,USD,US", sets=["useeio"], country="US")
    s = run.summary
    gases = [g["gas"] for g in s["by_gas"]]
    assert "CO2e" not in gases and {"NF3", "PFC-318", "CO2", "CH4", "N2O"} <= set(gases)
    assert s["co2e_only_t"] == pytest.approx(run.co2e(gas="CO2e"), rel=1e-12) and s["co2e_only_t"] > 0
    groups = {g["group"]: g for g in s["by_gas_group"]}
    assert {"CO2", "CH4", "N2O", "other", "co2e_only"} <= set(groups)
    assert {"NF3", "PFC-318"} <= set(groups["other"]["gases"]) and groups["other"]["mass_t"] is None
    assert len(s["by_gas_group"]) < len(gases)
    total = s["totals"]["total_location"]
    assert sum(g["co2e_t"] for g in s["by_gas_group"]) == pytest.approx(total, rel=1e-12)
    assert sum(g["co2e_t"] for g in s["by_gas"]) + s["co2e_only_t"] == pytest.approx(total, rel=1e-12)
    for g in s["by_gas_group"]:
        if g["group"] not in ("CO2", "CH4", "N2O", "other", "co2e_only"):
            assert g["co2e_t"] >= 0.001 * total
