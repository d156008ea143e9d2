"""Solid waste disposal (IPCC 2006 Vol. 5 Ch. 3): first-order decay and methane commitment, by hand.

Defaults used below, from the bundled IPCC 2006 tables (SOURCES.md §6a):
Table 2.4 DOC (wet weight) food 15 %, paper 40 %, wood 43 %, textiles 24 %; Table 2.3 Eastern Asia MSW
composition food 26.2 %, paper 18.8 %, wood 3.5 %, textiles 3.5 %; Table 3.3 k, boreal/temperate dry:
food 0.06, paper/textiles 0.04, wood 0.02; Table 3.1 MCF managed anaerobic 1.0, uncategorised 0.6;
DOCf 0.5 (p. 3.13); F 0.5 (p. 3.15); Table 3.2 OX 0 (no oxidising cover).
"""

from __future__ import annotations

import math

import pytest
from projects import assert_input_error
from waste_projects import FOD, run_waste, write_waste_project

HEADER = "id,facility,date,activity,quantity,unit,swds_type,ox"
FOOD_2018_2022 = "\n".join(
    [HEADER] + [f"d{y},site A,{y}-06-30,waste/landfill/food,1000,t,managed_anaerobic," for y in range(2018, 2023)]
)
CH4_PER_C = 16 / 12


def test_fod_food_waste_over_several_years_by_hand(tmp_path, library):
    run = run_waste(tmp_path / "p", library, FOOD_2018_2022)
    # Eq. 3.2: DDOCm of each year's deposit = W × DOC × DOCf × MCF = 1000 × 0.15 × 0.5 × 1.0 = 75 t C.
    ddocm = 1000 * 0.15 * 0.5 * 1.0
    assert ddocm == 75.0
    # Eq. 3.4/3.5 as printed: a deposit of year x decays from x+1; in year T it gives
    # DDOCm × e^(−k(T−x−1)) × (1 − e^(−k)), k = 0.06 (Table 3.3, food, boreal/temperate dry).
    q = 1 - math.exp(-0.06)  # 0.0582355 of what remains decomposes each year
    assert q == pytest.approx(0.0582355, abs=1e-7)
    # 2021: deposits 2018, 2019, 2020 are 2, 1 and 0 years into their decay (2021's starts in 2022).
    decomposed_2021 = 75 * q * (math.exp(-0.12) + math.exp(-0.06) + 1)  # = 12.3547 t C
    decomposed_2022 = 75 * q * (math.exp(-0.18) + math.exp(-0.12) + math.exp(-0.06) + 1)  # = 16.0029 t C
    decomposed_2023 = 75 * q * sum(math.exp(-0.06 * a) for a in range(5))  # = 19.4386 t C
    assert decomposed_2021 == pytest.approx(12.3547, abs=1e-4)
    assert decomposed_2022 == pytest.approx(16.0029, abs=1e-4)
    assert decomposed_2023 == pytest.approx(19.4386, abs=1e-4)
    # Eq. 3.6: CH4 = decomposed × F × 16/12; Eq. 3.1 with R = 0, OX = 0.
    expected = {2021: 8.23649, 2022: 10.66861, 2023: 12.95909}
    for year, decomposed in [(2021, decomposed_2021), (2022, decomposed_2022), (2023, decomposed_2023)]:
        assert decomposed * 0.5 * CH4_PER_C == pytest.approx(expected[year], abs=1e-5)
        assert run.mass(gas="CH4", year=year) == pytest.approx(decomposed * 0.5 * CH4_PER_C, rel=1e-12)
    # one row per deposit × emission year; the 2022 deposit gives 0 in 2022 and decays in 2023
    d2022 = run.rows(id="d2022").sort("year")
    assert d2022["year"].to_list() == [2022, 2023]
    assert d2022["mass_t"].to_list()[0] == 0.0
    assert run.rows(id="d2018").height == 3
    trace = run.rows(id="d2018", year=2021).row(0, named=True)
    assert "Eq. 3.1-3.6" in trace["formula"]
    assert "k=0.06 1/year (IPCC 2006 V5 Ch3 Table 3.3, boreal temperate dry, food)" in trace["parameters"]
    assert "DOC=15 % (IPCC 2006 V5 Ch2 Table 2.4" in trace["parameters"]
    assert trace["factor_ids"].startswith("ipcc2006:waste.")
    assert all(w["code"] != "fod_no_history" for w in run.warnings)


