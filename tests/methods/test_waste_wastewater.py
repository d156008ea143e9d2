"""Wastewater treatment and discharge (IPCC 2006 Vol. 5 Ch. 6), by hand."""

from __future__ import annotations

import pytest
from projects import assert_input_error
from waste_projects import run_waste, write_waste_project

HEADER = "id,date,activity,quantity,unit,treatment,protein_kg_per_person_yr,mcf"
N2O_PER_N = 44 / 28


def test_domestic_ch4_with_the_table_6_5_pathways_of_china(tmp_path, library):
    rows = f"{HEADER}\nw1,2022-06-30,生活污水,10000,人,,25,"
    run = run_waste(tmp_path / "p", library, rows)
    # Eq. 6.3: TOW per person = BOD 40 g/person/day (Table 6.4, Asia/Middle East/Latin America) × 0.001 × 365
    # = 14.6 kg BOD/yr, times I (1.25 collected = sewer, 1.0 otherwise).
    # Eq. 6.1/6.2: Σ U_i × T_ij × I_j × MCF_j with Table 6.5 (China) and Table 6.3 MCF per pathway
    # (septic 0.5, latrine 0.5 [dry climate, communal], other and none 0.1 [discharge], sewer 0):
    rural = 0.59 * (0.47 * 0.5 + 0.50 * 0.1 + 0.03 * 0.1)
    urban_high = 0.12 * (0.18 * 0.5 + 0.08 * 0.5 + 0.07 * 0.1 + 0.67 * 1.25 * 0.0)
    urban_low = 0.29 * (0.14 * 0.5 + 0.10 * 0.5 + 0.03 * 0.1 + 0.68 * 1.25 * 0.0 + 0.05 * 0.1)
    weighted = rural + urban_high + urban_low
    assert weighted == pytest.approx(0.22348, abs=1e-9)
    # × Bo 0.6 kg CH4/kg BOD (p. 6.12)
    assert run.mass(id="w1", gas="CH4") == pytest.approx(10000 * 14.6 * weighted * 0.6 / 1000, rel=1e-12)  # 19.58 t
    # Eq. 6.7/6.8: N = P × Protein × F_NPR 0.16 × F_NON-CON 1.1 (developing) × F_IND-COM 1.25;
    # N2O = N × 0.005 × 44/28
    n_kg = 10000 * 25 * 0.16 * 1.1 * 1.25
    assert run.mass(id="w1", gas="N2O") == pytest.approx(n_kg * 0.005 * N2O_PER_N / 1000, rel=1e-12)  # 0.4321 t


def test_domestic_ch4_of_one_named_system_and_industrial_ch4(tmp_path, library):
    rows = (
        f"{HEADER}\n"
        "w1,2022-06-30,wastewater/domestic,10000,person,septic,25,\n"
        "w2,2022-06-30,wastewater/domestic,10000,person,aerobic_plant,25,0.05\n"
        "b1,2022-06-30,啤酒和麦芽废水,1000,t,anaerobic_reactor,,"
    )
    run = run_waste(tmp_path / "p", library, rows)
    # septic system: MCF 0.5 (Table 6.3), uncollected I = 1.0
    assert run.mass(id="w1", gas="CH4") == pytest.approx(10000 * 14.6 * 1.0 * 0.5 * 0.6 / 1000, rel=1e-12)  # 43.8 t
    # the row's MCF 0.05 with the collected system's I = 1.25
    assert run.mass(id="w2", gas="CH4") == pytest.approx(10000 * 14.6 * 1.25 * 0.05 * 0.6 / 1000, rel=1e-12)
    # Eq. 6.4-6.6, beer & malt (p. 6.22): W 6.3 m3/t, COD 2.9 kg/m3; Bo 0.25 kg CH4/kg COD; anaerobic reactor MCF 0.8
    assert run.mass(id="b1", gas="CH4") == pytest.approx(1000 * 6.3 * 2.9 * 0.25 * 0.8 / 1000, rel=1e-12)  # 3.654 t
    assert "Eq. 6.4-6.6" in run.rows(id="b1")["formula"][0]


def test_domestic_wastewater_needs_protein_and_persons(tmp_path):
    rows = f"{HEADER}\nw1,2022-06-30,生活污水,10000,人,,,\nw2,2022-06-30,生活污水,10,t,,25,"
    root = write_waste_project(tmp_path / "p", rows)
    assert_input_error(
        root,
        ["activities.csv, row 2, column protein_kg_per_person_yr", "activities.csv, row 3, column unit", "persons"],
    )


def test_industrial_wastewater_needs_a_treatment(tmp_path):
    rows = f"{HEADER}\nb1,2022-06-30,啤酒和麦芽废水,1000,t,,,\nb2,2022-06-30,啤酒和麦芽废水,1000,t,lagoon,,"
    root = write_waste_project(tmp_path / "p", rows)
    assert_input_error(root, ["row 2, column treatment", "row 3, column treatment", "anaerobic_reactor"])


def test_domestic_wastewater_outside_table_6_5_needs_a_treatment(tmp_path):
    # Table 6.5 has no pathways for the United States in the bundled data: the row must name its system.
    rows = f"{HEADER}\nw1,2022-06-30,wastewater/domestic,10000,person,,25,"
    root = write_waste_project(tmp_path / "p", rows)
    toml = (root / "dualcarbon.toml").read_text(encoding="utf-8").replace('country = "CN"', 'country = "US"')
    (root / "dualcarbon.toml").write_text(toml, encoding="utf-8")
    assert_input_error(root, ["activities.csv, row 2, column activity", "Table 6.5", "name the row's treatment"])
