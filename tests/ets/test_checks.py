"""What a verifier flags (ets.checks): unmeasured months and too few measured months (the guideline's rule in
parameters.csv), NCV and carbon-content outliers, supplied above generated, the power balance, fuel without
generation."""

from __future__ import annotations

from dualcarbon.project import ets as project_ets
from dualcarbon.project.load import load

from .plant import plant

HEADER = "id,facility,date,activity,quantity,unit,ncv,ncv_unit,carbon_content,carbon_content_unit,measured\n"
GEN_HEADER = "unit,month,generation_mwh,supplied_mwh,own_use_mwh,heat_supplied_gj,load_factor,heat_ratio\n"


def _checks(root) -> list[tuple]:
    result = project_ets.compute(load(root).ets)
    return [(c["id"], c["unit"], c["month"], c["value"], c["limit"]) for c in result.summary["checks"]]


def test_flags_of_a_year(tmp_path):
    """Four months of one coal unit: March unmeasured (default), April's NCV 25 GJ/t is 25 % above the
    median of 20 (> 10 %), February's carbon content 0.020 is below the plausible 0.022, in March supplied
    3,100 MWh exceeds generation 3,000 and own use + supplied = 3,250 is 8.3 % off; May burns coal without
    generating (and has no row in generation.csv)."""
    activities = HEADER + (
        "C1,U1,2023-01-31,原煤,1000,t,20,GJ/t,0.027,tC/GJ,true\n"
        "C2,U1,2023-02-28,原煤,1000,t,20,GJ/t,0.020,tC/GJ,true\n"
        "C3,U1,2023-03-31,原煤,1000,t,20,GJ/t,,,false\n"
        "C4,U1,2023-04-30,原煤,1000,t,25,GJ/t,0.027,tC/GJ,true\n"
        "C5,U1,2023-05-31,原煤,100,t,20,GJ/t,0.027,tC/GJ,true\n"
    )
    generation = GEN_HEADER + (
        "U1,2023-01,3000,2850,150,0,0.8,\n"
        "U1,2023-02,3000,2850,150,0,0.8,\n"
        "U1,2023-03,3000,3100,150,0,0.8,\n"
        "U1,2023-04,3000,2850,150,0,0.8,\n"
    )
    found = _checks(plant(tmp_path, activities=activities, generation=generation))
    may = found[7][3]  # 100 t × 20 GJ/t × 0.027 × 0.99 × 44/12 = 196.02 t CO2
    assert abs(may - 196.02) < 1e-9
    assert found == [
        ("unmeasured_months", "U1", "2023-03", 0.03085, None),
        ("too_few_measured_months", "U1", "2023", 4.0, 5.0),  # 4 of the 5 months with coal
        ("ncv_outlier", "U1", "2023-04", 25.0, 20.0),
        ("carbon_content_outlier", "U1", "2023-02", 0.020, 0.027),
        ("parameter_range", "U1", "2023-02", 0.020, 0.022),
        ("supplied_above_generation", "U1", "2023-03", 3100.0, 3000.0),
        ("balance", "U1", "2023-03", 3250.0, 3000.0),
        ("fuel_without_generation", "U1", "2023-05", may, None),
        ("no_generation_row", "U1", "2023-05", may, None),
    ]


def test_clean_year_has_no_flags(tmp_path):
    assert _checks(plant(tmp_path)) == []
