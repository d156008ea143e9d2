"""Small power-plant projects for the ETS tests: dualcarbon.toml with [ets], units.csv, generation.csv and
the units' fuel rows in activities.csv."""

from __future__ import annotations

from pathlib import Path

UNITS = "id,facility,fuel_class,capacity_mw,cooling,chp\nU1,plant,coal_conventional_gt300,600,water,false\n"
GENERATION = (
    "unit,month,generation_mwh,supplied_mwh,own_use_mwh,heat_supplied_gj,load_factor,heat_ratio\n"
    "U1,2023-01,3000,2850,150,0,0.8,\n"
)
ACTIVITIES = (
    "id,facility,date,activity,quantity,unit,ncv,ncv_unit,carbon_content,carbon_content_unit,measured\n"
    "C1,U1,2023-01-31,原煤,1000,t,20,GJ/t,0.027,tC/GJ,true\n"
)


def plant(
    tmp_path: Path,
    *,
    units: str = UNITS,
    generation: str | None = GENERATION,
    activities: str = ACTIVITIES,
    ets: str = 'guideline = "2022"\nplan_year = 2023',
    name: str = "p",
) -> Path:
    """A project folder with one coal unit (or what the arguments give) over 2023."""
    root = tmp_path / name
    root.mkdir(parents=True)
    (root / "dualcarbon.toml").write_text(
        "[organization]\n"
        'name = "Plant"\n'
        'country = "CN"\n'
        'region = "CN-ZJ"\n'
        'sector = "1.A.1"\n'
        "[period]\n"
        "start = 2023-01-01\n"
        "end = 2023-12-31\n"
        "[method]\n"
        'gwp = "AR5"\n'
        'factor_sets = ["gbt32150", "cn_mee_grid", "ipcc2006"]\n' + (f"[ets]\n{ets}\n" if ets else ""),
        encoding="utf-8",
    )
    (root / "units.csv").write_text(units, encoding="utf-8")
    if generation is not None:
        (root / "generation.csv").write_text(generation, encoding="utf-8")
    (root / "activities.csv").write_text(activities, encoding="utf-8")
    return root
