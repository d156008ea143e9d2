"""The typed records of the ETS accounting (DESIGN.md, "Power units under the China ETS"): a power unit
(a row of units.csv), a unit-month (a row of generation.csv), and the frame schemas of the results per
fuel row, per unit and month and per unit and year."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

#: units.csv ``fuel_class`` (DESIGN.md): the allocation plans' unit categories
FUEL_CLASSES = ("coal_conventional_gt300", "coal_conventional_le300", "coal_unconventional", "gas")
COOLING = ("water", "air")
#: the guideline's CO2/C mass ratio
CO2_PER_C = 44.0 / 12.0


@dataclass(frozen=True)
class PowerUnit:
    """A generating unit (机组) of units.csv."""

    id: str
    facility: str
    fuel_class: str
    capacity_mw: float
    cooling: str
    chp: bool


@dataclass(frozen=True)
class UnitMonth:
    """A unit's month of generation.csv: power generated, supplied and used on site (MWh), heat supplied (GJ),
    the load factor (fraction) and, for a CHP unit, the heat ratio of its heat balance (fraction)."""

    unit: str
    month: str  # YYYY-MM
    generation_mwh: float
    supplied_mwh: float
    own_use_mwh: float
    heat_supplied_gj: float
    load_factor: float | None
    heat_ratio: float | None


#: one row per fuel row of the units (accounting.combustion): E = FC × NCV × CC × OF × 44/12
FUEL_SCHEMA = {
    "unit": pl.String,
    "month": pl.String,
    "id": pl.String,
    "source_file": pl.String,
    "source_row": pl.Int64,
    "activity": pl.String,
    "fuel": pl.String,
    "consumption": pl.Float64,  # FC, in consumption_unit
    "consumption_unit": pl.String,  # t or 万Nm3
    "ncv_gj_per_unit": pl.Float64,
    "ncv_source": pl.String,  # measured | default
    "carbon_content_t_per_gj": pl.Float64,
    "carbon_content_source": pl.String,  # measured | default
    "oxidation": pl.Float64,
    "oxidation_source": pl.String,  # given | default
    "measured": pl.Boolean,
    "energy_gj": pl.Float64,
    "co2_t": pl.Float64,
}

#: one row per unit and month (accounting.unit_months)
UNIT_MONTH_SCHEMA = {
    "unit": pl.String,
    "month": pl.String,
    "fuel_co2_t": pl.Float64,
    "electricity_mwh": pl.Float64,
    "grid_factor_t_per_mwh": pl.Float64,
    "electricity_co2_t": pl.Float64,
    "emissions_t": pl.Float64,
    "generation_mwh": pl.Float64,
    "supplied_mwh": pl.Float64,
    "own_use_mwh": pl.Float64,
    "heat_supplied_gj": pl.Float64,
    "load_factor": pl.Float64,
    "heat_ratio": pl.Float64,
    "heat_ratio_source": pl.String,  # given | output_energy | none
    "power_emissions_t": pl.Float64,
    "heat_emissions_t": pl.Float64,
    "intensity_power_t_per_mwh": pl.Float64,
    "intensity_heat_t_per_gj": pl.Float64,
    "fuel_rows": pl.Int64,
    "measured_rows": pl.Int64,
    "default_rows": pl.Int64,
    "evidence": pl.String,  # the month's flags, ';'-joined (accounting.FLAGS)
}

#: one row per unit and year (accounting.unit_years)
UNIT_YEAR_SCHEMA = {
    "unit": pl.String,
    "facility": pl.String,
    "fuel_class": pl.String,
    "capacity_mw": pl.Float64,
    "cooling": pl.String,
    "chp": pl.Boolean,
    "year": pl.Int32,
    "fuel_co2_t": pl.Float64,
    "electricity_co2_t": pl.Float64,
    "emissions_t": pl.Float64,
    "generation_mwh": pl.Float64,
    "supplied_mwh": pl.Float64,
    "own_use_mwh": pl.Float64,
    "heat_supplied_gj": pl.Float64,
    "heat_ratio": pl.Float64,
    "power_emissions_t": pl.Float64,
    "heat_emissions_t": pl.Float64,
    "intensity_power_t_per_mwh": pl.Float64,
    "intensity_generation_t_per_mwh": pl.Float64,
    "intensity_heat_t_per_gj": pl.Float64,
    "load_factor": pl.Float64,
    "months": pl.Int64,
    "measured_months": pl.Int64,
    "default_months": pl.Int64,
}


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)