def test_recovery_is_subtracted_per_site_and_year_before_oxidation(tmp_path, library):
    # Site A gets a cover with oxidising material: OX = 0.1 on its rows (Table 3.2, well-managed);
    # 3 t CH4 recovered at site A in 2023. Eq. 3.1: (Σ CH4 generated − R) × (1 − OX).
    rows = FOOD_2018_2022.replace("managed_anaerobic,", "managed_anaerobic,10%") + (
        "\nr2023,site A,2023-12-31,waste/landfill/methane_recovered,3,t,,"
    )
    run = run_waste(tmp_path / "p", library, rows)
    generated_2023 = 12.95909  # from the test above
    assert run.mass(gas="CH4", year=2023) == pytest.approx((generated_2023 - 3) * (1 - 0.1), abs=1e-5)
    # 2021 and 2022 have no recovery: OX only
    assert run.mass(gas="CH4", year=2022) == pytest.approx(10.66861 * 0.9, abs=1e-5)
    assert "R=3.0 t CH4 recovered at the site in 2023" in run.rows(id="d2018", year=2023)["parameters"][0]


def test_recovery_above_generation_gives_zero_and_a_warning(tmp_path, library):
    rows = FOOD_2018_2022 + "\nr2021,site A,2021-12-31,waste/landfill/methane_recovered,50,t,,"
    run = run_waste(tmp_path / "p", library, rows)
    assert run.mass(gas="CH4", year=2021) == 0.0
    assert run.mass(gas="CH4", year=2022) > 0
    assert [w["code"] for w in run.warnings] == ["landfill_recovery_exceeds_generation"]


def test_mixed_msw_decays_each_component_of_table_2_3(tmp_path, library):
    rows = f"{HEADER}\nm2020,site B,2020-06-30,waste/landfill/msw,1000,t,,"
    run = run_waste(tmp_path / "p", library, rows, start=2021, end=2022)
    # Table 2.3 Eastern Asia (wet weight) × Table 2.4 DOC, each with its own Table 3.3 k (boreal/temperate dry);
    # MCF uncategorised 0.6 (no swds_type given); DOCf 0.5; F 0.5.
    components = [(0.262, 0.15, 0.06), (0.188, 0.40, 0.04), (0.035, 0.43, 0.02), (0.035, 0.24, 0.04)]

    def ch4(year: int) -> float:
        age = year - 2020 - 1
        return sum(
            1000 * share * doc * 0.5 * 0.6 * math.exp(-k * age) * (1 - math.exp(-k)) * 0.5 * CH4_PER_C
            for share, doc, k in components
        )

    # 2021: food 11.79 t C × 0.058235 + paper 22.56 × 0.039211 + wood 4.515 × 0.019801 + textiles 2.52 × 0.039211
    # = 1.75940 t C decomposed → × 0.5 × 16/12
    assert ch4(2021) == pytest.approx(1.17293, abs=1e-5)
    assert run.mass(gas="CH4", year=2021) == pytest.approx(ch4(2021), rel=1e-12)
    assert run.mass(gas="CH4", year=2022) == pytest.approx(ch4(2022), rel=1e-12)
    row = run.rows(year=2021).row(0, named=True)
    assert row["region_used"] == "IPCC:Eastern Asia"
    assert "food share=26.2 % (IPCC 2006 V5 Ch2 Table 2.3, Eastern Asia" in row["parameters"]
    assert "MCF=0.6" in row["parameters"]
    assert [w["code"] for w in run.warnings] == []  # 2020 is history of a 2021 period


