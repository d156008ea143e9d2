"""Biological treatment (IPCC 2006 Vol. 5 Ch. 4) and incineration (Ch. 5) of solid waste, by hand."""

from __future__ import annotations

import pytest
from waste_projects import run_waste

HEADER = "id,date,activity,quantity,unit,fossil_carbon_fraction"
CO2_PER_C = 44 / 12


def test_composting_and_anaerobic_digestion_table_4_1(tmp_path, library):
    rows = f"{HEADER}\nc1,2022-06-30,有机垃圾堆肥,100,t,\na1,2022-06-30,厌氧消化,100,t,"
    run = run_waste(tmp_path / "p", library, rows)
    # Table 4.1, wet weight: composting 4 g CH4 and 0.24 g N2O per kg waste; anaerobic digestion 0.8 g CH4
    # per kg (N2O negligible). Eq. 4.1/4.2: 100 t × 4 g/kg = 400 kg CH4.
    assert run.mass(id="c1", gas="CH4") == pytest.approx(0.4, rel=1e-12)
    assert run.mass(id="c1", gas="N2O") == pytest.approx(0.024, rel=1e-12)
    assert run.mass(id="a1", gas="CH4") == pytest.approx(0.08, rel=1e-12)
    assert run.rows(id="a1", gas="N2O").height == 0
    assert "Eq. 4.1" in run.rows(id="c1")["formula"][0]


def test_incineration_fossil_and_biogenic_co2_from_composition(tmp_path, library):
    rows = f"{HEADER}\ni1,2022-06-30,waste/incineration/msw,100,t,\ni2,2022-06-30,生活垃圾焚烧,100,t,30%"
    run = run_waste(tmp_path / "p", library, rows)
    # Eq. 5.1 with Table 2.3 (Eastern Asia, % wet weight) and Table 2.4 (dry matter dm, carbon in dry matter CF,
    # fossil carbon FCF), OF = 1 (Table 5.2). Carbon per t wet waste, WF × dm × CF, then × FCF:
    #   food 0.262 × 0.40 × 0.38 = 0.039824 (FCF '-' → 0)   paper 0.188 × 0.90 × 0.46 = 0.077832 (FCF 0.01)
    #   wood 0.035 × 0.85 × 0.50 = 0.014875 (0)             textiles 0.035 × 0.80 × 0.50 = 0.014 (0.20)
    #   rubber/leather 0.010 × 0.84 × 0.67 = 0.005628 (0.20) plastics 0.143 × 1.00 × 0.75 = 0.10725 (1.00)
    #   metal, glass: no carbon ('-')                          other 0.074 × 0.90 × 0.03 = 0.001998 (1.00)
    total_c = 0.039824 + 0.077832 + 0.014875 + 0.014 + 0.005628 + 0.10725 + 0.001998
    fossil_c = 0.077832 * 0.01 + 0.014 * 0.2 + 0.005628 * 0.2 + 0.10725 + 0.001998
    assert total_c == pytest.approx(0.261407, abs=1e-9)
    assert fossil_c == pytest.approx(0.11395192, abs=1e-9)
    fossil = run.rows(id="i1", gas="CO2", biogenic=False)
    biogenic = run.rows(id="i1", gas="CO2", biogenic=True)
    assert fossil["mass_t"][0] == pytest.approx(100 * fossil_c * CO2_PER_C, rel=1e-9)  # 41.7824 t
    assert biogenic["mass_t"][0] == pytest.approx(100 * (total_c - fossil_c) * CO2_PER_C, rel=1e-9)  # 54.0669 t
    # the row's fossil carbon fraction replaces the components' FCF
    assert run.mass(id="i2", gas="CO2", biogenic=False) == pytest.approx(100 * total_c * 0.3 * CO2_PER_C, rel=1e-9)
    assert run.mass(id="i2", gas="CO2", biogenic=True) == pytest.approx(100 * total_c * 0.7 * CO2_PER_C, rel=1e-9)
    # CH4: Table 5.3 continuous stoker 0.2 kg/Gg; N2O: Table 5.6 continuous/semi-continuous 50 g/t (wet)
    assert run.mass(id="i1", gas="CH4") == pytest.approx(100 * 0.2e-6, rel=1e-12)
    assert run.mass(id="i1", gas="N2O") == pytest.approx(100 * 50e-6, rel=1e-12)
    # biogenic CO2 is reported apart, not in the totals (AR5: CH4 28, N2O 265)
    totals = run.summary["totals"]
    assert totals["biogenic_co2"] == pytest.approx(
        100 * (total_c - fossil_c) * CO2_PER_C + 100 * total_c * 0.7 * CO2_PER_C
    )
    fossil_co2e = (
        100 * fossil_c * CO2_PER_C + 100 * total_c * 0.3 * CO2_PER_C + 2 * (100 * 0.2e-6 * 28 + 100 * 50e-6 * 265)
    )
    assert totals["total_location"] == pytest.approx(fossil_co2e, rel=1e-9)
    assert "Eq. 5.1" in fossil["formula"][0]
