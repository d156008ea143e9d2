"""The guideline's accounting of power units (pure: frames in, frames out; docs/ets.md).

Fuel combustion per unit and month, E = Σ FC × NCV × CC × OF × 44/12, with the month's measured carbon
content or, for a month without a measurement, the guideline's default; purchased electricity at the
ETS reporting grid factor of the year (``rules.grid_factor``: not the MEE/NBS grid averages of the
inventory's Scope 2); generation, own use, supplied power and heat; the split of a unit's emissions
between power and heat by the heat ratio; intensities in t CO2/MWh supplied and t CO2/GJ; the month's
evidence flags.
"""

from __future__ import annotations

import polars as pl

from dualcarbon.ets import rules
from dualcarbon.ets.model import CO2_PER_C, FUEL_SCHEMA, UNIT_MONTH_SCHEMA, UNIT_YEAR_SCHEMA, PowerUnit

#: evidence flags of a unit-month (docs/ets.md, "Evidence flags")
FLAGS = (
    "default_carbon_content",  # a fuel row without a compliant measurement: the guideline's default applied
    "default_ncv",  # a fuel row without a measured NCV: the guideline's default applied
    "heat_ratio_estimated",  # heat supplied without a heat ratio: estimated from the output energies
    "purchased_electricity",  # grid power bought for the unit (counted at the ETS grid factor)
    "fuel_without_generation",  # fuel burnt in a month without generation or heat supplied
    "no_generation_row",  # fuel or electricity rows for a month generation.csv does not have
)
GJ_PER_MWH = 3.6


def _defaults(guideline: rules.Guideline, name: str) -> dict[str, float]:
    """Fuel class → the guideline's default ``name`` in base units (per t, per m3, t C/GJ, fraction)."""
    return {fuel: p.per_base for (fuel, param), p in guideline.parameters.items() if param == name}


def combustion(fuel_rows: pl.DataFrame, guideline: rules.Guideline) -> pl.DataFrame:
    """One row per fuel row (``FUEL_SCHEMA``): FC in the guideline's unit, the NCV, carbon content and
    oxidation rate used with where each comes from, and CO2 = FC × NCV × CC × OF × 44/12.

    A row's carbon content counts only when the row is measured (``measured`` true, or not stated and a
    carbon content given); otherwise the guideline's default for the fuel applies. A row's NCV and
    oxidation rate are its own where given, else the default."""
    if fuel_rows.height == 0:
        return pl.DataFrame(schema=FUEL_SCHEMA)
    cc_default = _defaults(guideline, "carbon_content_default")
    ncv_default = _defaults(guideline, "ncv_default")
    of_default = _defaults(guideline, "oxidation")
    f = fuel_rows.with_columns(
        pl.coalesce(pl.col("measured"), pl.col("carbon_content_t_per_gj").is_not_null()).alias("_measured"),
        pl.col("fuel").replace_strict(cc_default, default=None, return_dtype=pl.Float64).alias("_cc_default"),
        pl.col("fuel").replace_strict(ncv_default, default=None, return_dtype=pl.Float64).alias("_ncv_default"),
        pl.col("fuel").replace_strict(of_default, default=None, return_dtype=pl.Float64).alias("_of_default"),
    )
    cc_measured = pl.col("_measured") & pl.col("carbon_content_t_per_gj").is_not_null()
    f = f.with_columns(
        (pl.col("quantity_base") * pl.col("per_base")).alias("consumption"),
        (pl.col("quantity_base") * pl.coalesce(pl.col("ncv_gj_per_base"), pl.col("_ncv_default"))).alias("energy_gj"),
        pl.when(pl.col("ncv_gj_per_base").is_not_null())
        .then(pl.lit("measured"))
        .otherwise(pl.lit("default"))
        .alias("ncv_source"),
        pl.when(cc_measured)
        .then(pl.col("carbon_content_t_per_gj"))
        .otherwise(pl.col("_cc_default"))
        .alias("carbon_content"),
        pl.when(cc_measured).then(pl.lit("measured")).otherwise(pl.lit("default")).alias("carbon_content_source"),
        pl.coalesce(pl.col("oxidation"), pl.col("_of_default")).alias("_oxidation"),
        pl.when(pl.col("oxidation").is_not_null())
        .then(pl.lit("given"))
        .otherwise(pl.lit("default"))
        .alias("oxidation_source"),
    )
    f = f.with_columns(
        (pl.col("energy_gj") / pl.col("consumption")).alias("ncv_gj_per_unit"),
        (pl.col("energy_gj") * pl.col("carbon_content") * pl.col("_oxidation") * CO2_PER_C).alias("co2_t"),
    )
    return f.select(
        pl.col("facility").alias("unit"),
        "month",
        "id",
        pl.col("_file").alias("source_file"),
        pl.col("_row").alias("source_row"),
        "activity",
        "fuel",
        "consumption",
        "consumption_unit",
        "ncv_gj_per_unit",
        "ncv_source",
        pl.col("carbon_content").alias("carbon_content_t_per_gj"),
        "carbon_content_source",
        pl.col("_oxidation").alias("oxidation"),
        "oxidation_source",
        pl.col("_measured").alias("measured"),
        "energy_gj",
        "co2_t",
    ).cast(pl.Schema(FUEL_SCHEMA))