def test_fod_without_history_warns_that_early_years_are_low(tmp_path, library):
    rows = f"{HEADER}\nd2021,site A,2021-06-30,waste/landfill/food,1000,t,managed_anaerobic,"
    run = run_waste(tmp_path / "p", library, rows)
    assert "fod_no_history" in [w["code"] for w in run.warnings]
    assert run.mass(gas="CH4", year=2021) == 0.0
    assert run.mass(gas="CH4", year=2022) == pytest.approx(75 * (1 - math.exp(-0.06)) * 0.5 * CH4_PER_C, rel=1e-12)


def test_row_parameters_override_the_defaults(tmp_path, library):
    rows = (
        "id,facility,date,activity,quantity,unit,doc,docf,mcf,k,ox\n"
        "s2020,site C,2020-06-30,waste/landfill/sludge,1000,t,5%,0.6,0.8,0.1,0.1"
    )
    run = run_waste(tmp_path / "p", library, rows, start=2022, end=2022)
    # 2022 is the second year of decay of the 2020 deposit: DDOCm × e^(−0.1) × (1 − e^(−0.1)).
    expected = 1000 * 0.05 * 0.6 * 0.8 * math.exp(-0.1) * (1 - math.exp(-0.1)) * 0.5 * CH4_PER_C * 0.9
    assert run.mass(gas="CH4") == pytest.approx(expected, rel=1e-12)
    assert "DOC=0.05 (row)" in run.rows()["parameters"][0]


def test_methane_commitment_reports_all_future_ch4_in_the_year_landfilled(tmp_path, library):
    rows = (
        f"{HEADER}\n"
        "old,site A,2015-06-30,waste/landfill/food,1000,t,managed_anaerobic,\n"
        "m2022,site A,2022-06-30,waste/landfill/msw,1000,t,unmanaged_deep,\n"
        "r2022,site A,2022-12-31,waste/landfill/methane_recovered,10,t,,"
    )
    run = run_waste(tmp_path / "p", library, rows, method='waste = "methane_commitment"')
    # L0 = MCF × DOC × DOCf × F × 16/12; DOC of MSW = Σ share × DOC (Tables 2.3, 2.4) = 0.13795;
    # MCF unmanaged deep 0.8 (Table 3.1). CH4 = W × L0 × (1 − f_rec) × (1 − OX), f_rec = 10 t / (W × L0).
    doc = 0.262 * 0.15 + 0.188 * 0.40 + 0.035 * 0.43 + 0.035 * 0.24
    assert doc == pytest.approx(0.13795, abs=1e-9)
    l0 = 0.8 * doc * 0.5 * 0.5 * CH4_PER_C
    assert 1000 * l0 == pytest.approx(36.78667, abs=1e-5)
    assert run.mass(gas="CH4") == pytest.approx(1000 * l0 - 10, rel=1e-12)
    assert run.rows()["year"].to_list() == [2022]
    assert "methane commitment" in run.rows()["formula"][0]
    assert "waste_history_ignored" in [w["code"] for w in run.warnings]


def test_missing_climate_zone_is_an_input_error(tmp_path):
    root = write_waste_project(tmp_path / "p", FOOD_2018_2022, method='waste = "fod"')
    assert_input_error(root, ["dualcarbon.toml", "method.climate_zone", "activities.csv row 2", "Table 3.3"])


def test_unmanaged_shallow_without_mcf_is_an_input_error(tmp_path):
    rows = f"{HEADER}\nd2021,site A,2021-06-30,waste/landfill/food,1000,t,unmanaged_shallow,"
    root = write_waste_project(tmp_path / "p", rows)
    assert_input_error(root, ["activities.csv, row 2, column mcf", "unmanaged_shallow"])


def test_unknown_site_type_is_an_input_error(tmp_path):
    rows = f"{HEADER}\nd2021,site A,2021-06-30,waste/landfill/food,1000,t,sanitary,"
    root = write_waste_project(tmp_path / "p", rows)
    assert_input_error(root, ["activities.csv, row 2, column swds_type", "managed_anaerobic"])


def test_history_row_of_another_key_is_an_input_error(tmp_path):
    rows = "id,date,activity,quantity,unit\nh1,2019-06-30,waste/incineration/msw,100,t"
    root = write_waste_project(tmp_path / "p", rows)
    assert_input_error(root, ["activities.csv, row 2, column date", "only waste/landfill/* deposit rows"])


