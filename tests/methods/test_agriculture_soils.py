"""Managed soils N2O (IPCC 2006 Vol. 4 Ch. 11) and rice CH4 (Ch. 5) against hand computations.

Bundled values (``ipcc2006_afolu_defaults.csv``, SOURCES.md §6a, second-hand from the EFDB export):
Table 11.1 EF1 0.01, EF1FR 0.003 kg N2O-N/kg N; Table 11.3 FracGASF 0.10, FracGASM 0.20, FracLEACH 0.30,
EF4 0.01, EF5 0.0075 (2019 Refinement Table 11.3: EF5 0.011); Table 5.11 EF_c 1.3 kg CH4/ha/day;
Table 5.12 SF_w intermittently flooded, single aeration 0.60; Table 5.13 SF_p aggregated 1.22.
"""

from __future__ import annotations

import pytest
from projects import assert_input_error, write_settings

HEADER = "id,date,activity,quantity,unit,flooded_rice,season_days"
N2O = 44 / 28
ROWS = (
    f"{HEADER}\nS1,2024-06-30,氮肥（折纯）,100,t N,,\nS2,2024-06-30,有机肥,50000,kg N,,\nS3,2024-06-30,化肥,10,吨,是,\n"
)


def test_soils_direct_and_indirect_n2o(run_project):
    run = run_project(ROWS, sets=["ipcc2006"])
    direct = {r["id"]: r["mass_t"] for r in run.co2e_rows(gas="N2O").iter_rows(named=True) if not r["ipcc_category"]}
    indirect = {r["id"]: r["mass_t"] for r in run.co2e_rows(gas="N2O", ipcc_category="3.C.5").iter_rows(named=True)}
    # Eq. 11.1: N2O = F × EF1 × 44/28 (kg → t)
    assert direct["S1"] == pytest.approx(100_000 * 0.01 * N2O / 1000)
    assert direct["S2"] == pytest.approx(50_000 * 0.01 * N2O / 1000)
    assert direct["S3"] == pytest.approx(10_000 * 0.003 * N2O / 1000)  # flooded rice: EF1FR
    # Eq. 11.9 (FracGASF for synthetic, FracGASM for organic N) and Eq. 11.10 (FracLEACH × EF5)
    assert indirect["S1"] == pytest.approx(100_000 * (0.10 * 0.01 + 0.30 * 0.0075) * N2O / 1000)
    assert indirect["S2"] == pytest.approx(50_000 * (0.20 * 0.01 + 0.30 * 0.0075) * N2O / 1000)
    s1 = run.co2e_rows(id="S1", ipcc_category="3.C.5").row(0, named=True)
    assert "Eq. 11.9" in s1["formula"] and "FracGASF=0.1" in s1["parameters"]
    assert "Table 11.3" in s1["parameters"]


def test_2019_edition_changes_ef5(run_project):
    run = run_project(ROWS, sets=["ipcc2006"], extra_toml="ipcc_edition = '2019'")
    s1 = run.co2e_rows(id="S1", ipcc_category="3.C.5").row(0, named=True)
    assert s1["mass_t"] == pytest.approx(100_000 * (0.10 * 0.01 + 0.30 * 0.011) * N2O / 1000)
    assert "EF5=0.011" in s1["parameters"] and "edition 2019" in s1["parameters"]


def test_rice_one_season(run_project):
    rows = (
        f"{HEADER}\nR1,2024-09-30,rice/intermittent_single,100,ha,,120\nR2,2024-09-30,灌溉稻田：持续淹水,1500,亩,,100\n"
    )
    run = run_project(rows, sets=["ipcc2006"])
    # Eq. 5.1/5.2: CH4 = EF_c × SF_w × SF_p × SF_o × t × A
    assert run.mass("CH4", id="R1") == pytest.approx(1.3 * 0.60 * 1.22 * 1 * 120 * 100 / 1000)
    assert run.mass("CH4", id="R2") == pytest.approx(1.3 * 1.0 * 1.22 * 1 * 100 * 100 / 1000)  # 1500 亩 = 100 ha
    r1 = run.co2e_rows(id="R1").row(0, named=True)
    assert "Table 5.11" in r1["parameters"] and "Table 5.12" in r1["parameters"] and "Eq. 5.1" in r1["formula"]


def test_rice_without_season_days_is_an_error(tmp_path):
    root = write_settings(tmp_path / "p", sets=["ipcc2006"])
    (root / "activities.csv").write_text(f"{HEADER}\nR1,2024-09-30,rice/intermittent_single,100,ha,,\n")
    assert_input_error(root, ["row 2", "season_days", "Eq. 5.1"])


def test_bad_flooded_rice_value_is_an_error(tmp_path):
    root = write_settings(tmp_path / "p", sets=["ipcc2006"])
    (root / "activities.csv").write_text(f"{HEADER}\nS1,2024-06-30,氮肥,1,t,maybe,\n")
    assert_input_error(root, ["row 2", "flooded_rice", "maybe"])