def electricity(rows: pl.DataFrame, grid_factors: dict[int, float]) -> pl.DataFrame:
    """The units' purchased electricity per unit and month (MWh) at the ETS grid factor of its year (t CO2/MWh)."""
    schema = {"unit": pl.String, "month": pl.String, "electricity_mwh": pl.Float64, "grid_factor": pl.Float64}
    if rows.height == 0:
        return pl.DataFrame(schema=schema | {"electricity_co2_t": pl.Float64})
    e = rows.group_by(pl.col("facility").alias("unit"), "month").agg(
        (pl.col("quantity_base").sum() / GJ_PER_MWH).alias("electricity_mwh")
    )
    e = e.with_columns(
        pl.col("month")
        .str.slice(0, 4)
        .cast(pl.Int32)
        .replace_strict(grid_factors, default=None, return_dtype=pl.Float64)
        .alias("grid_factor")
    )
    return e.with_columns((pl.col("electricity_mwh") * pl.col("grid_factor")).alias("electricity_co2_t"))


def unit_months(fuel: pl.DataFrame, electricity_rows: pl.DataFrame, generation: pl.DataFrame) -> pl.DataFrame:
    """One row per unit and month (``UNIT_MONTH_SCHEMA``) from ``combustion``, ``electricity`` and
    generation.csv.

    The heat ratio is generation.csv's where given (the unit's heat balance, as the guideline asks); a month
    with heat supplied and no ratio takes the share of heat in the unit's output energy, heat / (heat +
    3.6 × generation), flagged ``heat_ratio_estimated``. Power's share of the month's emissions is
    (1 − heat ratio); intensities are per MWh supplied and per GJ of heat supplied."""
    f = fuel.group_by("unit", "month").agg(
        pl.col("co2_t").sum().alias("fuel_co2_t"),
        pl.len().cast(pl.Int64).alias("fuel_rows"),
        (pl.col("carbon_content_source") == "measured").sum().cast(pl.Int64).alias("measured_rows"),
        (pl.col("carbon_content_source") == "default").sum().cast(pl.Int64).alias("default_rows"),
        (pl.col("ncv_source") == "default").any().alias("_default_ncv"),
    )
    g = generation.drop("_row").with_columns(pl.lit(True).alias("_has_generation"))
    m = g.join(f, on=["unit", "month"], how="full", coalesce=True)
    m = m.join(electricity_rows, on=["unit", "month"], how="full", coalesce=True)
    zero = ["fuel_co2_t", "electricity_mwh", "electricity_co2_t", "generation_mwh", "supplied_mwh", "heat_supplied_gj"]
    m = m.with_columns(
        *[pl.col(c).fill_null(0.0) for c in zero],
        *[pl.col(c).fill_null(0) for c in ("fuel_rows", "measured_rows", "default_rows")],
        pl.col("_has_generation").fill_null(False),
        pl.col("_default_ncv").fill_null(False),
    )
    output_energy = pl.col("heat_supplied_gj") / (pl.col("heat_supplied_gj") + GJ_PER_MWH * pl.col("generation_mwh"))
    m = m.with_columns(
        (pl.col("fuel_co2_t") + pl.col("electricity_co2_t")).alias("emissions_t"),
        pl.when(pl.col("heat_ratio").is_not_null())
        .then(pl.col("heat_ratio"))
        .when(pl.col("heat_supplied_gj") > 0)
        .then(output_energy)
        .otherwise(0.0)
        .alias("_heat_ratio"),
        pl.when(pl.col("heat_ratio").is_not_null())
        .then(pl.lit("given"))
        .when(pl.col("heat_supplied_gj") > 0)
        .then(pl.lit("output_energy"))
        .otherwise(pl.lit("none"))
        .alias("heat_ratio_source"),
    )
    m = m.with_columns(
        (pl.col("emissions_t") * (1 - pl.col("_heat_ratio"))).alias("power_emissions_t"),
        (pl.col("emissions_t") * pl.col("_heat_ratio")).alias("heat_emissions_t"),
    )
    flags = [
        pl.when(pl.col("default_rows") > 0).then(pl.lit("default_carbon_content")),
        pl.when(pl.col("_default_ncv")).then(pl.lit("default_ncv")),
        pl.when(pl.col("heat_ratio_source") == "output_energy").then(pl.lit("heat_ratio_estimated")),
        pl.when(pl.col("electricity_mwh") > 0).then(pl.lit("purchased_electricity")),
        pl.when((pl.col("fuel_co2_t") > 0) & (pl.col("generation_mwh") == 0) & (pl.col("heat_supplied_gj") == 0)).then(
            pl.lit("fuel_without_generation")
        ),
        pl.when(~pl.col("_has_generation")).then(pl.lit("no_generation_row")),
    ]
    m = m.with_columns(
        pl.col("_heat_ratio").alias("heat_ratio"),
        _ratio(pl.col("power_emissions_t"), pl.col("supplied_mwh")).alias("intensity_power_t_per_mwh"),
        _ratio(pl.col("heat_emissions_t"), pl.col("heat_supplied_gj")).alias("intensity_heat_t_per_gj"),
        pl.concat_str(flags, separator=";", ignore_nulls=True).alias("evidence"),
        pl.col("grid_factor").alias("grid_factor_t_per_mwh"),
    )
    return m.select(list(UNIT_MONTH_SCHEMA)).cast(pl.Schema(UNIT_MONTH_SCHEMA)).sort("unit", "month")