def test_history_needs_a_waste_method(tmp_path):
    rows = "id,date,activity,quantity,unit\nh1,2019-06-30,waste/landfill/food,100,t"
    root = write_waste_project(tmp_path / "p", rows, method="")
    assert_input_error(root, ["activities.csv, row 2, column date", '[method] waste = "fod"'])


def test_ipcc_only_key_without_waste_method_is_an_input_error(tmp_path):
    rows = "id,date,activity,quantity,unit\nf1,2022-06-30,厨余垃圾填埋,100,t"
    root = write_waste_project(tmp_path / "p", rows, method="")
    assert_input_error(root, ["activities.csv, row 2, column activity", '[method] waste = "fod"'])


def test_sludge_without_doc_is_an_input_error(tmp_path):
    rows = "id,date,activity,quantity,unit\ns1,2022-06-30,污泥填埋,100,t"
    root = write_waste_project(tmp_path / "p", rows, method=FOD)
    assert_input_error(root, ["activities.csv, row 2, column doc", "Table 2.5"])


def test_fod_over_many_years_adds_up_to_the_methane_commitment(tmp_path, library):
    # First-order decay releases, over time, all the CH4 that the methane commitment books at once:
    # Σ_n≥1 e^(−k(n−1)) × (1 − e^(−k)) = 1, so Σ FOD = W × DOC × DOCf × MCF × F × 16/12 = 1000 × 0.15 × 0.5 × 1.0
    # × 0.5 × 16/12 = 50 t CH4 (what is left after 200 years at k = 0.06 is e^(−12) = 6e-6 of it).
    rows = f"{HEADER}\nd2000,site A,2000-06-30,waste/landfill/food,1000,t,managed_anaerobic,"
    fod = run_waste(tmp_path / "fod", library, rows, start=2001, end=2200)
    assert fod.mass(gas="CH4") == pytest.approx(50 * (1 - math.exp(-0.06 * 200)), rel=1e-9)
    rows = f"{HEADER}\nd2001,site A,2001-06-30,waste/landfill/food,1000,t,managed_anaerobic,"
    commitment = run_waste(tmp_path / "mc", library, rows, start=2001, end=2001, method='waste = "methane_commitment"')
    assert commitment.mass(gas="CH4") == pytest.approx(50.0, rel=1e-12)


def test_a_project_k_wins_over_table_3_3_and_is_traced(tmp_path, library):
    own = """\
        dataset,parameter,activity_id,region,gas,value,unit_numerator,unit_denominator,source_ref
        site study,k,waste/k/food_waste_sewage_sludge,GLOBAL,CH4,0.1,1,year,measured decay rate (illustrative)
    """
    rows = f"{HEADER}\nd2020,site A,2020-06-30,waste/landfill/food,1000,t,managed_anaerobic,"
    run = run_waste(tmp_path / "p", library, rows, own_factors=own, start=2021, end=2021)
    assert run.mass(gas="CH4") == pytest.approx(75 * (1 - math.exp(-0.1)) * 0.5 * CH4_PER_C, rel=1e-12)
    row = run.rows().row(0, named=True)
    assert "k=0.1 1/year (project factors, food)" in row["parameters"]
    assert "project:" in row["factor_ids"] and "project" in row["factor_sets"].split(";")


def test_bad_numbers_in_the_waste_columns_name_row_and_column(tmp_path):
    rows = (
        "id,facility,date,activity,quantity,unit,doc,k\n"
        "a,site A,2022-06-30,waste/landfill/food,1000,t,150%,\n"
        "b,site A,2022-06-30,waste/landfill/food,1000,t,,fast\n"
        "c,site A,2022-06-30,waste/landfill/food,1000,t,,0"
    )
    root = write_waste_project(tmp_path / "p", rows)
    assert_input_error(
        root,
        [
            "activities.csv, row 2, column doc",
            "expected a fraction between 0 and 1",
            "activities.csv, row 3, column k",
            "expected a number",
            "activities.csv, row 4, column k",
            "k > 0",
        ],
    )
