"""A small hand-made territory project (illustrative numbers) whose figures a person can recompute:
the project's own round factors (factors/own.csv) with CH4 and N2O set to zero, so each line is
quantity × factor."""

from __future__ import annotations

from pathlib import Path

OWN_FACTORS = """dataset,parameter,activity_id,region,year,gas,value,unit_numerator,unit_denominator,source_ref
test,ef,fuel/natural_gas,CN,{year},CO2,2.0,kg CO2,m3,illustrative
test,ef,fuel/natural_gas,CN,{year},CH4,0,kg CH4,m3,illustrative
test,ef,fuel/natural_gas,CN,{year},N2O,0,kg N2O,m3,illustrative
test,ncv,fuel/natural_gas,CN,{year},,0.04,GJ,m3,illustrative
test,ef,fuel/diesel,CN,{year},CO2,3.0,kg CO2,L,illustrative
test,ef,fuel/diesel,CN,{year},CH4,0,kg CH4,L,illustrative
test,ef,fuel/diesel,CN,{year},N2O,0,kg N2O,L,illustrative
test,ncv,fuel/diesel,CN,{year},,0.036,GJ,L,illustrative
test,ef,electricity/grid,CN,{year},CO2,0.5,kg CO2,kWh,illustrative
test,ef,travel/air/long_haul,CN,{year},CO2,0.1,kg CO2,passenger*km,illustrative
test,ef,waste/incineration/msw,CN,{year},CO2,400,kg CO2,t,illustrative
"""

SETTINGS = """[organization]
name = "示例区"
name_en = "Test district"
kind = "territory"
country = "CN"
sector = "1.A.4.b"

[territory]
admin_code = "110115"
population = 1000
gdp = 2.0
gdp_unit = "亿元"
gdp_price_year = 2020
area_km2 = 10.0
{notation}

[period]
start = {start}-01-01
end = {end}-12-31

[method]
gwp = "AR5"
factor_sets = ["project", "ipcc2006"]
{extra}
"""

# id, date, activity, quantity, unit, sector, gpc: one row per GPC line exercised
ROWS = [
    ("gas-home", "fuel/natural_gas", "1000", "m3", "1.A.4.b", ""),  # I.1.1: 2 t
    ("elec-home", "electricity/grid", "10000", "kWh", "1.A.4.b", ""),  # I.1.2: 5 t
    ("elec-loss", "electricity/grid", "1000", "kWh", "1.A.4.b", "I.1.3"),  # I.1.3 (scope 3): 0.5 t
    ("gas-plant", "fuel/natural_gas", "5000", "m3", "1.A.1.a", ""),  # I.4.4: 10 t, outside BASIC and BASIC+
    ("diesel-road", "fuel/diesel", "1000", "L", "1.A.3.b", ""),  # II.1.1: 3 t
    ("flights", "travel/air/long_haul", "10000", "passenger*km", "1.A.3.a", "II.4:3"),  # II.4.3: 1 t
    ("hfc", "refrigerant/HFC-134a", "0.1", "t", "2.F.1", ""),  # IV.2: 0.1 t × GWP 1300 (AR5) = 130 t
    ("incineration", "waste/incineration/msw", "10", "t", "4.C", ""),  # III.3.1
]

SINKS = """id,type,area,unit,species_group,planting_year,volume_growth_m3_per_ha_yr,wood_density_t_per_m3,bef,root_shoot,carbon_fraction
stand-1,afforestation,15,亩,杨树,2018,5,0.5,1.2,0.25,0.5
"""


def write(
    root: Path,
    *,
    start: int = 2024,
    end: int = 2024,
    rows: list[tuple] | None = None,
    scale: dict[int, float] | None = None,
    notation: str = "",
    extra: str = "",
) -> Path:
    """The project folder; with several years, each year's rows are the 2024 rows × ``scale[year]``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "dualcarbon.toml").write_text(
        SETTINGS.format(start=start, end=end, notation=notation, extra=extra), encoding="utf-8"
    )
    (root / "factors").mkdir(exist_ok=True)
    header, *_ = OWN_FACTORS.splitlines(keepends=True)
    body = ["".join(OWN_FACTORS.format(year=y).splitlines(keepends=True)[1:]) for y in range(start, end + 1)]
    (root / "factors" / "own.csv").write_text(header + "".join(body), encoding="utf-8")
    lines = ["id,date,activity,quantity,unit,sector,gpc"]
    for year in range(start, end + 1):
        factor = (scale or {}).get(year, 1.0)
        for rid, activity, quantity, unit, sector, gpc in rows or ROWS:
            lines.append(f"{rid}-{year},{year}-06-30,{activity},{float(quantity) * factor:g},{unit},{sector},{gpc}")
    (root / "activities.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "sinks.csv").write_text(SINKS, encoding="utf-8")
    return root