def _ratio(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    return pl.when(denominator > 0).then(numerator / denominator).otherwise(None)


def unit_years(months: pl.DataFrame, units: list[PowerUnit]) -> pl.DataFrame:
    """One row per unit and year (``UNIT_YEAR_SCHEMA``): the months' sums, the year's heat ratio (heat's share
    of the year's emissions), intensities on the sums, the generation-weighted load factor, and how many
    months counted a measured or a default carbon content."""
    unit_frame = pl.DataFrame(
        [(u.id, u.facility, u.fuel_class, u.capacity_mw, u.cooling, u.chp) for u in units],
        schema={
            "unit": pl.String,
            "facility": pl.String,
            "fuel_class": pl.String,
            "capacity_mw": pl.Float64,
            "cooling": pl.String,
            "chp": pl.Boolean,
        },
        orient="row",
    )
    sums = ["fuel_co2_t", "electricity_co2_t", "emissions_t", "generation_mwh", "supplied_mwh", "own_use_mwh"]
    sums += ["heat_supplied_gj", "power_emissions_t", "heat_emissions_t"]
    by_year = months.with_columns(pl.col("month").str.slice(0, 4).cast(pl.Int32).alias("year"))
    totals = by_year.group_by("unit", "year").agg(
        *[pl.col(c).sum() for c in sums],
        (
            (pl.col("load_factor") * pl.col("generation_mwh")).sum()
            / pl.col("generation_mwh").filter(pl.col("load_factor").is_not_null()).sum()
        ).alias("load_factor"),
        (pl.col("fuel_rows") > 0).sum().cast(pl.Int64).alias("months"),
        ((pl.col("fuel_rows") > 0) & (pl.col("default_rows") == 0)).sum().cast(pl.Int64).alias("measured_months"),
        (pl.col("default_rows") > 0).sum().cast(pl.Int64).alias("default_months"),
    )
    y = unit_frame.join(totals, on="unit", how="left").with_columns(
        _ratio(pl.col("heat_emissions_t"), pl.col("emissions_t")).fill_null(0.0).alias("heat_ratio"),
        _ratio(pl.col("power_emissions_t"), pl.col("supplied_mwh")).alias("intensity_power_t_per_mwh"),
        _ratio(pl.col("power_emissions_t"), pl.col("generation_mwh")).alias("intensity_generation_t_per_mwh"),
        _ratio(pl.col("heat_emissions_t"), pl.col("heat_supplied_gj")).alias("intensity_heat_t_per_gj"),
    )
    return y.select(list(UNIT_YEAR_SCHEMA)).cast(pl.Schema(UNIT_YEAR_SCHEMA)).sort("unit", "year")
